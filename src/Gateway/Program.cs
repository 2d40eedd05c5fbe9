using Annotate.Annotators.Models.Download;
using Annotate.Gateway;

// First, while one thread runs: native allocations share two malloc arenas, so the resident size does not creep up
// as threads come and go over thousands of documents (MALLOC_ARENA_MAX overrides it).
Annotate.Annotators.Memory.NativeHeap.LimitArenas();
// ONNX Runtime (the sentence encoder, when the worker runs inside) must not collect or upload usage telemetry.
Annotate.Annotators.Embeddings.OnnxRuntimeTelemetry.Disable();

// "models list|pull" runs and exits before any host is built.
if (await ModelsCommand.TryRunAsync(args) is { } exit) return exit;
// "eval --results … --references …" judges produced annotations against references, and exits.
if (await Annotate.Annotators.Evaluation.EvalCommand.TryRunAsync(args) is { } evaluated) return evaluated;
// "keys new|list|revoke" manages the API keys kept in the state store, and exits.
if (Annotate.Gateway.Api.KeysCommand.Matches(args)) return await Annotate.Gateway.Api.KeysCommand.RunAsync(args, Console.Out, Console.Error);

// Settings sit beside the executable; data folders are relative to the folder Annotate is started from.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.UseDefaultListenAddress();
// One process by default: the worker runs inside; on RabbitMQ the gateway runs alone and workers are separate processes.
builder.AddAnnotateGateway();
builder.AddAnnotateGatewayBus();
builder.AddAnnotateGatewayServices();

var app = builder.Build();
app.MapAnnotateGateway();
await app.RunAsync();
return 0;

/// <summary>Entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
