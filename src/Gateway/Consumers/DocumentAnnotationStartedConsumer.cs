using Annotate.Gateway.Storage;
using Annotate.Messages;
using MassTransit;

namespace Annotate.Gateway.Consumers;

/// <summary>Records that a worker took a document; documents queued by other systems are recorded here first.</summary>
public sealed class DocumentAnnotationStartedConsumer(IDocumentStore store) : IConsumer<DocumentAnnotationStarted>
{
    public async Task Consume(ConsumeContext<DocumentAnnotationStarted> context)
    {
        var started = context.Message;
        await store.TryAddAsync(new DocumentRecord
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
        await store.MarkProcessingAsync(started.DocumentId, started.StartedAt, started.Attempt, context.CancellationToken);
    }
}
