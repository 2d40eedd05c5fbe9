using Annotate.Annotators.Models.Download;
using Annotate.Worker;

// "models list|pull" runs and exits before any host is built.
if (await ModelsCommand.TryRunAsync(args) is { } exit) return exit;

var builder = Host.CreateApplicationBuilder(args);
builder.AddAnnotateWorker();
builder.AddAnnotateBus(bus => bus.AddAnnotateWorkerConsumers());
await builder.Build().RunAsync();
return 0;
