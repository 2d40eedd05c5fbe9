using System.Collections.Concurrent;
using Annotate.Annotators;
using Annotate.Hosting.Telemetry;
using Annotate.Messages;
using Annotate.Worker.Isolation;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Annotate.Worker.Tests.Isolation;

/// <summary>
/// A worker with isolation on, over MassTransit's in-memory harness: real pipeline children (this test assembly's
/// Annotate.Worker.dll started with --pipeline-child), the real tiny model, fault injection on. Records every outcome
/// and every log line, the children's forwarded ones included.
/// </summary>
internal sealed class IsolationHarness : IAsyncDisposable
{
    private readonly ServiceProvider _provider;
    private readonly ConcurrentDictionary<string, object> _outcomes = new();
    private readonly Lock _waitLock = new();
    private readonly List<(int Count, TaskCompletionSource Done)> _waits = [];

    /// <summary>A small ordinary text document, different for each <paramref name="i"/>.</summary>
    public static string Ordinary(int i) =>
        $"Report {i}\n\nThe budget of EUR {i},250.00 was approved on 15 March 2024 by the board of Example Ltd.\nContact: office{i}@example.com\n";

    /// <summary>An outcome for an assertion's message.</summary>
    public static string Describe(object outcome) => outcome is DocumentAnnotationFailed failed ? $"{failed.DocumentId} failed: {failed.Reason} {failed.Message}" : "annotated";

