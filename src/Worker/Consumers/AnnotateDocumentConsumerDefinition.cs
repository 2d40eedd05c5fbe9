using Annotate.Annotators.Pipeline;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Annotate.Worker.Consumers;

/// <summary>Endpoint policy for <see cref="AnnotateDocumentConsumer"/>: concurrency and the retry of transient failures only.</summary>
public sealed class AnnotateDocumentConsumerDefinition : ConsumerDefinition<AnnotateDocumentConsumer>
{
    private readonly WorkerOptions _options;

    /// <summary>Creates the definition from the worker options.</summary>
    public AnnotateDocumentConsumerDefinition(IOptions<WorkerOptions> options, IConfiguration configuration)
    {
        _options = options.Value;
        EndpointName = "annotate-document";
        ConcurrentMessageLimit = WorkerOptions.EffectiveConcurrency(configuration);
    }

    /// <inheritdoc />
    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<AnnotateDocumentConsumer> consumerConfigurator, IRegistrationContext context)
    {
        // A document is bounded in time, retries included: its consume token is cancelled after DocumentTimeout and it
        // faults. (Outside the retry filter, so retries still publish a single fault at the end.)
        endpointConfigurator.UseTimeout(timeout => timeout.Timeout = _options.DocumentTimeout);
        endpointConfigurator.UseMessageRetry(retry =>
        {
            retry.Exponential(_options.RetryLimit, _options.RetryDelay, TimeSpan.FromSeconds(30), _options.RetryDelay);
            // Only failures that can pass are retried; a corrupt file fails the same way every time.
            retry.Handle<AnnotationException>(ex => ex.Retryable);
            retry.Handle<IOException>(ex => ex is not FileNotFoundException and not DirectoryNotFoundException);
        });

    }
}
