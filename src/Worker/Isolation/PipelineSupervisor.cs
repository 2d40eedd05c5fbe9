using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Annotate.Annotators.Pipeline;
using Annotate.Hosting;
using Annotate.Hosting.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Annotate.Worker.Isolation;

/// <summary>
/// Keeps the worker's pipeline children: one shared child that takes up to the worker's concurrency of documents at once,
/// replaced when it dies and recycled after <see cref="IsolationOptions.RecycleAfterDocuments"/> documents or above
/// <see cref="IsolationOptions.RecycleAboveMegabytes"/>; and, for each retry of a document whose child
/// died, a fresh child of its own, so the document that kills children is found and fails alone. A watch loop kills children that
/// stop sending heartbeats or grow past <see cref="IsolationOptions.MemoryCapMegabytes"/>.
/// </summary>
public sealed class PipelineSupervisor : IAsyncDisposable
{
    private static readonly TimeSpan WatchInterval = TimeSpan.FromMilliseconds(250);

    private readonly IsolationOptions _options;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ChildLaunch _launch;
    private readonly string _temporaryRoot;
    private int _swept;
    private readonly Lock _gate = new();
    private readonly List<PipelineChildProcess> _children = [];
    private readonly SemaphoreSlim _retryLanes;
    private readonly ConcurrentQueue<(DateTimeOffset At, string Reason)> _deaths = new();
    private readonly ConcurrentDictionary<string, int> _deathsByReason = new();
    private readonly ConcurrentDictionary<string, int> _recycledByReason = new();
    private readonly AnnotateMetrics? _metrics;
    private readonly CancellationTokenSource _stopping = new();
    private PipelineChildProcess? _shared;
    private ChildHello? _lastHello;
    private Task? _watch;
    private int _started;
    private int _recycled;
    private long _requests;
    private int _stopped;
    private int _warnedSmallThreshold;
    private long _lastActivity;
    private bool _idle;
    private int _idleStops;
    private int _cachesReleased;
    private ChildReleased? _lastRelease;
    private readonly List<(int Count, TaskCompletionSource Done)> _releaseWaits = [];

    /// <summary>
    /// Creates the supervisor; no child starts before the first document or <see cref="StartAsync"/>. What the children
    /// report of their work (model tokens, pages, rows, stage times) goes into the metrics, when the host has them.
    /// </summary>
    public PipelineSupervisor(IOptions<IsolationOptions> options, IConfiguration configuration, IHostEnvironment? environment,
        TimeProvider time, ILoggerFactory loggers, AnnotateMetrics? metrics = null)
    {
        _metrics = metrics;
        _options = options.Value;
        _loggers = loggers;
        _logger = loggers.CreateLogger<PipelineSupervisor>();
        _time = time;
        _launch = LaunchFor(configuration, environment?.EnvironmentName ?? Environments.Production, _options.ServerGarbageCollection);
        _temporaryRoot = string.IsNullOrWhiteSpace(_options.TemporaryFolder) ? Path.GetTempPath() : Path.GetFullPath(_options.TemporaryFolder);
        var lanes = WorkerOptions.EffectiveConcurrency(configuration);
        _retryLanes = new SemaphoreSlim(lanes, lanes);
        _lastActivity = _time.GetTimestamp();
        // Beside the process's own size (the runtime's dotnet_process_memory_working_set_bytes): together its footprint.
        metrics?.Meter.CreateObservableGauge(AnnotateMetrics.ChildMemoryResident, ChildrenResidentBytes, "By",
            "Resident memory of the live pipeline children, summed (none: 0).");
    }

    /// <summary>The resident memory of the children alive now, summed; a child that exits meanwhile counts nothing.</summary>
    private long ChildrenResidentBytes()
    {
        List<PipelineChildProcess> alive;
        lock (_gate)
        {
            alive = _children.Where(c => !c.HasExited).ToList();
        }
        return alive.Sum(c => c.ResidentBytes() ?? 0);
    }

    /// <summary>The model the children hold, from the last child's hello (null before the first one).</summary>
    internal ChildHello? LastHello => Volatile.Read(ref _lastHello);

    /// <summary>Process id of the child that said hello last, or null before the first.</summary>
    public int? LastChildProcessId => LastHello?.ProcessId;

    /// <summary>How long the child that said hello last took from its start to its hello (runtime, engine and model loaded).</summary>
    public TimeSpan? LastChildStartTime => LastHello is { } hello ? TimeSpan.FromMilliseconds(hello.StartMs) : null;

