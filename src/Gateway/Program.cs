using Annotate.Gateway;
using Annotate.Worker;

// Settings sit beside the executable; data folders are relative to the folder Annotate is started from.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddAnnotateWorker();
builder.AddAnnotateGateway();
builder.AddAnnotateBus(bus => bus.AddAnnotateWorkerConsumers().AddAnnotateGatewayConsumers());
builder.AddAnnotateGatewayServices();

var app = builder.Build();
app.MapAnnotateGateway();
app.Run();

/// <summary>Entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
