using Annotate.Annotators.Models.Download;
using Annotate.Hosting.Telemetry;
using Annotate.Worker;
using Annotate.Worker.Isolation;

// First, while one thread runs: ONNX Runtime (the sentence encoder) must not collect or upload usage telemetry.
Annotate.Annotators.Embeddings.OnnxRuntimeTelemetry.Disable();

// Started by a worker (or a gateway running one) as its pipeline child: annotate what it sends over stdin.
if (PipelineChildHost.IsChild(args)) return await PipelineChildHost.RunAsync(args);

// A worker host's native allocations share two malloc arenas, so its resident size does not creep up as threads come
// and go (MALLOC_ARENA_MAX overrides it); the pipeline child above, which runs the encoder and the model, keeps glibc's.
Annotate.Annotators.Memory.NativeHeap.LimitArenas();

// "models list|pull" runs and exits before any host is built.
if (await ModelsCommand.TryRunAsync(args) is { } exit) return exit;

// "eval --results … --references …" judges produced annotations against references, and exits.
if (await Annotate.Annotators.Evaluation.EvalCommand.TryRunAsync(args) is { } evaluated) return evaluated;

// Settings sit beside the executable; data folders are relative to the folder the worker is started from.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddAnnotateWorker();
builder.AddAnnotateWorkerBus();
// Metrics of what this worker publishes, on http://localhost:<Annotate:Telemetry:PrometheusPort>/metrics when a port is set.
builder.AddAnnotateWorkerMetrics(Annotate.Worker.Delivery.WorkQueue.Name);
builder.Services.AddHostedService<WorkerBanner>();
await builder.Build().RunAsync();
return 0;
