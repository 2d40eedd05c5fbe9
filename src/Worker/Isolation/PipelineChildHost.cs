using System.Diagnostics;
using System.Text;
using Annotate.Annotators;
using Annotate.Annotators.Builtin;
using Annotate.Annotators.Memory;
using Annotate.Annotators.Models;
using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Readers;
using Annotate.Annotators.Semantic;
using Annotate.Hosting;
using Annotate.Worker.Storage;
using Annotate.Worker.Pipeline;
using Annotate.Worker.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Win32.SafeHandles;

namespace Annotate.Worker.Isolation;

/// <summary>
/// The pipeline child: the worker executable started with <c>--pipeline-child</c>. Holds the engine (readers, annotators,
/// writers, the language model loaded once) and annotates the documents the worker sends over stdin, answering on stdout
/// (see <see cref="ChildProtocol"/>). It takes its settings from the environment the worker gives it, not from files.
/// </summary>
public static class PipelineChildHost
{
    /// <summary>True when <paramref name="args"/> start the process as a pipeline child.</summary>
    public static bool IsChild(string[] args) => args.Contains(ChildProtocol.ChildArgument, StringComparer.Ordinal);

    /// <summary>Runs the child until the worker closes its stdin and the documents in flight are done.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var started = Stopwatch.GetTimestamp();
        // Its own process group, so the worker can kill it with everything it started.
        TryNative(() => NativeMethods.setpgid(0, 0));
        var protocolOut = ProtocolOutput();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = args.Where(a => a != ChildProtocol.ChildArgument).ToArray(),
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") ?? Environments.Production,
        });
        builder.Configuration.AddEnvironmentVariables();
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Logging.AddProvider(new ChildStderrLoggerProvider());
        builder.Services.AddAnnotators();
        // The duplicates annotator compares with the documents every worker has seen, kept in the shared blob store.
        builder.Services.AddAnnotateBlobStore();
        builder.Services.TryAddSingleton<IDocumentVectorIndex, BlobDocumentVectorIndex>();
        builder.Services.AddOptions<FaultInjectionOptions>().BindConfiguration(FaultInjectionOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<FaultInjectionOptions>>(sp => new FaultInjectionValidator(sp.GetService<IHostEnvironment>()));
        builder.Services.AddSingleton<FaultInjection>();
        builder.Services.AddSingleton<InProcessDocumentRunner>();
        using var host = builder.Build();
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Annotate.Worker.Isolation.PipelineChild");
        try
        {
            await host.StartAsync();
            var model = host.Services.GetRequiredService<ILanguageModel>();
            await model.WaitUntilLoadedAsync(CancellationToken.None);
            // Ready means ready: the language detector is built once per process too, and the first documents would
            // otherwise spend their time limit waiting for it.
            using (host.Services.GetRequiredService<LanguageDetectorProvider>().Acquire())
            {
            }
            // The worker checked its settings, which the child gets in its environment.
            var isolation = builder.Configuration.GetSection(IsolationOptions.Section).Get<IsolationOptions>() ?? new IsolationOptions();
            var interval = isolation.HeartbeatInterval > TimeSpan.Zero ? isolation.HeartbeatInterval : TimeSpan.FromSeconds(1);
            using var server = new ChildServer(host.Services.GetRequiredService<InProcessDocumentRunner>(), protocolOut, interval,
                new IdleRelease(host.Services.GetServices<IReleasableWhenIdle>().ToList(), isolation.ReleaseCachesAfter),
                new ChildWarmUp(host.Services.GetRequiredService<EngineWarmUp>(), isolation.RecycleAboveMegabytes, isolation.WarmUpWorkbookRows, isolation.WarmUpPdfPages), TimeProvider.System, logger);
            await server.RunAsync(Console.OpenStandardInput(), model.Status, Stopwatch.GetElapsedTime(started));
            await host.StopAsync();
            return 0;
        }
        catch (Exception ex)
        {
            logger.LogCritical(ex, "The pipeline child could not start or run");
            return 1;
        }
    }

    /// <summary>
    /// The protocol's stream: the process's stdout, moved to a descriptor of its own; descriptor 1 then points at stderr,
    /// so whatever a native library prints cannot break a frame.
    /// </summary>
    private static Stream ProtocolOutput()
    {
        var copy = -1;
        TryNative(() => copy = NativeMethods.dup(1));
        if (copy >= 0 && TryNative(() => NativeMethods.dup2(2, 1)) == 1)
        {
            Console.SetOut(Console.Error);
            return new FileStream(new SafeFileHandle(copy, ownsHandle: true), FileAccess.Write, bufferSize: 0);
        }
        return Console.OpenStandardOutput();
    }

    private static int TryNative(Func<int> call)
    {
        try
        {
            return call();
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return -1;
        }
    }

    /// <summary>Reads run and cancel frames, annotates documents concurrently, answers each with a result or an error.</summary>
    private sealed class ChildServer(InProcessDocumentRunner runner, Stream output, TimeSpan heartbeatInterval, IdleRelease release,
        ChildWarmUp warmUp, TimeProvider time, ILogger logger) : IDisposable
    {
        private readonly CancellationTokenSource _stopWarmUp = new();
        private readonly Lock _writeLock = new();
        private readonly Dictionary<string, RunningDocument> _running = [];
        private readonly ModelUsageListener _usage = new();

        /// <summary>Completed while no document is in flight (guarded by <see cref="_running"/>).</summary>
        private TaskCompletionSource _noDocument = Completed();

        public void Dispose()
        {
            _usage.Dispose();
            _stopWarmUp.Dispose();
        }

        public async Task RunAsync(Stream input, ModelStatus model, TimeSpan startTime)
        {
            Send(new ChildFrame
            {
                Type = ChildProtocol.Hello,
                Hello = new ChildHello
                {
                    Version = ChildProtocol.Version,
                    ProcessId = Environment.ProcessId,
                    ModelState = model.State,
                    ModelAvailable = model.IsAvailable,
                    ModelSha256 = model.Sha256,
                    ModelReason = model.Reason,
                    ModelName = model.Name,
                    StartMs = startTime.TotalMilliseconds,
                    ServerGarbageCollection = System.Runtime.GCSettings.IsServerGC,
                },
            });
            using var stopHeartbeat = new ManualResetEventSlim();
            // A thread of its own: a thread pool starved by hung parsers still says the process is alive and answering.
            var heartbeat = new Thread(() =>
            {
                do
                {
                    SendHeartbeat();
                    TrimWhenIdle();
                    ReleaseWhenIdle();
                }
                while (!stopHeartbeat.Wait(heartbeatInterval));
            }) { IsBackground = true, Name = "pipeline-child-heartbeat" };
            heartbeat.Start();
            // After the hello: the worker may send documents meanwhile, and they simply share the loads in progress.
            var warming = Task.Run(WarmUpAsync);

            // stdin is read by a thread of its own too. Console streams have no asynchronous read: ReadLineAsync would
            // block a thread-pool thread for the child's whole life, one of the few (as many as cores) the documents need.
            var documents = new List<Task>();
            var inputClosed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var reader = new Thread(() =>
            {
                try
                {
                    ReadFrames(input, documents);
                }
                catch (Exception ex) when (ex is IOException or ObjectDisposedException)
                {
                }
                finally
                {
                    inputClosed.TrySetResult();
                }
            }) { IsBackground = true, Name = "pipeline-child-input" };
            reader.Start();
            await inputClosed.Task;

            // stdin closed. The worker closes it once this child has nothing in flight (a recycle or a stop): then this
            // ends at once. Documents still running mean the worker itself is gone: nobody will read their results, so
            // they are cancelled and the child ends shortly, hung or not.
            lock (_running)
            {
                foreach (var document in _running.Values)
                {
                    document.Cancellation.Cancel();
                }
            }
            try
            {
                await Task.WhenAll(documents).WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (TimeoutException)
            {
                logger.LogWarning("Documents still running 10 s after the worker went away; the child ends without them");
            }
            await _stopWarmUp.CancelAsync();
            await warming;
            stopHeartbeat.Set();
            heartbeat.Join();
        }

        private void ReadFrames(Stream input, List<Task> documents)
        {
            using var reader = new StreamReader(input, new UTF8Encoding(false));
            while (reader.ReadLine() is { } line)
            {
                if (ChildProtocol.Read(line) is not { } frame || frame.RequestId is not { } id)
                {
                    continue;
                }
                if (frame.Type == ChildProtocol.Run && frame.Run is { } run)
                {
                    var document = new RunningDocument(run);
                    lock (_running)
                    {
                        if (_running.Count == 0)
                        {
                            _noDocument = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                        }
                        _running[id] = document;
                    }
                    documents.Add(Task.Run(() => AnnotateAsync(id, document)));
                }
                else if (frame.Type == ChildProtocol.Cancel)
                {
                    lock (_running)
                    {
                        if (_running.TryGetValue(id, out var document))
                        {
                            document.Cancellation.Cancel();
                        }
                    }
                }
            }
        }

        private async Task AnnotateAsync(string id, RunningDocument document)
        {
            var run = document.Run;
            ChildFrame answer;
            try
            {
                var result = await runner.RunAsync(new AnnotationRequest
                {
                    DocumentId = run.DocumentId,
                    Source = new DocumentSource(run.SourcePath, run.FileName),
                    OutputDirectory = run.OutputDirectory,
                    Profile = run.Profile,
                    Outputs = run.Outputs,
                    ExpectedSha256 = run.ExpectedSha256,
                    SourceSha256 = run.SourceSha256,
                    Progress = document,
                    Examples = run.Examples,
                    PartsDirectory = run.PartsDirectory,
                    Depth = run.Depth,
                    ParentDocumentId = run.ParentDocumentId,
                }, document.Cancellation.Token);
                answer = new ChildFrame
                {
                    Type = ChildProtocol.Result,
                    RequestId = id,
                    Result = new ChildResult
                    {
                        Outputs = result.Outputs.ToList(),
                        Digest = result.Digest,
                        ReadMs = result.ReadTime.TotalMilliseconds,
                        AnnotateMs = result.AnnotateTime.TotalMilliseconds,
                        WriteMs = result.WriteTime.TotalMilliseconds,
                        ProfileFingerprint = result.ProfileFingerprint,
                        ModelSha256 = result.ModelSha256,
                        ModelTokensIn = result.ModelTokensIn,
                        ModelTokensOut = result.ModelTokensOut,
                        Parts = result.Parts.Count > 0 ? result.Parts.ToList() : null,
                    },
                    Usage = _usage.Take(),
                };
            }
            catch (AnnotationException ex)
            {
                answer = Failure(id, document, ChildProtocol.AnnotationError, ex, ex.Reason, ex.Retryable);
            }
            catch (OperationCanceledException ex)
            {
                answer = Failure(id, document, ChildProtocol.CancelledError, ex);
            }
            catch (IOException ex)
            {
                answer = Failure(id, document, ChildProtocol.IoError, ex, retryable: ex is not FileNotFoundException and not DirectoryNotFoundException);
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Unexpected error annotating {FileName}", run.FileName);
                answer = Failure(id, document, ChildProtocol.InternalError, ex);
            }
            finally
            {
                lock (_running)
                {
                    _running.Remove(id);
                    if (_running.Count == 0)
                    {
                        _noDocument.TrySetResult();
                    }
                    _idleBeats = 0;
                    _untrimmed = true;
                    _unreleased = true;
                    _idleSince = time.GetTimestamp();
                }
                document.Cancellation.Dispose();
            }
            Send(answer);
        }

        private bool _warming = true;

        /// <summary>
        /// Compiles the readers and writers on tiny documents and loads the sentence encoder when the profiles use it and
        /// the child has room for it; counts as work in flight, so no trim or release runs meanwhile. It waits between
        /// its steps while documents are in flight: a document that comes during the warm-up has the cores to itself
        /// (it compiles what it needs on its own), and the warm-up goes on once the child is idle again.
        /// </summary>
        private async Task WarmUpAsync()
        {
            try
            {
                await warmUp.RunAsync(logger, WhenNoDocumentAsync, _stopWarmUp.Token);
            }
            catch (OperationCanceledException)
            {
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                logger.LogWarning(ex, "Warming up failed; the first documents load what they need themselves");
            }
            finally
            {
                Send(new ChildFrame { Type = ChildProtocol.WarmedUp });
                lock (_running)
                {
                    _warming = false;
                    _idleBeats = 0;
                    _untrimmed = true;
                    _unreleased = true;
                    _idleSince = time.GetTimestamp();
                }
            }
        }

        private Task WhenNoDocumentAsync(CancellationToken cancellationToken)
        {
            Task idle;
            lock (_running)
            {
                idle = _noDocument.Task;
            }
            return idle.WaitAsync(cancellationToken);
        }

        private static TaskCompletionSource Completed()
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            done.SetResult();
            return done;
        }

        /// <summary>Heartbeats without a document in flight after which the heap is compacted and given back.</summary>
        private const int IdleBeatsBeforeTrim = 2;

        private int _idleBeats;
        private bool _untrimmed;

        /// <summary>
        /// Once the child has had nothing to do for a couple of heartbeats after a document, a full compacting collection
        /// returns the document's buffers (pages, rows, the large-object heap) to the system, so an idle child holds the
        /// runtime, the engine and the model, not the largest document it has read. Not after each document: a stream of
        /// small documents would pay a full collection each.
        /// </summary>
        private void TrimWhenIdle()
        {
            lock (_running)
            {
                if (_running.Count > 0 || _warming || !_untrimmed || ++_idleBeats < IdleBeatsBeforeTrim)
                {
                    return;
                }
                _untrimmed = false;
            }
            ProcessMemory.Compact();
            // What stays loaded but is read again from the file cache at little cost (the encoder's weights, the language
            // models' tables, both mapped from files): the next document faults in what it reads, not all that the last
            // ones read.
            if (release.TrimResident() is { Count: > 0 } trimmed)
            {
                logger.LogInformation("Idle: the pages of mapped files given back ({Trimmed}); the next document reads what it needs of them from the file cache",
                    string.Join(", ", trimmed.Select(t => $"{t.Name} {t.Bytes / (1024 * 1024)} MiB")));
            }
        }

        private bool _unreleased;
        private long _idleSince;

        /// <summary>
        /// Once the child has had no document for <see cref="IsolationOptions.ReleaseCachesAfter"/> since its last one, gives
        /// back what the engine loaded on first use (the sentence encoder, the language detector's models), compacts
        /// and trims, and tells the worker. What a document holds a lease on is not released; a document that comes
        /// meanwhile waits at most for the release, then loads what it needs again.
        /// </summary>
        private void ReleaseWhenIdle()
        {
            if (!release.Enabled)
            {
                return;
            }
            lock (_running)
            {
                if (_running.Count > 0 || _warming || !_unreleased || time.GetElapsedTime(_idleSince) < release.After)
                {
                    return;
                }
                _unreleased = false;
            }
            var started = time.GetTimestamp();
            var before = ProcessMemory.ResidentMegabytes();
            var released = release.Release();
            if (released.Count == 0)
            {
                return;
            }
            ProcessMemory.Compact();
            var after = ProcessMemory.ResidentMegabytes();
            logger.LogInformation("Idle for {Idle}: released {Released}; resident {Before} → {After} MiB", release.After, string.Join(", ", released), before, after);
            Send(new ChildFrame
            {
                Type = ChildProtocol.Released,
                Released = new ChildReleased
                {
                    Items = released,
                    ResidentMegabytesBefore = before,
                    ResidentMegabytesAfter = after,
                    Ms = time.GetElapsedTime(started).TotalMilliseconds,
                },
            });
        }

        private ChildFrame Failure(string id, RunningDocument document, string kind, Exception ex, string? reason = null, bool retryable = false) => new()
        {
            Type = ChildProtocol.Error,
            RequestId = id,
            Error = new ChildError { Kind = kind, Reason = reason, Message = ex.Message, Retryable = retryable, ExceptionType = ex.GetType().FullName },
            Progress = document.Latest,
            Usage = _usage.Take(),
        };

        /// <summary>
        /// The heartbeat, after a progress frame for each document whose stage changed since the last one: progress goes
        /// out at most once a second per document, in the heartbeat's write, so a document of a few milliseconds costs no
        /// frame but its result (which holds every stage's time).
        /// </summary>
        private void SendHeartbeat()
        {
            var frames = new List<ChildFrame>();
            lock (_running)
            {
                foreach (var (id, document) in _running)
                {
                    if (document.TakeUnsent() is { } progress)
                    {
                        frames.Add(new ChildFrame { Type = ChildProtocol.Progress, RequestId = id, Progress = progress });
                    }
                }
            }
            frames.Add(new ChildFrame { Type = ChildProtocol.Heartbeat, Usage = _usage.Take() });
            Send([.. frames]);
        }

        private void Send(params ChildFrame[] frames)
        {
            // Serialized before the lock, and all in one write: one wake-up of the worker's reader for the lot.
            var lines = frames.Select(ChildProtocol.WriteLine).ToList();
            var bytes = lines.Count == 1 ? lines[0] : lines.SelectMany(l => l).ToArray();
            lock (_writeLock)
            {
                try
                {
                    output.Write(bytes);
                }
                catch (IOException)
                {
                    // The worker is gone; nobody is left to answer.
                }
            }
        }
    }

    /// <summary>
    /// The child's warm-up: readers, writers and the local annotators always; the sentence encoder (and the annotators
    /// that use it) when a profile uses it and the child's size
    /// with it stays under half of <see cref="IsolationOptions.RecycleAboveMegabytes"/>, the other half left for documents
    /// (a fresh child is never near the size at which it would be recycled); then a large workbook
    /// (<see cref="IsolationOptions.WarmUpWorkbookRows"/>); last, a long PDF (<see cref="IsolationOptions.WarmUpPdfPages"/>)
    /// and the rest of the PDF library compiled ahead.
    /// </summary>
    private sealed class ChildWarmUp(EngineWarmUp engine, int recycleAboveMegabytes, int workbookRows, int pdfPages)
    {
        /// <summary>What loading the encoder adds to a process's resident memory (issue 10: +349 MB).</summary>
        private const int EncoderMegabytes = 350;

        public async Task RunAsync(ILogger logger, Func<CancellationToken, Task> betweenSteps, CancellationToken cancellationToken)
        {
            var started = Stopwatch.GetTimestamp();
            await engine.WarmReadersAndWritersAsync(cancellationToken, betweenSteps);
            var encoder = "not used by any profile";
            var withEncoder = false;
            if (engine.ProfilesUseEncoder)
            {
                // Measured after any document in flight is done: what it left behind counts.
                await betweenSteps(cancellationToken);
                var size = ProcessMemory.ResidentMegabytes();
                if (size is { } megabytes && megabytes + EncoderMegabytes <= recycleAboveMegabytes / 2)
                {
                    engine.WarmEncoder(cancellationToken);
                    encoder = "loaded";
                    withEncoder = true;
                }
                else
                {
                    encoder = $"left for the first document ({size} MiB + {EncoderMegabytes} MiB would pass half of RecycleAboveMegabytes, {recycleAboveMegabytes})";
                }
            }
            await engine.WarmAnnotatorsAsync(withEncoder, cancellationToken, betweenSteps);
            var workbook = workbookRows <= 0 ? "left out"
                : await engine.WarmLargeWorkbookAsync(workbookRows, withEncoder, cancellationToken, betweenSteps) is { } read ? $"of {workbookRows:N0} rows read, annotated and written (streamed: {read.Sheets.Any(s => s.Streamed)})"
                : "could not be read";
            var pdf = pdfPages <= 0 ? "left out"
                : await engine.WarmLongPdfAsync(pdfPages, withEncoder, cancellationToken, betweenSteps) is { } report ? $"of {report.Pages.Count:N0} pages read, annotated and written"
                : "could not be read";
            if (pdfPages > 0)
            {
                await betweenSteps(cancellationToken);
                pdf += $", the rest of the PDF library compiled ahead ({engine.CompilePdfLibrary(cancellationToken):N0} methods)";
            }
            logger.LogInformation("Warmed up in {Milliseconds:0} ms: readers, writers and local annotators compiled; sentence encoder {Encoder}; large workbook {Workbook}; long PDF {Pdf}; resident {Megabytes} MiB",
                Stopwatch.GetElapsedTime(started).TotalMilliseconds, encoder, workbook, pdf, ProcessMemory.ResidentMegabytes());
        }
    }

    /// <summary>What the child gives back when idle, and after how long (<see cref="IsolationOptions.ReleaseCachesAfter"/>).</summary>
    private sealed class IdleRelease(IReadOnlyList<IReleasableWhenIdle> releasables, TimeSpan after)
    {
        public TimeSpan After { get; } = after;

        public bool Enabled => After > TimeSpan.Zero && releasables.Count > 0;

        /// <summary>Releases each one that nothing holds; the names of those released.</summary>
        public List<string> Release() => releasables.Where(r => r.TryRelease()).Select(r => r.ReleaseName).ToList();

        /// <summary>Gives back the pages each one can read again from the file cache (<see cref="IReleasableWhenIdle.TrimResident"/>), released or not; the bytes advised by each that advised any.</summary>
        public List<(string Name, long Bytes)> TrimResident() =>
            releasables.Select(r => (Name: r.ReleaseName, Bytes: r.TrimResident())).Where(t => t.Bytes > 0).ToList();
    }

    /// <summary>A document the child is annotating: its cancellation, and its progress not yet sent to the worker.</summary>
    private sealed class RunningDocument(ChildRun run) : IProgress<PipelineProgress>
    {
        private readonly Lock _lock = new();
        private ChildProgress? _latest;
        private bool _unsent;

        public ChildRun Run { get; } = run;

        public CancellationTokenSource Cancellation { get; } = new();

        public ChildProgress? Latest
        {
            get
            {
                lock (_lock)
                {
                    return _latest;
                }
            }
        }

        public void Report(PipelineProgress value)
        {
            lock (_lock)
            {
                var elapsed = value.Finished ? value.Elapsed.TotalMilliseconds : (double?)null;
                _latest = new ChildProgress
                {
                    Stage = value.Stage,
                    Finished = value.Finished,
                    Format = value.Format,
                    Pages = value.Pages,
                    Rows = value.Rows,
                    ReadMs = value.Stage == PipelineProgress.Stages.Read ? elapsed : _latest?.ReadMs,
                    AnnotateMs = value.Stage == PipelineProgress.Stages.Annotate ? elapsed : _latest?.AnnotateMs,
                    WriteMs = value.Stage == PipelineProgress.Stages.Write ? elapsed : _latest?.WriteMs,
                };
                _unsent = true;
            }
        }

        public ChildProgress? TakeUnsent()
        {
            lock (_lock)
            {
                var unsent = _unsent ? _latest : null;
                _unsent = false;
                return unsent;
            }
        }
    }
}
