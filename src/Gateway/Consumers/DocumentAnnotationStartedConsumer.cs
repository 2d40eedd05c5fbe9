using Annotate.Gateway.Storage;
using Annotate.Hosting.Telemetry;
using Annotate.Messages;
using MassTransit;

namespace Annotate.Gateway.Consumers;

/// <summary>Records that a worker took a document; documents queued by other systems are recorded here first.</summary>
public sealed class DocumentAnnotationStartedConsumer(IDocumentStore store, AnnotateMetrics metrics) : IConsumer<DocumentAnnotationStarted>
{
    public async Task Consume(ConsumeContext<DocumentAnnotationStarted> context)
    {
        var started = context.Message;
        var added = await store.TryAddAsync(new DocumentRecord
        {
            Id = started.DocumentId,
            FileName = started.FileName ?? started.DocumentId,
            Channel = "message",
            State = DocumentState.Received,
            Profile = started.Profile,
            SourceUri = started.SourceUri,
            CorrelationId = started.CorrelationId,
            ReceivedAt = started.StartedAt,
        }, context.CancellationToken);
        if (added)
        {
            metrics.Received("message", started.Profile);
        }
        var before = await store.FindAsync(started.DocumentId, context.CancellationToken);
        // Counted before the state changes: the outcome may already have overtaken this event (events travel on separate
        // queues) and given the record a start of its own, so only the attempts say whether a start was reported before.
        var first = await store.TryCountFirstStartAsync(started.DocumentId, started.Attempt, context.CancellationToken);
        await store.MarkProcessingAsync(started.DocumentId, started.StartedAt, started.Attempt, context.CancellationToken);
        if (!added && first && before is not null)
        {
            // Queue wait: from the hand-over (or receipt) to the first start a worker reported; a retry that starts it
            // again, or this event delivered twice, is not a wait.
            metrics.QueueWait(started.StartedAt - (before.DispatchedAt ?? before.ReceivedAt));
        }
    }
}
