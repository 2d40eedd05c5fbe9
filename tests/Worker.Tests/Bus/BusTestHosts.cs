using Annotate.Annotators.Annotations;
using Annotate.Annotators.Pipeline;
using Annotate.Hosting;
using Annotate.Messages;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Annotate.Worker.Tests.Bus;

/// <summary>A standalone worker host (the one src/Worker runs) on a test's virtual host and folders.</summary>
public static class WorkerTestHost
{
    public static async Task<IHost> StartAsync(string root, IDictionary<string, string?> bus, IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Development", ContentRootPath = root });
        var all = new Dictionary<string, string?>(bus)
        {
            ["Annotate:Blobs:Outputs"] = Path.Combine(root, "outbox"),
            ["Annotate:Blobs:Sources"] = Path.Combine(root, "blobs"),
            ["Annotate:Blobs:Results"] = Path.Combine(root, "results"),
            ["Annotate:Blobs:Content"] = Path.Combine(root, "content"),
            ["Annotate:Worker:AllowLocalPaths"] = "true",
            ["Annotate:Worker:RetryDelay"] = "00:00:00.010",
            ["Annotate:Language:Languages:0"] = "en",
            ["Annotate:Language:Languages:1"] = "de",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        if (services is not null)
        {
            // The test adds engine parts (annotators) to this process: the pipeline must run here to use them.
            all["Annotate:Worker:Isolation:Enabled"] = "false";
        }
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }
        builder.Configuration.AddInMemoryCollection(all);
        builder.AddAnnotateWorker();
        services?.Invoke(builder.Services);
        builder.AddAnnotateWorkerBus();
        var host = builder.Build();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await host.StartAsync(timeout.Token);
        return host;
    }
}

/// <summary>
/// Another process on the bus, as the gateway or another system would be: publishes commands and records the events (and
/// faults) workers publish. Start it after a worker has declared the work queue, so published commands reach it.
/// </summary>
public sealed class EventProbe : IAsyncDisposable
{
    private readonly IHost _host;

    private EventProbe(IHost host) => _host = host;

    public EventLog Events => _host.Services.GetRequiredService<EventLog>();

    public IBus Bus => _host.Services.GetRequiredService<IBus>();

    public static async Task<EventProbe> StartAsync(IDictionary<string, string?> bus)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Development" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>(bus) { ["Logging:LogLevel:Default"] = "Warning" });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton<EventLog>();
        builder.AddAnnotateBus(x => x.AddConsumer<EventRecorder>().Endpoint(e => e.Name = "test-event-probe"), defaultPrefetch: 16);
        var host = builder.Build();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await host.StartAsync(timeout.Token);
        return new EventProbe(host);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }

    private sealed class EventRecorder(EventLog log) : IConsumer<DocumentAnnotationStarted>, IConsumer<DocumentAnnotated>,
        IConsumer<DocumentAnnotationFailed>, IConsumer<Fault<AnnotateDocument>>
    {
        public Task Consume(ConsumeContext<DocumentAnnotationStarted> context) => log.Add(context.Message);
        public Task Consume(ConsumeContext<DocumentAnnotated> context) => log.Add(context.Message);
        public Task Consume(ConsumeContext<DocumentAnnotationFailed> context) => log.Add(context.Message);
        public Task Consume(ConsumeContext<Fault<AnnotateDocument>> context) => log.Add(context.Message);
    }
}

/// <summary>Events in the order they arrived; tests wait for one with a bounded timeout.</summary>
public sealed class EventLog
{
    private readonly Lock _lock = new();
    private readonly List<object> _events = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Add(object message)
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            _events.Add(message);
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        changed.TrySetResult();
        return Task.CompletedTask;
    }

    public IReadOnlyList<T> Of<T>()
    {
        lock (_lock)
        {
            return _events.OfType<T>().ToList();
        }
    }

    /// <summary>Waits for the first event of type <typeparamref name="T"/> matching <paramref name="match"/> (bounded: 60 s).</summary>
    public async Task<T> WaitForAsync<T>(Func<T, bool> match)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(60);
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                if (_events.OfType<T>().FirstOrDefault(match) is { } found)
                {
                    return found;
                }
                changed = _changed.Task;
            }
            var left = deadline - DateTimeOffset.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"No matching {typeof(T).Name} within 60 s; events: {string.Join(", ", Of<object>().Select(e => e.GetType().Name))}");
            }
            try
            {
                await changed.WaitAsync(left);
            }
            catch (TimeoutException)
            {
            }
        }
    }
}

/// <summary>Fails with a transient error (the model is not available) on the calls <c>failOn</c> selects (1 for the first).</summary>
public sealed class TransientlyFailingAnnotator(Func<int, bool> failOn) : IAnnotator
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);
    public string Name => "transient-stand-in";
    public int Order => 1000;

    public Task<AnnotatorOutcome> AnnotateAsync(AnnotationContext context, CancellationToken cancellationToken)
    {
        var call = Interlocked.Increment(ref _calls);
        return failOn(call)
            ? throw new AnnotationException(FailureReason.ModelUnavailable, "The model is not available yet.", retryable: true)
            : Task.FromResult(AnnotatorOutcome.Done);
    }
}

/// <summary>Holds every document until <see cref="Release"/> (or until its token is cancelled): makes a slow document without timing.</summary>
public sealed class BlockingAnnotator : IAnnotator
{
    private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _cancelled;

    public string Name => "blocking-stand-in";
    public int Order => 1000;

    /// <summary>Completes when the first document is being held.</summary>
    public Task Entered => _entered.Task;

    public bool SawCancellation => Volatile.Read(ref _cancelled) > 0;

    public void Release() => _released.TrySetResult();

    public async Task<AnnotatorOutcome> AnnotateAsync(AnnotationContext context, CancellationToken cancellationToken)
    {
        _entered.TrySetResult();
        try
        {
            await _released.Task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            Interlocked.Increment(ref _cancelled);
            throw;
        }
        return AnnotatorOutcome.Done;
    }
}
