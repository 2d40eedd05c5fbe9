using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Annotate.Annotators.Embeddings;
using Annotate.Annotators.Pipeline;
using Annotate.Hosting;
using Annotate.Hosting.Telemetry;
using Microsoft.Extensions.Logging;

namespace Annotate.Worker.Isolation;

/// <summary>
/// The worker's handle on one pipeline child: starts it, sends it documents, reads its answers, heartbeats and logs,
/// and kills its whole process group. When it dies, every document it had fails with <see cref="ChildDiedException"/>.
/// </summary>
internal sealed class PipelineChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly ILogger _logger;
    private readonly ILoggerFactory _loggers;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, PendingDocument> _pending = new();
    private readonly AnnotateMetrics? _metrics;
    private readonly TaskCompletionSource<ChildHello> _hello = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<string?> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Lock _stateLock = new();
    private long _lastHeartbeat;
    private string? _killReason;
    private string? _killMessage;
    private bool _draining;
    private bool _inputClosed;
    private int _documents;
    private int _reserved;
    private ChildDiedException? _dead;
    private readonly Action<PipelineChildProcess, string?> _onExit;
    private readonly OwnedTemporaryFolder _temporary;

    private PipelineChildProcess(Process process, OwnedTemporaryFolder temporary, bool solo, Action<PipelineChildProcess, string?> onExit, ILoggerFactory loggers,
        TimeProvider time, AnnotateMetrics? metrics)
    {
        _temporary = temporary;
        _metrics = metrics;
        _onExit = onExit;
        _process = process;
        Solo = solo;
        _loggers = loggers;
        _logger = loggers.CreateLogger<PipelineChildProcess>();
        _time = time;
        _lastHeartbeat = time.GetTimestamp();
        ProcessId = process.Id;
        StartedAt = time.GetUtcNow();
    }

    /// <summary>
    /// Start of the name of each child's temporary folder (its TMPDIR), deleted when it exits: whatever it and the programs
    /// it starts leave there (row spills, shared strings, the encoder's model copy, the warm-up's files, OCR pages) goes
    /// with it, killed or not.
    /// </summary>
    internal const string ChildFolderPrefix = "annotate-child-";

    /// <summary>The child's process id, which is also its process group id.</summary>
    public int ProcessId { get; }

    /// <summary>True for a child that runs one document at a time (the retries of documents whose child died).</summary>
    public bool Solo { get; }

    /// <summary>When it started.</summary>
    public DateTimeOffset StartedAt { get; }

    /// <summary>Completes with the child's hello; throws <see cref="ChildDiedException"/> when it dies first.</summary>
    public Task<ChildHello> Ready => _hello.Task;

    /// <summary>Completes when the process has exited and its documents were failed; the result is why it was killed, or null.</summary>
    public Task<string?> Exited => _exited.Task;

    public bool HasExited => _exited.Task.IsCompleted;

    public bool Draining
    {
        get
        {
            lock (_stateLock)
            {
                return _draining;
            }
        }
    }

    /// <summary>Raised when the child has given back what it loads on first use after sitting idle.</summary>
    public event Action<PipelineChildProcess, ChildReleased>? CachesReleased;

    private readonly TaskCompletionSource _warmedUp = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>True once the child's warm-up after its hello is over (<see cref="ChildProtocol.WarmedUp"/>).</summary>
    public bool WarmedUp => _warmedUp.Task.IsCompleted;

    /// <summary>Completes when the child's warm-up after its hello is over; never, for a child that dies first.</summary>
    public Task WarmUp => _warmedUp.Task;

    /// <summary>Documents sent to this child so far.</summary>
    public int Documents => Volatile.Read(ref _documents);

    /// <summary>Documents in flight.</summary>
    public int InFlight => Volatile.Read(ref _reserved);

    /// <summary>
    /// Documents sent to the child that it has not answered yet. Unlike <see cref="InFlight"/>, which gives a place back
    /// when the caller has taken the answer, this follows the child's frames in their order: once the frame reader has
    /// an answer, the document no longer counts, before any frame after it is read.
    /// </summary>
    public int AwaitingAnswer => _pending.Values.Count(p => !p.Answer.Task.IsCompleted);

    /// <summary>Time since the last heartbeat (or since the start).</summary>
    public TimeSpan SinceHeartbeat => _time.GetElapsedTime(Interlocked.Read(ref _lastHeartbeat));

    /// <summary>
    /// Starts a child: <c>dotnet Annotate.Worker.dll --pipeline-child</c>, with the worker's settings in its environment
    /// and a temporary folder of its own in <paramref name="temporaryRoot"/>, deleted when it exits.
    /// </summary>
    /// <remarks>
    /// What the child reports of its work (model tokens, pages, rows, stage times) is recorded in <paramref name="metrics"/>,
    /// the worker's own, when there are any: the child serves no metrics.
    /// </remarks>
    public static PipelineChildProcess Start(ChildLaunch launch, string temporaryRoot, bool solo, Action<PipelineChildProcess, string?> onExit, ILoggerFactory loggers, TimeProvider time,
        AnnotateMetrics? metrics)
    {
        var info = new ProcessStartInfo(launch.Host)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = launch.WorkingDirectory,
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = new UTF8Encoding(false),
            StandardErrorEncoding = new UTF8Encoding(false),
        };
        foreach (var argument in launch.Arguments)
        {
            info.ArgumentList.Add(argument);
        }
        // The worker's settings as it sees them (files, environment, command line, tests' in-memory values), and nothing
        // inherited that could contradict them.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("Annotate__", StringComparison.OrdinalIgnoreCase)
            || k.StartsWith("Logging__", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            info.Environment.Remove(key);
        }
        foreach (var (key, value) in launch.Environment)
        {
            info.Environment[key] = value;
        }
        // The child runs the sentence encoder: ONNX Runtime's telemetry off before it starts (see OnnxRuntimeTelemetry).
        info.Environment[OnnxRuntimeTelemetry.Variable] = "1";
        var temporary = OwnedTemporaryFolder.Create(temporaryRoot, ChildFolderPrefix);
        Process process;
        try
        {
            foreach (var (key, value) in temporary.Environment())
            {
                info.Environment[key] = value;
            }
            process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start '{launch.Host}'.");
        }
        catch
        {
            temporary.Dispose();
            throw;
        }
        var child = new PipelineChildProcess(process, temporary, solo, onExit, loggers, time, metrics);
        child._logger.LogInformation("Pipeline child {ProcessId} started{Solo}", child.ProcessId, solo ? " (for retries, one document at a time)" : "");
        _ = Task.Run(child.ReadFramesAsync);
        _ = Task.Run(child.ReadLogsAsync);
        return child;
    }

    /// <summary>Sends a document and waits for its answer; on cancellation asks the child to stop, then kills it after <paramref name="cancelGrace"/>.</summary>
    /// <remarks>The caller has reserved a place with <see cref="TryReserve"/>; it is given back here, whatever happens.</remarks>
    public async Task<ChildFrame> RunAsync(string requestId, ChildRun run, TimeSpan cancelGrace, CancellationToken cancellationToken)
    {
        try
        {
            return await SendAndWaitAsync(requestId, run, cancelGrace, cancellationToken);
        }
        finally
        {
            lock (_stateLock)
            {
                _reserved--;
            }
            CloseInputIfDrained();
        }
    }

    private async Task<ChildFrame> SendAndWaitAsync(string requestId, ChildRun run, TimeSpan cancelGrace, CancellationToken cancellationToken)
    {
        var pending = new PendingDocument(run.FileName);
        var answer = pending.Answer;
        lock (_stateLock)
        {
            if (_dead is { } died)
            {
                // Died between the caller's checks and now: its pending documents were already failed.
                throw died;
            }
            _pending[requestId] = pending;
        }
        await SendAsync(new ChildFrame { Type = ChildProtocol.Run, RequestId = requestId, Run = run });
        try
        {
            return await answer.Task.WaitAsync(cancellationToken);
        }
        catch (ChildDiedException died)
        {
            // Where this document had got to is its own: the death is shared by every document the child had.
            throw new ChildDiedException(died.Reason, died.Message) { Stage = pending.Progress?.Stage };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await SendAsync(new ChildFrame { Type = ChildProtocol.Cancel, RequestId = requestId });
            try
            {
                await answer.Task.WaitAsync(cancelGrace, _time, CancellationToken.None);
            }
            catch (TimeoutException)
            {
                // A parser stuck in a loop or a native call cannot be cancelled: the child goes, with the documents it
                // shares (they are retried elsewhere).
                Kill(FailureReason.Timeout, $"'{run.FileName}' did not stop within {cancelGrace.TotalSeconds:0.#} s of being cancelled");
                // The document fails once its child is gone and counted (bounded: SIGKILL is not refused).
                await Exited.WaitAsync(TimeSpan.FromSeconds(30), _time, CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);
            }
            catch (ChildDiedException)
            {
                // It died meanwhile: the document was cancelled all the same.
            }
            throw;
        }
        finally
        {
            _pending.TryRemove(requestId, out _);
        }
    }

    /// <summary>Counts a document about to be sent; false when the child no longer takes documents.</summary>
    public bool TryReserve(int recycleAfter, out bool recycleNow)
    {
        lock (_stateLock)
        {
            recycleNow = false;
            if (_draining || HasExited)
            {
                return false;
            }
            _documents++;
            _reserved++;
            if (_documents >= recycleAfter)
            {
                _draining = true;
                recycleNow = true;
            }
            return true;
        }
    }

    /// <summary>Takes no more documents; the child ends once the ones it has are done. False when it was draining already.</summary>
    public bool Drain()
    {
        bool started;
        lock (_stateLock)
        {
            started = !_draining;
            _draining = true;
        }
        CloseInputIfDrained();
        return started;
    }

    private void CloseInputIfDrained()
    {
        lock (_stateLock)
        {
            // Reserved rather than pending: a document counted but not yet sent must still find the input open.
            if (!_draining || _inputClosed || _reserved > 0)
            {
                return;
            }
            _inputClosed = true;
        }
        _ = Task.Run(async () =>
        {
            await _writeLock.WaitAsync();
            try
            {
                _process.StandardInput.Close();
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException)
            {
                // Already gone.
            }
            finally
            {
                _writeLock.Release();
            }
        });
    }

    /// <summary>Releases the write lock; the process itself is disposed when it has exited.</summary>
    public void Dispose() => _writeLock.Dispose();

    /// <summary>
    /// Resident memory of the child in MiB, or null when it cannot be read: the second field of <c>/proc/&lt;pid&gt;/statm</c>
    /// (resident pages, the figure <c>VmRSS</c> shows in <c>status</c>), a few bytes to read and parse, after every document.
    /// </summary>
    public long? ResidentMegabytes() => ResidentBytes() / (1024 * 1024);

    /// <summary>The child's resident memory in bytes, or null when it cannot be read (it has exited).</summary>
    public long? ResidentBytes() => ProcessMemory.ResidentBytes(ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Kills the child's whole process group; the first reason given is the one its documents fail with.</summary>
    public void Kill(string reason, string message)
    {
        lock (_stateLock)
        {
            if (_killReason is not null || HasExited)
            {
                return;
            }
            _killReason = reason;
            _killMessage = message;
        }
        _logger.LogWarning("Killing pipeline child {ProcessId} ({Reason}): {Message}", ProcessId, reason, message);
        var killed = false;
        try
        {
            // The child made itself a process group leader: its group id is its pid.
            killed = NativeMethods.kill(-ProcessId, NativeMethods.SigKill) == 0;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
        }
        if (!killed)
        {
            try
            {
                _process.Kill(entireProcessTree: true);
            }
            catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Exited meanwhile.
            }
        }
    }

    private async Task SendAsync(ChildFrame frame)
    {
        var line = ChildProtocol.Write(frame);
        await _writeLock.WaitAsync();
        try
        {
            // The process's input writer flushes on every write: one write to the pipe per frame, no second flush.
            await _process.StandardInput.WriteLineAsync(line);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The pipe is broken: the child is dead or dying, and its exit fails the documents it had.
            Kill(FailureReason.Crashed, "its input pipe broke");
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task ReadFramesAsync()
    {
        try
        {
            while (await _process.StandardOutput.ReadLineAsync() is { } line)
            {
                if (ChildProtocol.Read(line) is not { } frame)
                {
                    continue;
                }
                // Any frame says the child is alive and answering.
                Interlocked.Exchange(ref _lastHeartbeat, _time.GetTimestamp());
                if (frame.Usage is { } usage)
                {
                    _metrics?.ModelTokens(usage.TokensIn, usage.TokensOut);
                }
                switch (frame.Type)
                {
                    case ChildProtocol.Progress when frame.RequestId is { } id && frame.Progress is { } progress:
                        if (_pending.TryGetValue(id, out var running))
                        {
                            running.Progress = progress;
                            _logger.LogDebug("[child {ProcessId}] {FileName}  {Stage} {State}  {Pages} page(s), {Rows} row(s) so far", ProcessId, running.FileName,
                                progress.Stage, progress.Finished ? "finished" : "started", progress.Pages ?? 0, progress.Rows);
                        }
                        break;
                    case ChildProtocol.WarmedUp:
                        _logger.LogInformation("Pipeline child {ProcessId} warmed up", ProcessId);
                        _warmedUp.TrySetResult();
                        break;
                    case ChildProtocol.Released when frame.Released is { } released:
                        _logger.LogInformation("Pipeline child {ProcessId} released {Items} while idle: resident {Before} → {After} MiB in {Milliseconds:0} ms",
                            ProcessId, string.Join(", ", released.Items), released.ResidentMegabytesBefore, released.ResidentMegabytesAfter, released.Ms);
                        CachesReleased?.Invoke(this, released);
                        break;
                    case ChildProtocol.Hello when frame.Hello is { } hello:
                        if (hello.Version != ChildProtocol.Version)
                        {
                            Kill(FailureReason.Crashed, $"it speaks protocol version {hello.Version}, not {ChildProtocol.Version}");
                            break;
                        }
                        _logger.LogInformation("Pipeline child {ProcessId} ready in {Seconds:0.00} s; model {State}{Name}", ProcessId,
                            hello.StartMs / 1000, hello.ModelState, hello.ModelName is { } name ? $" ({name})" : "");
                        _hello.TrySetResult(hello);
                        break;
                    case ChildProtocol.Result or ChildProtocol.Error when frame.RequestId is { } id:
                        var known = _pending.TryGetValue(id, out var answered);
                        if (!known || answered!.TryMarkRecorded())
                        {
                            RecordWork(frame.Result, frame.Progress);
                        }
                        answered?.Answer.TrySetResult(frame);
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
        }
        await _process.WaitForExitAsync();
        // Whatever it left in its temporary folder (a killed child deletes nothing), before anyone hears of its end.
        _temporary.Dispose();
        string reason;
        string message;
        bool expected;
        lock (_stateLock)
        {
            expected = _killReason is null && _inputClosed;
            reason = _killReason ?? FailureReason.Crashed;
            message = _killMessage ?? $"it exited with code {ExitCode()}";
        }
        if (expected)
        {
            _logger.LogInformation("Pipeline child {ProcessId} finished its documents and exited", ProcessId);
        }
        else
        {
            _logger.LogWarning("Pipeline child {ProcessId} died ({Reason}: {Message}) with {Count} document(s) in flight", ProcessId, reason, message, _pending.Count);
        }
        var died = new ChildDiedException(reason, message);
        lock (_stateLock)
        {
            _dead = died;
        }
        // Before its documents hear of it: whoever sees a document fail finds the death counted and a replacement starting.
        _onExit(this, expected ? null : reason);
        _hello.TrySetException(died);
        foreach (var (_, pending) in _pending)
        {
            // What it had done before the child died was done all the same.
            if (pending.TryMarkRecorded())
            {
                RecordWork(null, pending.Progress);
            }
            pending.Answer.TrySetException(died);
        }
        _exited.TrySetResult(expected ? null : reason);
        _process.Dispose();
    }

    /// <summary>Records the pages, rows and stage times of a document the child finished with: its result, or how far it got.</summary>
    private void RecordWork(ChildResult? result, ChildProgress? progress)
    {
        if (_metrics is null)
        {
            return;
        }
        if (result is not null)
        {
            _metrics.ChildDocument(result.Digest.Format, result.Digest.Pages, result.Digest.Rows, result.ReadMs, result.AnnotateMs, result.WriteMs);
        }
        else if (progress is not null)
        {
            _metrics.ChildDocument(progress.Format, progress.Pages, progress.Rows, progress.ReadMs, progress.AnnotateMs, progress.WriteMs);
        }
    }

    private int ExitCode()
    {
        try
        {
            return _process.ExitCode;
        }
        catch (InvalidOperationException)
        {
            return -1;
        }
    }

    /// <summary>Forwards the child's log lines to the worker's log, under their own categories.</summary>
    private async Task ReadLogsAsync()
    {
        var raw = _loggers.CreateLogger("Annotate.Worker.Isolation.PipelineChild");
        try
        {
            while (await _process.StandardError.ReadLineAsync() is { } line)
            {
                ChildLogLine? entry = null;
                if (line.StartsWith('{'))
                {
                    try
                    {
                        entry = JsonSerializer.Deserialize<ChildLogLine>(line, ChildLogLine.Json);
                    }
                    catch (JsonException)
                    {
                    }
                }
                if (entry is null)
                {
                    // Native libraries and the runtime's own last words (a stack overflow, an abort) are plain text.
                    raw.LogWarning("[child {ProcessId}] {Line}", ProcessId, line);
                    continue;
                }
                var logger = _loggers.CreateLogger(entry.Category);
                if (logger.IsEnabled(entry.Level))
                {
                    logger.Log(entry.Level, "[child {ProcessId}] {Message}{Exception}", ProcessId, entry.Message,
                        entry.Exception is { } exception ? Environment.NewLine + exception : "");
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }
}

/// <summary>A document sent to a child: the answer awaited, and the progress the child last reported.</summary>
internal sealed class PendingDocument(string fileName)
{
    public string FileName { get; } = fileName;

    public TaskCompletionSource<ChildFrame> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ChildProgress? Progress
    {
        get => Volatile.Read(ref _progress);
        set => Volatile.Write(ref _progress, value);
    }

    private ChildProgress? _progress;
    private int _recorded;

    /// <summary>True the first time: the document's work goes into the metrics once, whether it answered or its child died.</summary>
    public bool TryMarkRecorded() => Interlocked.Exchange(ref _recorded, 1) == 0;
}

/// <summary>How to start a pipeline child: the program, its arguments, folder and environment.</summary>
internal sealed record ChildLaunch(string Host, IReadOnlyList<string> Arguments, string WorkingDirectory, IReadOnlyDictionary<string, string> Environment);
