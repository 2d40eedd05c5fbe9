using System.Diagnostics;
using System.Text;
using Annotate.Annotators;
using Annotate.Annotators.Builtin;
using Annotate.Annotators.Models;
using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Readers;
using Annotate.Worker.Pipeline;
using Annotate.Worker.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
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
            _ = host.Services.GetRequiredService<LanguageDetectorProvider>().Detector;
            using var server = new ChildServer(host.Services.GetRequiredService<InProcessDocumentRunner>(), protocolOut, logger);
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
    private sealed class ChildServer(InProcessDocumentRunner runner, Stream output, ILogger logger) : IDisposable
    {
        private readonly Lock _writeLock = new();
        private readonly StreamWriter _writer = new(output, new UTF8Encoding(false)) { AutoFlush = true };
        private readonly Dictionary<string, CancellationTokenSource> _running = [];

        public void Dispose() => _writer.Dispose();

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
                },
            });
            using var stopHeartbeat = new ManualResetEventSlim();
            // A thread of its own: a thread pool starved by hung parsers still says the process is alive and answering.
            var heartbeat = new Thread(() =>
            {
                do
                {
                    Send(new ChildFrame { Type = ChildProtocol.Heartbeat });
                }
                while (!stopHeartbeat.Wait(TimeSpan.FromSeconds(1)));
            }) { IsBackground = true, Name = "pipeline-child-heartbeat" };
            heartbeat.Start();

            var documents = new List<Task>();
            using (var reader = new StreamReader(input, new UTF8Encoding(false)))
            {
                while (await reader.ReadLineAsync() is { } line)
                {
                    if (ChildProtocol.Read(line) is not { } frame || frame.RequestId is not { } id)
                    {
                        continue;
                    }
                    if (frame.Type == ChildProtocol.Run && frame.Run is { } run)
                    {
                        var cancellation = new CancellationTokenSource();
                        lock (_running)
                        {
                            _running[id] = cancellation;
                        }
                        documents.Add(Task.Run(() => AnnotateAsync(id, run, cancellation)));
                    }
                    else if (frame.Type == ChildProtocol.Cancel)
                    {
                        lock (_running)
                        {
                            if (_running.TryGetValue(id, out var cancellation))
                            {
                                cancellation.Cancel();
                            }
                        }
                    }
                }
            }
            // stdin closed. The worker closes it once this child has nothing in flight (a recycle or a stop): then this
            // ends at once. Documents still running mean the worker itself is gone: nobody will read their results, so
            // they are cancelled and the child ends shortly, hung or not.
            lock (_running)
            {
                foreach (var cancellation in _running.Values)
                {
                    cancellation.Cancel();
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
            stopHeartbeat.Set();
            heartbeat.Join();
        }

        private async Task AnnotateAsync(string id, ChildRun run, CancellationTokenSource cancellation)
        {
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
                    Examples = run.Examples,
                }, cancellation.Token);
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
                    },
                };
            }
            catch (AnnotationException ex)
            {
                answer = Failure(id, ChildProtocol.AnnotationError, ex, ex.Reason, ex.Retryable);
            }
            catch (OperationCanceledException ex)
            {
                answer = Failure(id, ChildProtocol.CancelledError, ex);
            }
            catch (IOException ex)
            {
                answer = Failure(id, ChildProtocol.IoError, ex, retryable: ex is not FileNotFoundException and not DirectoryNotFoundException);
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Unexpected error annotating {FileName}", run.FileName);
                answer = Failure(id, ChildProtocol.InternalError, ex);
            }
            finally
            {
                lock (_running)
                {
                    _running.Remove(id);
                }
                cancellation.Dispose();
            }
            Send(answer);
        }

        private static ChildFrame Failure(string id, string kind, Exception ex, string? reason = null, bool retryable = false) => new()
        {
            Type = ChildProtocol.Error,
            RequestId = id,
            Error = new ChildError { Kind = kind, Reason = reason, Message = ex.Message, Retryable = retryable, ExceptionType = ex.GetType().FullName },
        };

        private void Send(ChildFrame frame)
        {
            var line = ChildProtocol.Write(frame);
            lock (_writeLock)
            {
                try
                {
                    _writer.WriteLine(line);
                }
                catch (IOException)
                {
                    // The worker is gone; nobody is left to answer.
                }
            }
        }
    }
}