    public static string Model => Path.GetFullPath(Path.Combine(RepoRoot(), "..", "shared", "models", "stories260K.gguf"));

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "annotate-isolation-tests", Guid.NewGuid().ToString("N"));

    public ConcurrentQueue<(string Category, string Message)> Logs { get; } = new();

    public ITestHarness Harness { get; }

    public PipelineSupervisor Supervisor { get; }

    public IServiceProvider Services => _provider;

    private IsolationHarness(Dictionary<string, string?> settings)
    {
        Directory.CreateDirectory(Root);
        var values = new Dictionary<string, string?>
        {
            ["Annotate:Blobs:Outputs"] = Path.Combine(Root, "outbox"),
            ["Annotate:Blobs:Sources"] = Path.Combine(Root, "blobs"),
            ["Annotate:Blobs:Results"] = Path.Combine(Root, "results"),
            ["Annotate:Worker:AllowLocalPaths"] = "true",
            ["Annotate:Worker:RetryLimit"] = "1",
            ["Annotate:Worker:RetryDelay"] = "00:00:00.010",
            ["Annotate:Worker:ConcurrentDocuments"] = "4",
            ["Annotate:Worker:DocumentTimeout"] = "00:01:00",
            ["Annotate:Worker:FaultInjection:Enabled"] = "true",
            ["Annotate:Worker:Isolation:HeartbeatTimeout"] = "00:00:20",
            ["Annotate:Worker:Isolation:CancelGrace"] = "00:00:02",
            ["Annotate:Worker:Isolation:StartTimeout"] = "00:01:00",
            ["Annotate:Model:Path"] = Model,
            ["Annotate:Language:Languages:0"] = "en",
            ["Annotate:Language:Languages:1"] = "de",
            // The model is loaded by every child, but these documents ask only for what needs no generation: the tests
            // are about processes, and a generation per document would make them slow.
            ["Annotate:Profiles:lean:Annotators:0"] = "statistics",
            ["Annotate:Profiles:lean:Annotators:1"] = "language",
            // For the tests that need the model to generate: its token counts.
            ["Annotate:Profiles:model:Annotators:0"] = "statistics",
            ["Annotate:Profiles:model:Annotators:1"] = "metadata",
            ["Annotate:Model:ContextSize"] = "2048",
        };
        foreach (var (key, value) in settings)
        {
            values[key] = value;
        }
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
        services.AddSingleton<IHostEnvironment>(new TestEnvironment());
        // Debug for the supervisor's own lines (a child's progress is logged at Debug).
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Information).AddFilter("Annotate.Worker.Isolation", LogLevel.Debug)
            .AddProvider(new RecordingLoggerProvider(RecordLog)));
        // The worker's metrics, where the supervisor records what its children report.
        services.AddMetrics();
        services.AddSingleton<AnnotateMetrics>();
        services.AddAnnotationSettings();
        services.AddAnnotateWorkerServices();
        services.AddPipelineIsolation();
        services.AddMassTransitTestHarness(x => x.AddAnnotateWorkerConsumers());
        _provider = services.BuildServiceProvider(true);
        Harness = _provider.GetRequiredService<ITestHarness>();
        Harness.TestTimeout = TimeSpan.FromMinutes(5);
        Supervisor = _provider.GetRequiredService<PipelineSupervisor>();
        Harness.Bus.ConnectPublishObserver(new OutcomeObserver(this));
    }

    public static async Task<IsolationHarness> StartAsync(Dictionary<string, string?>? settings = null)
    {
        var harness = new IsolationHarness(settings ?? []);
        // What PipelineChildren does in a host: the first child is ready before the bus takes a command.
        using var start = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await harness.Supervisor.StartAsync(start.Token);
        await harness.Harness.Start();
        return harness;
    }

    public AnnotateMetrics Metrics => _provider.GetRequiredService<AnnotateMetrics>();

    /// <summary>Writes a document and publishes the command for it (lean profile unless told).</summary>
    public Task SubmitAsync(string id, string fileName, string content, string profile = "lean") =>
        SubmitBytesAsync(id, fileName, System.Text.Encoding.UTF8.GetBytes(content), profile);

    /// <summary>Publishes the command for a copy of a file (a real document of the corpus, or one a test generated).</summary>
    public async Task SubmitFileAsync(string id, string path, string profile = "lean") =>
        await SubmitBytesAsync(id, Path.GetFileName(path), await File.ReadAllBytesAsync(path), profile);

    private async Task SubmitBytesAsync(string id, string fileName, byte[] content, string profile)
    {
        var folder = Path.Combine(Root, "in", id);
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, fileName);
        await File.WriteAllBytesAsync(path, content);
        await Harness.Bus.Publish(new AnnotateDocument
        {
            DocumentId = id,
            SourceUri = new Uri(path).AbsoluteUri,
            FileName = fileName,
            Profile = profile,
        });
    }

    public IReadOnlyDictionary<string, object> Outcomes => _outcomes;

    /// <summary>Waits (bounded) until <paramref name="count"/> documents have a Completed or Failed event.</summary>
    public async Task WaitForOutcomesAsync(int count, TimeSpan timeout)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waitLock)
        {
            _waits.Add((count, done));
        }
        CheckWaits();
        try
        {
            await done.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{_outcomes.Count} of {count} documents finished within {timeout}; missing outcomes leave documents stuck. " +
                $"Finished: {string.Join(", ", _outcomes.Keys.Order(StringComparer.Ordinal))}.");
        }
    }

    private void Record(string documentId, object outcome)
    {
        _outcomes.TryAdd(documentId, outcome);
        CheckWaits();
    }

    private void CheckWaits()
    {
        lock (_waitLock)
        {
            foreach (var (count, done) in _waits.Where(w => _outcomes.Count >= w.Count))
            {
                done.TrySetResult();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Harness.Stop();
        await _provider.DisposeAsync();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Annotate.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("Annotate.sln not found above " + AppContext.BaseDirectory);
    }

    private sealed class OutcomeObserver(IsolationHarness harness) : IPublishObserver
    {
        public Task PrePublish<T>(PublishContext<T> context) where T : class => Task.CompletedTask;

        public Task PostPublish<T>(PublishContext<T> context) where T : class
        {
            switch (context.Message)
            {
                case DocumentAnnotated annotated:
                    harness.Record(annotated.DocumentId, annotated);
                    break;
                case DocumentAnnotationFailed failed:
                    harness.Record(failed.DocumentId, failed);
                    break;
            }
            return Task.CompletedTask;
        }

        public Task PublishFault<T>(PublishContext<T> context, Exception exception) where T : class => Task.CompletedTask;
    }

    private sealed class TestEnvironment : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = Environments.Development;
        public string ApplicationName { get; set; } = "Annotate.Worker.Tests";
        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }

    private readonly List<(string Text, TaskCompletionSource<string> Seen)> _logWaits = [];

    /// <summary>The first log line (the children's forwarded ones included) that contains <paramref name="text"/>, once it is logged.</summary>
    public Task<string> WaitForLogAsync(string text, CancellationToken cancellationToken)
    {
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_logWaits)
        {
            // Under the lock RecordLog takes after enqueueing: a line is either already in Logs or checked against this wait.
            if (Logs.FirstOrDefault(l => l.Message.Contains(text, StringComparison.Ordinal)) is { Message: not null } logged)
            {
                return Task.FromResult(logged.Message);
            }
            _logWaits.Add((text, seen));
        }
        return seen.Task.WaitAsync(cancellationToken);
    }

    private void RecordLog(string category, string message)
    {
        // Bounded: a stack overflow's last words are thousands of lines.
        if (Logs.Count >= 20_000)
        {
            return;
        }
        Logs.Enqueue((category, message));
        lock (_logWaits)
        {
            foreach (var wait in _logWaits.Where(w => message.Contains(w.Text, StringComparison.Ordinal)))
            {
                wait.Seen.TrySetResult(message);
            }
        }
    }

    private sealed class RecordingLoggerProvider(Action<string, string> record) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new RecordingLogger(categoryName, record);

        public void Dispose()
        {
        }

        private sealed class RecordingLogger(string category, Action<string, string> record) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                record(category, formatter(state, exception));
            }
        }
    }
}