    /// <summary>Children started since the worker started (each loads the model once).</summary>
    public int ChildrenStarted => Volatile.Read(ref _started);

    /// <summary>Children replaced after <see cref="IsolationOptions.RecycleAfterDocuments"/> or above <see cref="IsolationOptions.RecycleAboveMegabytes"/>.</summary>
    public int ChildrenRecycled => Volatile.Read(ref _recycled);

    /// <summary>Children recycled, by why: <see cref="RecycledForDocuments"/> or <see cref="RecycledForMemory"/>.</summary>
    public IReadOnlyDictionary<string, int> ChildrenRecycledByReason => new Dictionary<string, int>(_recycledByReason);

    /// <summary>Recycled after <see cref="IsolationOptions.RecycleAfterDocuments"/> documents.</summary>
    public const string RecycledForDocuments = "documents";

    /// <summary>Recycled above <see cref="IsolationOptions.RecycleAboveMegabytes"/>.</summary>
    public const string RecycledForMemory = "memory";

    /// <summary>Children stopped because no document came for <see cref="IsolationOptions.IdleStopAfter"/>.</summary>
    public int ChildrenStoppedIdle => Volatile.Read(ref _idleStops);

    /// <summary>Times a child gave back its encoder and language models after <see cref="IsolationOptions.ReleaseCachesAfter"/> idle.</summary>
    public int CachesReleased => Volatile.Read(ref _cachesReleased);

    /// <summary>What the child that released its caches last gave back, and its size before and after.</summary>
    internal ChildReleased? LastRelease => Volatile.Read(ref _lastRelease);

    /// <summary>Times this process compacted its own heaps after an idle child's release. For tests.</summary>
    internal int Compactions => Volatile.Read(ref _compactions);

    private int _compactions;

    /// <summary>Completes once the child that takes new documents has finished its warm-up.</summary>
    internal Task WaitForWarmUpAsync(CancellationToken cancellationToken)
    {
        PipelineChildProcess? shared;
        lock (_gate)
        {
            shared = _shared;
        }
        return shared is null ? Task.CompletedTask : shared.WarmUp.WaitAsync(cancellationToken);
    }

    /// <summary>Completes once children have released their caches <paramref name="count"/> times in all.</summary>
    internal Task WaitForCachesReleasedAsync(int count, CancellationToken cancellationToken)
    {
        lock (_releaseWaits)
        {
            if (CachesReleased >= count)
            {
                return Task.CompletedTask;
            }
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _releaseWaits.Add((count, done));
            return done.Task.WaitAsync(cancellationToken);
        }
    }

    private void OnCachesReleased(PipelineChildProcess child, ChildReleased released)
    {
        Volatile.Write(ref _lastRelease, released);
        // Not InFlight: the place of the document answered just before this frame may not be given back yet.
        if (child.AwaitingAnswer == 0)
        {
            // The child has been idle for ReleaseCachesAfter and gave its memory back: this process gives back what
            // the documents' messages and results left in its heaps too (a blocking collection of a small heap; the
            // child, idle, waits on nothing meanwhile).
            ProcessMemory.Compact();
            Interlocked.Increment(ref _compactions);
        }
        lock (_releaseWaits)
        {
            var count = Interlocked.Increment(ref _cachesReleased);
            foreach (var wait in _releaseWaits.Where(w => w.Count <= count).ToList())
            {
                wait.Done.TrySetResult();
                _releaseWaits.Remove(wait);
            }
        }
    }

    /// <summary>A snapshot for the health check: children alive, deaths in the last hour, deaths by reason since start.</summary>
    internal SupervisorState State()
    {
        var hourAgo = _time.GetUtcNow().AddHours(-1);
        while (_deaths.TryPeek(out var oldest) && oldest.At < hourAgo)
        {
            _deaths.TryDequeue(out _);
        }
        lock (_gate)
        {
            return new SupervisorState(
                _children.Count(c => !c.HasExited),
                _shared is { HasExited: false, Ready.IsCompletedSuccessfully: true },
                _deaths.Count,
                new Dictionary<string, int>(_deathsByReason),
                LastHello,
                _idle,
                _shared is { HasExited: false, WarmedUp: true });
        }
    }

