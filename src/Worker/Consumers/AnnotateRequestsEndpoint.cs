using Annotate.Hosting;
using Annotate.Hosting.PlainJson;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Annotate.Worker.Consumers;

/// <summary>
/// The receive endpoint for plain JSON commands from other systems: queue <c>annotate-requests</c> (and its fanout
/// exchange of the same name), read with MassTransit's raw JSON deserializer, consumed by the same
/// <see cref="AnnotateDocumentConsumer"/> with the same timeout, retry and concurrency as <c>annotate-document</c>.
/// </summary>
public static class AnnotateRequestsEndpoint
{
    /// <summary>Adds the endpoint to a RabbitMQ bus (the in-memory transport has no other systems to serve).</summary>
    public static void ConfigureAnnotateRequestsEndpoint(this IRabbitMqBusFactoryConfigurator rabbit, IBusRegistrationContext context, BusOptions bus, int defaultPrefetch)
    {
        var configuration = context.GetRequiredService<IConfiguration>();
        rabbit.ReceiveEndpoint(PlainJsonInterface.CommandQueue, e =>
        {
            // Only what is sent to this queue or its own exchange arrives here. Without this, MassTransit would also bind
            // the AnnotateDocument message exchange, and every command the gateway publishes would be annotated twice.
            e.ConfigureConsumeTopology = false;
            // Bodies are plain JSON, with content type application/json or none at all; envelopes are still understood.
            e.UseRawJsonDeserializer(RawSerializerOptions.AnyMessageType, isDefault: true);
            e.Durable = true;
            e.PrefetchCount = bus.EffectivePrefetch(defaultPrefetch);
            e.ConcurrentMessageLimit = WorkerOptions.EffectiveConcurrency(configuration);
            if (bus.QuorumQueues)
            {
                e.SetQuorumQueue();
            }
            // The consumer's definition (AnnotateDocumentConsumerDefinition) adds the timeout and the retry policy here too.
            e.ConfigureConsumer<AnnotateDocumentConsumer>(context);
        });
    }
}
