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
        if (await store.MarkProcessingAsync(started.DocumentId, started.StartedAt, started.Attempt, context.CancellationToken)
            && !added && before is { State: DocumentState.Received } queued)
        {
            // Queue wait: from the latest hand-over (or receipt) to a worker taking it; a retry while Processing is not a wait.
            metrics.QueueWait(started.StartedAt - (queued.DispatchedAt ?? queued.ReceivedAt));
        }
    }
}