    /// <summary>Starts the first child and waits until it has loaded the model and said hello; throws when it cannot start.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _watch ??= Task.Run(WatchAsync, CancellationToken.None);
        }
        var child = SharedChild();
        try
        {
            var hello = await child.Ready.WaitAsync(_options.StartTimeout, _time, cancellationToken);
            // The continuation that records each child's hello may not have run yet: the first one is recorded before
            // the worker takes a command (the model's SHA-256 on results, LastChildProcessId), unless a later one was.
            Interlocked.CompareExchange(ref _lastHello, hello, null);
        }
        catch (Exception ex) when (ex is ChildDiedException or TimeoutException)
        {
            child.Kill(FailureReason.Crashed, "it did not start in time");
            throw new InvalidOperationException($"The pipeline child did not start: {ex.Message}. Its log lines above say why.", ex);
        }
    }

    /// <summary>
    /// Annotates a document in a child. When the child dies under it, the document is tried again alone in a fresh child,
    /// up to <see cref="IsolationOptions.CrashRetries"/> times; then it fails with the reason the last child died of.
    /// </summary>
    internal async Task<ChildFrame> RunAsync(ChildRun run, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _watch ??= Task.Run(WatchAsync, CancellationToken.None);
        }
        for (var retry = 0; ; retry++)
        {
            try
            {
                return retry == 0 ? await RunSharedAsync(run, cancellationToken) : await RunAloneAsync(run, cancellationToken);
            }
            catch (ChildDiedException died) when (!cancellationToken.IsCancellationRequested)
            {
                if (retry >= _options.CrashRetries)
                {
                    throw new AnnotationException(died.Reason, FailureMessage(run.FileName, died.Reason, retry + 1, died.Stage));
                }
                _logger.LogWarning("{FileName}  its pipeline child died ({Reason}); trying it again alone in a fresh child ({Retry} of {Retries})",
                    run.FileName, died.Reason, retry + 1, _options.CrashRetries);
            }
        }
    }

    private static string FailureMessage(string fileName, string reason, int tries, string? stage)
    {
        var message = reason switch
        {
            FailureReason.OutOfMemory => $"'{fileName}' made the process annotating it use more memory than allowed (Annotate:Worker:Isolation:MemoryCapMegabytes), {tries} time(s); it was stopped.",
            FailureReason.Timeout => $"'{fileName}' did not stop when its time ran out (Annotate:Worker:DocumentTimeout), {tries} time(s); the process annotating it was stopped.",
            _ => $"'{fileName}' made the process annotating it crash, {tries} time(s).",
        };
        // The stage the child last reported (at most a second old): where to look first.
        return stage is null ? message : $"{message} The last time, it was in its {stage} stage.";
    }

    private async Task<ChildFrame> RunSharedAsync(ChildRun run, CancellationToken cancellationToken)
    {
        // Bounded: each pass either sends the document or finds the child it was given draining or dead, which makes the
        // next pass start a fresh one.
        Volatile.Write(ref _lastActivity, _time.GetTimestamp());
        for (var pass = 0; ; pass++)
        {
            var child = SharedChild(run.FileName);
            await ReadyAsync(child, cancellationToken);
            if (!child.TryReserve(_options.RecycleAfterDocuments, out var recycleNow))
            {
                if (pass >= 10)
                {
                    throw new AnnotationException(FailureReason.Crashed, $"'{run.FileName}' found no pipeline child to annotate it.", retryable: true);
                }
                continue;
            }
            if (recycleNow)
            {
                Recycle(child, RecycledForDocuments, $"it annotated {child.Documents} documents");
            }
            try
            {
                return await child.RunAsync(NextRequestId(), run, _options.CancelGrace, cancellationToken);
            }
            finally
            {
                Volatile.Write(ref _lastActivity, _time.GetTimestamp());
                // Between documents: what this one left behind decides whether the child takes the next.
                RecycleIfLarge(child);
            }
        }
    }

    private async Task<ChildFrame> RunAloneAsync(ChildRun run, CancellationToken cancellationToken)
    {
        // Each retry has a fresh child to itself, so a document that hangs there holds up no other retry; at most the
        // worker's concurrency of them at once.
        await _retryLanes.WaitAsync(cancellationToken);
        PipelineChildProcess? child = null;
        try
        {
            lock (_gate)
            {
                RefuseOnceStopped(run.FileName);
                child = StartChild(solo: true);
            }
            await ReadyAsync(child, cancellationToken);
            if (!child.TryReserve(int.MaxValue, out _))
            {
                throw new ChildDiedException(FailureReason.Crashed, "the fresh child exited before it took the document");
            }
            return await child.RunAsync(NextRequestId(), run, _options.CancelGrace, cancellationToken);
        }
        finally
        {
            child?.Drain();
            _retryLanes.Release();
        }
    }

    private async Task ReadyAsync(PipelineChildProcess child, CancellationToken cancellationToken)
    {
        try
        {
            await child.Ready.WaitAsync(_options.StartTimeout, _time, cancellationToken);
        }
        catch (TimeoutException)
        {
            child.Kill(FailureReason.Crashed, $"it did not start within {_options.StartTimeout}");
            throw new AnnotationException(FailureReason.Crashed, "The process that annotates documents did not start in time.", retryable: true);
        }
        catch (ChildDiedException died) when (!cancellationToken.IsCancellationRequested)
        {
            // A child that dies before it takes any document is no document's fault: the delivery is tried again later.
            throw new AnnotationException(FailureReason.Crashed, $"The process that annotates documents could not start ({died.Message}).", retryable: true);
        }
    }

    private string NextRequestId() => Interlocked.Increment(ref _requests).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private PipelineChildProcess SharedChild(string? fileName = null)
    {
        lock (_gate)
        {
            if (_shared is null || _shared.HasExited || _shared.Draining)
            {
                RefuseOnceStopped(fileName);
                _shared = StartChild(solo: false);
                _idle = false;
            }
            return _shared;
        }
    }

    private void Recycle(PipelineChildProcess child, string reason, string why)
    {
        // Once per child: two documents finishing together may both find it too large. (After its document limit it is
        // draining already, from TryReserve.)
        if (!child.Drain() && reason == RecycledForMemory)
        {
            return;
        }
        _logger.LogInformation("Recycling pipeline child {ProcessId}: {Why}; it finishes its {Count} document(s) in flight", child.ProcessId, why, child.InFlight);
        Interlocked.Increment(ref _recycled);
        _recycledByReason.AddOrUpdate(reason, 1, (_, n) => n + 1);
        lock (_gate)
        {
            if (ReferenceEquals(_shared, child) && !_stopping.IsCancellationRequested)
            {
                // Started now, so it is loading the model while the old one finishes.
                _shared = StartChild(solo: false);
            }
        }
    }

    /// <summary>
    /// Once stopped, no child is started: a document that reaches the supervisor now (its consumer outlived the bus, or
    /// the container is disposed under a host still stopping) is handed back as a transient failure — tried again, or
    /// redelivered to another worker — never run in a child that nothing would stop again.
    /// </summary>
    private void RefuseOnceStopped(string? fileName)
    {
        if (_stopping.IsCancellationRequested)
        {
            throw new AnnotationException(FailureReason.Cancelled,
                $"'{fileName ?? "the document"}' was not started: the worker is stopping.", retryable: true);
        }
    }

    private PipelineChildProcess StartChild(bool solo)
    {
        if (Interlocked.Exchange(ref _swept, 1) == 0)
        {
            // Before the first child: the folders children of a killed worker left.
            if (OwnedTemporaryFolder.Sweep(_temporaryRoot, PipelineChildProcess.ChildFolderPrefix) is > 0 and var removed)
            {
                _logger.LogInformation("Removed {Count} temporary folder(s) of pipeline children whose worker had stopped before it could", removed);
            }
        }
        var child = PipelineChildProcess.Start(_launch, _temporaryRoot, solo, OnExited, _loggers, _time, _metrics);
        child.CachesReleased += OnCachesReleased;
        Interlocked.Increment(ref _started);
        _children.Add(child);
        _ = child.Ready.ContinueWith(t => Volatile.Write(ref _lastHello, t.Result), CancellationToken.None,
            TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
        return child;
    }

    private void OnExited(PipelineChildProcess child, string? reason)
    {
        lock (_gate)
        {
            _children.Remove(child);
            if (reason is null)
            {
                return;
            }
            _deaths.Enqueue((_time.GetUtcNow(), reason));
            _deathsByReason.AddOrUpdate(reason, 1, (_, n) => n + 1);
            // A shared child that had said hello is replaced at once, so the next document finds one ready. One that died
            // before its hello is not: a child that cannot start would otherwise be restarted in a loop.
            if (ReferenceEquals(_shared, child) && child.Ready.IsCompletedSuccessfully && !_stopping.IsCancellationRequested)
            {
                _shared = StartChild(solo: false);
            }
        }
    }

    private async Task WatchAsync()
    {
        using var timer = new PeriodicTimer(WatchInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token))
            {
                List<PipelineChildProcess> children;
                lock (_gate)
                {
                    children = _children.Where(c => !c.HasExited).ToList();
                }
                foreach (var child in children)
                {
                    Watch(child);
                }
                StopIfIdle();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Watch(PipelineChildProcess child)
    {
        if (child.Ready.IsCompletedSuccessfully && child.SinceHeartbeat > _options.HeartbeatTimeout)
        {
            child.Kill(FailureReason.Crashed, $"it sent no heartbeat for {child.SinceHeartbeat.TotalSeconds:0} s");
            return;
        }
        if (child.ResidentMegabytes() is not { } megabytes)
        {
            return;
        }
        if (megabytes > _options.MemoryCapMegabytes)
        {
            child.Kill(FailureReason.OutOfMemory, $"it used {megabytes} MiB, over the cap of {_options.MemoryCapMegabytes} MiB");
        }
        else
        {
            // Also here, for a child whose documents run long; most are caught as each document finishes.
            RecycleIfLarge(child, megabytes);
        }
    }

    private void StopIfIdle()
    {
        PipelineChildProcess idle;
        lock (_gate)
        {
            if (_options.IdleStopAfter <= TimeSpan.Zero || _shared is not { HasExited: false, Draining: false, InFlight: 0 } shared
                || !shared.Ready.IsCompletedSuccessfully || _stopping.IsCancellationRequested
                || _time.GetElapsedTime(Volatile.Read(ref _lastActivity)) < _options.IdleStopAfter)
            {
                return;
            }
            // Not replaced: the next document starts a fresh child (SharedChild). A document that took this one a moment
            // ago finds it draining and starts one too (RunSharedAsync).
            idle = shared;
            _shared = null;
            _idle = true;
        }
        if (idle.Drain())
        {
            Interlocked.Increment(ref _idleStops);
            _logger.LogInformation("Stopping pipeline child {ProcessId}: no document for {Idle}; the next document starts a fresh one", idle.ProcessId,
                _options.IdleStopAfter);
        }
    }

    private void RecycleIfLarge(PipelineChildProcess child, long? megabytes = null)
    {
        // Only a child that has annotated something: a fresh one over the threshold would only be replaced by another just
        // as large, in a loop (the threshold is below a child's own size; the log says so once).
        if (child.Draining || child.Solo || child.HasExited || child.Documents == 0
            || (megabytes ?? child.ResidentMegabytes()) is not { } size || size <= _options.RecycleAboveMegabytes)
        {
            return;
        }
        Recycle(child, RecycledForMemory, $"it uses {size} MiB, over {_options.RecycleAboveMegabytes} MiB");
        if (child.Documents == 1 && Interlocked.Exchange(ref _warnedSmallThreshold, 1) == 0)
        {
            _logger.LogWarning("A pipeline child went over {Threshold} MiB (Annotate:Worker:Isolation:RecycleAboveMegabytes) with its first document: " +
                "if that is its size at rest, every document now costs a fresh child and a model load", _options.RecycleAboveMegabytes);
        }
    }

    /// <summary>Stops the children: each ends once it has nothing in flight; those still running after the grace are killed.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }
        await _stopping.CancelAsync();
        List<PipelineChildProcess> children;
        lock (_gate)
        {
            children = _children.ToList();
            _shared = null;
        }
        foreach (var child in children)
        {
            child.Drain();
        }
        try
        {
            await Task.WhenAll(children.Select(c => c.Exited)).WaitAsync(grace, _time);
        }
        catch (TimeoutException)
        {
        }
        foreach (var child in children.Where(c => !c.HasExited))
        {
            child.Kill(FailureReason.Cancelled, "the worker is stopping");
        }
        await Task.WhenAll(children.Select(c => c.Exited)).WaitAsync(TimeSpan.FromSeconds(10), _time).ContinueWith(_ => { }, TaskScheduler.Default);
        if (_watch is { } watch)
        {
            await watch;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        // Not disposed: a document still finishing may touch them, and they hold no unmanaged resources.
        await StopAsync(TimeSpan.FromSeconds(5));
    }

    private const string ChildCallCountThresholdVariable = "DOTNET_TC_CallCountThreshold";

    /// <summary>The runtime's own call count threshold, which the children run with (<see cref="LaunchFor"/>).</summary>
    private const string DefaultCallCountThreshold = "30";

    /// <summary>
    /// The child is this very worker assembly started by the dotnet host with <c>--pipeline-child</c>: in the worker's
    /// folder, and in the gateway's (which runs the worker in-process and carries Annotate.Worker.dll with its runtime
    /// configuration). The worker's settings travel in the environment.
    /// </summary>
    private static ChildLaunch LaunchFor(IConfiguration configuration, string environmentName, bool serverGarbageCollection)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["DOTNET_ENVIRONMENT"] = environmentName,
            // Over the runtimeconfig's workstation GC, which the worker and the gateway keep (IsolationOptions.ServerGarbageCollection).
            ["DOTNET_gcServer"] = serverGarbageCollection ? "1" : "0",
        };
        // The runtime's default back, over the runtimeconfig's 1,000 calls that suit the worker's and the gateway's light
        // code (Worker.csproj): the child's per-word and per-page methods are optimised as soon as they are hot. Unless
        // the operator chose a threshold in the environment, which the child then inherits.
        if (Environment.GetEnvironmentVariable(ChildCallCountThresholdVariable) is null)
        {
            environment[ChildCallCountThresholdVariable] = DefaultCallCountThreshold;
        }
        if (serverGarbageCollection)
        {
            // DATAS: one heap at rest, more under load (on by default with server GC since .NET 9; said, not assumed).
            environment["DOTNET_GCDynamicAdaptationMode"] = "1";
        }
        foreach (var section in new[] { "Annotate", "Logging" })
        {
            foreach (var (key, value) in configuration.GetSection(section).AsEnumerable())
            {
                if (value is not null)
                {
                    environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
                }
            }
        }
        var assembly = typeof(PipelineSupervisor).Assembly.Location;
        return new ChildLaunch(DotnetHost(), [.. HostArguments(assembly), assembly, ChildProtocol.ChildArgument], Environment.CurrentDirectory, environment);
    }

    /// <summary>
    /// The runtime configuration and dependencies of the application running now, when they sit beside the worker
    /// assembly: a gateway's include the ASP.NET Core framework and every assembly the worker needs (which the worker's own
    /// runtimeconfig, copied into the gateway's folder, does not find there). Otherwise the worker's own apply.
    /// </summary>
    private static IEnumerable<string> HostArguments(string assembly)
    {
        var folder = Path.GetDirectoryName(assembly);
        if (folder is null || System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name is not { } entry)
        {
            return [];
        }
        var deps = Path.Combine(folder, entry + ".deps.json");
        var runtimeConfig = Path.Combine(folder, entry + ".runtimeconfig.json");
        return File.Exists(deps) && File.Exists(runtimeConfig) ? ["exec", "--runtimeconfig", runtimeConfig, "--depsfile", deps] : [];
    }

    /// <summary>The dotnet host running this process, or the one beside the runtime in use.</summary>
    private static string DotnetHost()
    {
        var name = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "dotnet.exe" : "dotnet";
        if (Environment.ProcessPath is { } current && Path.GetFileName(current) == name)
        {
            return current;
        }
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && File.Exists(hostPath))
        {
            return hostPath;
        }
        // <root>/shared/Microsoft.NETCore.App/<version>/ → <root>/dotnet
        var beside = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", "..", name));
        return File.Exists(beside) ? beside : name;
    }
}

/// <summary>What the health check reports about the pipeline children.</summary>
/// <param name="Alive">Children running now.</param>
/// <param name="SharedReady">Whether the child that takes new documents is ready.</param>
/// <param name="DeathsLastHour">Children that died or were killed in the last hour (each was replaced).</param>
/// <param name="DeathsByReason">Children that died or were killed since the worker started, by reason.</param>
/// <param name="Model">The last child's hello: the model it holds.</param>
/// <param name="StoppedIdle">Whether the child was stopped for want of documents and none has been started since.</param>
/// <param name="SharedWarmedUp">Whether the child that takes new documents has finished its warm-up.</param>
internal sealed record SupervisorState(int Alive, bool SharedReady, int DeathsLastHour, IReadOnlyDictionary<string, int> DeathsByReason, ChildHello? Model,
    bool StoppedIdle = false, bool SharedWarmedUp = false);
