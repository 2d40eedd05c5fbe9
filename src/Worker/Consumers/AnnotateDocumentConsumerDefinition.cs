using Annotate.Annotators.Pipeline;
using Annotate.Worker.Delivery;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Annotate.Worker.Consumers;

/// <summary>
/// Endpoint policy for <see cref="AnnotateDocumentConsumer"/>, outermost first: each delivery is bounded by
/// <see cref="WorkerOptions.DocumentTimeout"/>; on RabbitMQ a transient failure that outlives the in-process retries is
/// redelivered later through the delay queues; in-process retries of transient failures only. Concurrency is
/// <see cref="WorkerOptions.EffectiveConcurrency"/>. (Shutdown is the host's: see <c>WorkerHostingExtensions.AddAnnotateWorker</c>.)
/// </summary>
public sealed class AnnotateDocumentConsumerDefinition : ConsumerDefinition<AnnotateDocumentConsumer>
{
    private readonly WorkerOptions _options;

    /// <summary>Creates the definition from the worker options.</summary>
    public AnnotateDocumentConsumerDefinition(IOptions<WorkerOptions> options, IConfiguration configuration)
    {
        _options = options.Value;
        EndpointName = WorkQueue.Name;
        ConcurrentMessageLimit = WorkerOptions.EffectiveConcurrency(configuration);
    }

    /// <inheritdoc />
    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<AnnotateDocumentConsumer> consumerConfigurator, IRegistrationContext context)
    {
        // A delivery is bounded in time, in-process retries included: its consume token is cancelled after DocumentTimeout
        // and it faults. (Outside the retry filters, so they publish a single fault at the end.)
        endpointConfigurator.UseTimeout(timeout => timeout.Timeout = _options.DocumentTimeout);
        if (endpointConfigurator is IRabbitMqReceiveEndpointConfigurator
            && endpointConfigurator.InputAddress.AbsolutePath.EndsWith("/" + WorkQueue.Name, StringComparison.Ordinal))
        {
            // A plain JSON command (annotate-requests) that is redelivered comes back through the delay queues to this
            // queue as it was sent, in plain JSON: it must be understood here too (envelopes stay the default).
            endpointConfigurator.UseRawJsonDeserializer(RawSerializerOptions.AnyMessageType, isDefault: false);
        }
        if (endpointConfigurator is IRabbitMqReceiveEndpointConfigurator && _options.RedeliveryLimit > 0)
        {
            // The Fault (and so the Failed event) waits for the last redelivery; until then the command is acknowledged
            // and sits in a delay queue. On the in-memory transport nothing outlives the process, so it fails after the
            // in-process retries, as before.
            endpointConfigurator.UseDelayQueueRedelivery(DelayQueueDeclaration.For(_options), redelivery =>
            {
                redelivery.Intervals(_options.RedeliveryIntervals().ToArray());
                HandleTransientFailures(redelivery);
            });
        }
        endpointConfigurator.UseMessageRetry(retry =>
        {
            retry.Exponential(_options.RetryLimit, _options.RetryDelay, TimeSpan.FromSeconds(30), _options.RetryDelay);
            HandleTransientFailures(retry);
        });
    }

    /// <summary>Only failures that can pass are tried again; a corrupt file fails the same way every time.</summary>
    private static void HandleTransientFailures(IExceptionConfigurator policy)
    {
        policy.Handle<AnnotationException>(ex => ex.Retryable);
        policy.Handle<IOException>(ex => ex is not FileNotFoundException and not DirectoryNotFoundException);
    }
}
