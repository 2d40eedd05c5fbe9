using Annotate.Annotators.Pipeline;
using Annotate.Gateway.Intake;
using Annotate.Hosting.Blobs;
using Annotate.Gateway.Storage;
using Annotate.Hosting.Telemetry;
using Annotate.Messages;
using MassTransit;

namespace Annotate.Gateway.Consumers;

/// <summary>
/// Moves a failed document's file to the failed folder with <c>&lt;name&gt;.error.json</c> beside it, then records it
/// as Failed: whoever sees the Failed state finds the report complete. A redelivered event for a finished document
/// changes nothing, on disk or in the record.
/// </summary>
public sealed class DocumentAnnotationFailedConsumer(
    IDocumentStore store,
    IBlobStore blobs,
    BlobFolder folder,
    FailedFolder failedFolder,
    DocumentIntake intake,
    DocumentStateChanges changes,
    AnnotateMetrics metrics,
    ILoggerFactory loggers,
    ExactDuplicates? duplicates = null) : IConsumer<DocumentAnnotationFailed>
{
    public async Task Consume(ConsumeContext<DocumentAnnotationFailed> context)
    {
        var failed = context.Message;
        // Events travel on separate queues: this one may overtake the Started event of a document another system
        // queued, so make sure the record exists; a late Started event then leaves the final state alone.
        var added = await store.TryAddAsync(new DocumentRecord
        {
            Id = failed.DocumentId,
            FileName = failed.FileName ?? failed.DocumentId,
            Channel = "message",
            State = DocumentState.Received,
            CorrelationId = failed.CorrelationId,
            ReceivedAt = failed.FailedAt,
        }, context.CancellationToken);
        if (added)
        {
            metrics.Received("message", null);
        }
        var record = await store.FindAsync(failed.DocumentId, context.CancellationToken);
        if (record is null || record.State is DocumentState.Completed or DocumentState.Failed)
        {
            return;
        }
        var fileName = failed.FileName ?? record.FileName;
        var message = failed.Message;
        var log = loggers.CreateLogger("Annotate");

        if (folder.OwnedKey(record) is { } key)
        {
            if (failed.Reason == FailureReason.ChecksumMismatch
                && await DocumentAnnotatedConsumer.GrewAfterClaimAsync(record, key, blobs, context.CancellationToken) is { } size)
            {
                // A writer was still appending after the file settled: the whole file is taken again as a new document.
                var again = await intake.ClaimAsync(folder.PathFor(record.Id, record.FileName), record.FileName, record.Profile, context.CancellationToken);
                message = $"'{fileName}' was still being written when it was taken ({record.SizeBytes:N0} of {size:N0} bytes); the whole file is annotated again as document {again.Id}.";
                log.LogWarning("{FileName}  grew after it was taken ({Before:N0} → {After:N0} bytes); taking it again", fileName, record.SizeBytes, size);
            }
            await failedFolder.KeepAsync(key, folder.ContentKey(record),
                new FailureReport(failed.DocumentId, fileName, failed.Reason, message, failed.Retryable, failed.FailedAt), context.CancellationToken);
        }
        if (!await store.MarkFailedAsync(failed.DocumentId, failed.Reason, message, failed.Retryable, failed.FailedAt, context.CancellationToken))
        {
            return;
        }
        // Counted only when the state changed: a Failed event for a document that already finished is not counted.
        metrics.Failed(failed.Reason, record.Channel, record.Profile);
        changes.Finished(failed.DocumentId);
        // One console line per document, under a short category.
        log.LogWarning("{FileName}  Failed ({Reason})  {Message}", fileName, failed.Reason, message);
        if (duplicates is not null)
        {
            // Its copies held back by SkipExactDuplicates are annotated on their own: the failure may have been this one's.
            await duplicates.ReleaseFailedAsync(failed.DocumentId, intake, context.CancellationToken);
        }
    }
}
