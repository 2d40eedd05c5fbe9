using MassTransit;
using MassTransit.Context;

namespace Annotate.Worker.Delivery;

/// <summary>
/// Keeps a document stopped by the worker's shutdown from being reported. When the host stops, MassTransit lets the
/// documents in progress run for <see cref="WorkerOptions.ShutdownGrace"/> (its <c>ConsumerStopTimeout</c>), then cancels
/// their receive context. The consumer then ends with an <see cref="OperationCanceledException"/>; this filter drops the
/// <see cref="Fault{T}"/> MassTransit would publish for it (which would become a Failed event), so the delivery is only
/// left unacknowledged and the broker gives it to another worker. A document stopped by
/// <see cref="WorkerOptions.DocumentTimeout"/> is not affected: that cancels the consume context, not the receive context,
/// and still fails with <c>timeout</c>.
/// </summary>
public sealed class ShutdownRequeueFilter<TMessage> : IFilter<ConsumeContext<TMessage>>
    where TMessage : class
{
    /// <inheritdoc />
    public void Probe(ProbeContext context) => context.CreateFilterScope("shutdownRequeue");

    /// <inheritdoc />
    public Task Send(ConsumeContext<TMessage> context, IPipe<ConsumeContext<TMessage>> next) =>
        next.Send(new ShutdownAwareConsumeContext(context));

    private sealed class ShutdownAwareConsumeContext(ConsumeContext<TMessage> context) : ConsumeContextScope<TMessage>(context)
    {
        public override Task NotifyFaulted<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType, Exception exception) =>
            DeliveryCancellation.IsDeliveryCancelled(context, exception) ? Task.CompletedTask : base.NotifyFaulted(context, duration, consumerType, exception);
    }
}

/// <summary>Tells the cancellation of a delivery (shutdown, lost channel) from a document's own timeout.</summary>
public static class DeliveryCancellation
{
    /// <summary>True when <paramref name="exception"/> is the cancellation of the delivery itself (the bus stopping or the channel lost).</summary>
    public static bool IsDeliveryCancelled(ConsumeContext context, Exception exception) =>
        exception is OperationCanceledException && context.ReceiveContext.CancellationToken.IsCancellationRequested;
}
