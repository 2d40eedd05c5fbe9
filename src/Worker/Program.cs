using Annotate.Worker;

var builder = Host.CreateApplicationBuilder(args);
builder.AddAnnotateWorker();
builder.AddAnnotateBus(bus => bus.AddAnnotateWorkerConsumers());
builder.Build().Run();
