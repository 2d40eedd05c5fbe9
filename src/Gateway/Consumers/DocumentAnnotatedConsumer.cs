using Annotate.Gateway.Intake;
using Annotate.Gateway.Storage;
using Annotate.Messages;
using MassTransit;

namespace Annotate.Gateway.Consumers;

/// <summary>Records a completed document, prints its console line and drops the stored bytes (the outbox keeps a copy).</summary>
public sealed class DocumentAnnotatedConsumer(IDocumentStore store, BlobFolder blobs, ILoggerFactory loggers) : IConsumer<DocumentAnnotated>
{
    public async Task Consume(ConsumeContext<DocumentAnnotated> context)
    {
        var done = context.Message;
        // May overtake the Started event (separate queues): make sure the record exists before completing it.
        await store.TryAddAsync(new DocumentRecord
        {
            Id = done.DocumentId,
            FileName = done.FileName ?? done.DocumentId,
            Channel = "message",
            State = DocumentState.Received,
            CorrelationId = done.CorrelationId,
            ReceivedAt = done.CompletedAt,
        }, context.CancellationToken);
        await store.MarkCompletedAsync(done.DocumentId,
            new DocumentCompletion(done.OutputUri, done.Outputs, done.Digest, done.Timings, done.CompletedAt,
                ProfileFingerprint: done.ProfileFingerprint, ModelSha256: done.ModelSha256), context.CancellationToken);
        var record = await store.FindAsync(done.DocumentId, context.CancellationToken);
        if (record?.SourceUri is { } source && blobs.Owns(source))
        {
            DocumentIntake.DeleteBlob(BlobFolder.LocalPath(source));
        }
        // One console line per document, under a short category.
        loggers.CreateLogger("Annotate").LogInformation("{FileName}  Completed  {Seconds:0.00} s  → {Output}",
            done.FileName ?? record?.FileName, done.Timings.TotalMs / 1000, done.OutputUri);
    }
}
