using Annotate.Gateway.Intake;
using Annotate.Hosting.Blobs;
using Annotate.Gateway.Storage;
using Annotate.Hosting.Telemetry;
using Annotate.Messages;
using MassTransit;

namespace Annotate.Gateway.Consumers;

/// <summary>
/// Records a completed document, prints its console line and drops the stored bytes (the outbox keeps a copy).
/// A redelivered event for a finished document changes nothing.
/// </summary>
public sealed class DocumentAnnotatedConsumer(
    IDocumentStore store,
    IBlobStore blobs,
    BlobFolder folder,
    DocumentIntake intake,
    PartIntake parts,
    DocumentStateChanges changes,
    AnnotateMetrics metrics,
    ILoggerFactory loggers,
    ExactDuplicates? duplicates = null) : IConsumer<DocumentAnnotated>
{
    public async Task Consume(ConsumeContext<DocumentAnnotated> context)
    {
        var done = context.Message;
        // May overtake the Started event (separate queues): make sure the record exists before completing it.
        var added = await store.TryAddAsync(new DocumentRecord
        {
            Id = done.DocumentId,
            FileName = done.FileName ?? done.DocumentId,
            Channel = "message",
            State = DocumentState.Received,
            CorrelationId = done.CorrelationId,
            ReceivedAt = done.CompletedAt,
        }, context.CancellationToken);
        if (added)
        {
            metrics.Received("message", null);
        }
        var record = await store.FindAsync(done.DocumentId, context.CancellationToken);
        // Its children are recorded before it shows as Completed: whoever sees the parent done finds them, and a crash in
        // between creates them when the event is handled again.
        if (done.Parts is { Count: > 0 } found && record is { State: DocumentState.Received or DocumentState.Processing })
        {
            await parts.AcceptAsync(record, found, context.CancellationToken);
        }
        // The outputs are in place before this event is sent, so the state can change now; the rest is clean-up that
        // start-up repeats if the process dies here.
        if (!await store.MarkCompletedAsync(done.DocumentId,
            new DocumentCompletion(done.OutputUri, done.Outputs, done.Digest, done.Timings, done.CompletedAt,
                DuplicateOf: done.DuplicateOf, ProfileFingerprint: done.ProfileFingerprint, ModelSha256: done.ModelSha256,
                TokensIn: done.ModelTokensIn, TokensOut: done.ModelTokensOut), context.CancellationToken))
        {
            return;
        }
        // Counted only when the state changed: the same event delivered again, or a re-drive, is not a second completion.
        metrics.Completed(done, record?.Channel ?? "message", record?.Profile);
        changes.Finished(done.DocumentId);
        if (duplicates is not null)
        {
            await duplicates.ReleaseAsync(done, context.CancellationToken);
        }
        var log = loggers.CreateLogger("Annotate");
        if (record is not null && folder.OwnedKey(record) is { } key)
        {
            if (await GrewAfterClaimAsync(record, key, blobs, context.CancellationToken) is { } size)
            {
                // A writer was still appending after the file settled: never delete those bytes; take the whole file again.
                log.LogWarning("{FileName}  grew after it was taken ({Before:N0} → {After:N0} bytes); taking it again", record.FileName, record.SizeBytes, size);
                await intake.ClaimAsync(folder.PathFor(record.Id, record.FileName), record.FileName, record.Profile, context.CancellationToken);
            }
            else
            {
                await blobs.DeleteAsync(key, context.CancellationToken);
            }
        }
        // One console line per document, under a short category; where the outputs are on this machine, when the store is
        // a folder here (the person watching the console can open it), otherwise the reference.
        var output = BlobReference.KeyOf(done.OutputUri) is { } prefix && blobs is ILocalBlobStore local && BlobKeys.IsValid(prefix.TrimEnd('/'))
            ? local.LocalPath(prefix.TrimEnd('/'))
            : done.OutputUri;
        log.LogInformation("{FileName}  Completed  {Seconds:0.00} s  → {Output}",
            done.FileName ?? record?.FileName, done.Timings.TotalMs / 1000, output);
    }

    /// <summary>The blob's size when bytes were added to an inbox file after it was claimed, otherwise null.</summary>
    internal static async Task<long?> GrewAfterClaimAsync(DocumentRecord record, string key, IBlobStore blobs, CancellationToken cancellationToken)
    {
        if (record.Channel != "inbox" || record.Sha256 is null)
        {
            return null;
        }
        var blob = await blobs.StatAsync(key, cancellationToken);
        return blob is not null && blob.SizeBytes != record.SizeBytes ? blob.SizeBytes : null;
    }
}
