using Annotate.Hosting;
using Annotate.Hosting.Blobs;
using Annotate.Hosting.PlainJson;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Annotate.Worker;

/// <summary>Says, once a standalone worker is consuming, where it takes documents from and where it puts the results.</summary>
public sealed class WorkerBanner(
    IHostApplicationLifetime lifetime,
    IOptions<BusOptions> bus,
    IOptions<BlobStoreOptions> blobs,
    Microsoft.Extensions.Configuration.IConfiguration configuration,
    ILogger<WorkerBanner> logger) : IHostedService
{
    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() =>
        {
            if (!bus.Value.UsesRabbitMq)
            {
                // Nothing else can reach an in-memory bus: a worker on its own with it would wait for ever.
                logger.LogWarning("This worker uses the in-memory transport, which only its own process reaches: set Annotate:Bus:Transport=RabbitMq (and the broker's settings) to take documents from a gateway or other systems");
                return;
            }
            logger.LogInformation("Annotate worker is ready: taking documents from {Queue} and {Requests} on {Broker}, {Concurrency} at a time; outputs go to {Outputs}",
                Delivery.WorkQueue.Name, PlainJsonInterface.CommandQueue, bus.Value.Connection(), WorkerOptions.EffectiveConcurrency(configuration),
                Path.GetFullPath(blobs.Value.Outputs));
        });
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
