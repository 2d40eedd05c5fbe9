using MassTransit;
using MassTransit.Configuration;
using MassTransit.Serialization;

namespace Annotate.Worker.Delivery;

/// <summary>
/// Redelivery through RabbitMQ delay queues (TTL and dead-lettering) for brokers without the delayed-message plugin or a
/// scheduler. MassTransit's own redelivery filter decides (its retry policy counts the <c>MT-Redelivery-Count</c> header,
/// and it holds back the <see cref="Fault{T}"/> until the last redelivery); only how a message is sent back later is ours.
/// </summary>
public static class DelayQueueRedeliveryExtensions
{
    /// <summary>
    /// Redelivers messages of this endpoint whose failure <paramref name="configure"/>'s policy handles, through
    /// <paramref name="queues"/>. Configure it before <c>UseMessageRetry</c>, so in-process retries run first within each delivery.
    /// </summary>
    public static void UseDelayQueueRedelivery(this IConsumePipeConfigurator configurator, DelayQueues queues, Action<IRedeliveryConfigurator> configure)
    {
        // The observer connects itself to the configurator and adds the filters to each message type as it is configured.
        _ = new DelayQueueRedeliveryConfigurationObserver(configurator, queues, configure);
    }
}

/// <summary>Adds <see cref="DelayQueueRedeliveryFilter{TMessage}"/> where MassTransit's delayed redelivery adds its own.</summary>
internal sealed class DelayQueueRedeliveryConfigurationObserver(IConsumePipeConfigurator configurator, DelayQueues queues, Action<IRedeliveryConfigurator> configure)
    : ScheduledRedeliveryConfigurationObserver(configurator, configure)
{
    protected override IRedeliveryPipeSpecification AddRedeliveryPipeSpecification<TMessage>(IConsumePipeConfigurator configurator)
    {
        var specification = new DelayQueueRedeliveryPipeSpecification<TMessage>(queues);
        configurator.AddPipeSpecification(specification);
        return specification;
    }
}

internal sealed class DelayQueueRedeliveryPipeSpecification<TMessage>(DelayQueues queues) : IPipeSpecification<ConsumeContext<TMessage>>, IRedeliveryPipeSpecification
    where TMessage : class
{
    public RedeliveryOptions Options { get; set; }

    public void Apply(IPipeBuilder<ConsumeContext<TMessage>> builder) => builder.AddFilter(new DelayQueueRedeliveryFilter<TMessage>(queues, Options));

    public IEnumerable<ValidationResult> Validate()
    {
        if (queues.Queues.Count == 0)
        {
            yield return this.Failure("DelayQueues", "at least one delay queue is needed");
        }
    }
}

/// <summary>Gives the redelivery filter the way to send a message back later: <see cref="DelayQueueRedeliveryContext{TMessage}"/>.</summary>
internal sealed class DelayQueueRedeliveryFilter<TMessage>(DelayQueues queues, RedeliveryOptions options) : IFilter<ConsumeContext<TMessage>>
    where TMessage : class
{
    public void Probe(ProbeContext context)
    {
        var scope = context.CreateFilterScope("delayQueueRedelivery");
        scope.Add("queues", string.Join(",", queues.Queues.Select(q => q.Name)));
    }

    public Task Send(ConsumeContext<TMessage> context, IPipe<ConsumeContext<TMessage>> next)
    {
        context.GetOrAddPayload<MessageRedeliveryContext>(() => new DelayQueueRedeliveryContext<TMessage>(context, queues, options));
        return next.Send(context);
    }
}

/// <summary>
/// Sends the message being consumed, unchanged (body, message id, headers), to the delay queue for the delay, with
/// <c>MT-Redelivery-Count</c> one higher. The broker dead-letters it back to the endpoint when the queue's TTL expires.
/// </summary>
internal sealed class DelayQueueRedeliveryContext<TMessage>(ConsumeContext<TMessage> context, DelayQueues queues, RedeliveryOptions options) : MessageRedeliveryContext
    where TMessage : class
{
    // Set by the broker each time it dead-letters a message; copied into the next redelivery they would only grow.
    private static readonly string[] BrokerHeaderPrefixes = ["x-death", "x-first-death-", "x-last-death-"];

    public async Task ScheduleRedelivery(TimeSpan delay, Action<ConsumeContext, SendContext>? callback = null)
    {
        var pipe = Pipe.Execute<SendContext<TMessage>>(send =>
        {
            foreach (var header in context.Headers.GetAll().Select(h => h.Key).Where(k => BrokerHeaderPrefixes.Any(p => k.StartsWith(p, StringComparison.OrdinalIgnoreCase))).ToList())
            {
                send.Headers.Set(header, null);
            }
            send.ApplyRedeliveryOptions(context, options);
            callback?.Invoke(context, send);
        });
        var endpoint = await context.GetSendEndpoint(queues.For(delay).ExchangeAddress).ConfigureAwait(false);
        await endpoint.Send(context.Message, new ForwardMessagePipe<TMessage>(context, pipe), context.CancellationToken).ConfigureAwait(false);
    }
}
