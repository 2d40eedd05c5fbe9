using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Profiles;
using Annotate.Gateway.Inbox;
using Annotate.Gateway.Storage;
using Annotate.Hosting.Blobs;
using Annotate.Hosting.Telemetry;
using Annotate.Messages;
using MassTransit;

namespace Annotate.Gateway.Intake;

/// <summary>
/// Accepts a document from any channel: records it, stores its bytes, and sends the annotate command. The record is
/// written before the bytes move, so a process that dies at any point of intake leaves a record that start-up
/// finishes (<see cref="ResumeIntakeAsync"/>): nothing taken from the inbox is ever without a record.
/// Commands carry <c>blob:</c> references, never this machine's paths. Whether the content was annotated before is the
/// worker's decision: it knows the profile and the model it would use; only with <c>SkipExactDuplicates</c> does the
/// gateway hold back bytes it has already seen (<see cref="ExactDuplicates"/>).
/// </summary>
public sealed class DocumentIntake(
    IDocumentStore store,
    IBus publisher,
    BlobFolder blobs,
    TimeProvider time,
    AnnotateMetrics metrics,
    ILoggerFactory loggers,
    ProfileCatalog? profiles = null,
    ExactDuplicates? duplicates = null)
{
    /// <summary>Stores an uploaded stream and queues it, as a document of <paramref name="tenant"/>.</summary>
    public async Task<DocumentRecord> SubmitAsync(Stream content, string fileName, string channel, string? profile, string? correlationId,
        string tenant, CancellationToken cancellationToken)
    {
        var id = NewId();
        // Recorded first: an upload cut short by a crash is found at start-up and failed, not left as a stray blob.
        var record = NewRecord(id, fileName, channel, profile, correlationId, BlobFolder.ReferenceFor(id, fileName), 0) with { Tenant = tenant };
        await store.TryAddAsync(record, cancellationToken);
        StoredContent stored;
        try
        {
            stored = await blobs.StoreAsync(content, cancellationToken);
        }
        catch
        {
            // The client gets an error, not an id: nothing of this upload should remain.
            await store.DeleteAsync(id, CancellationToken.None);
            throw;
        }
        return await AcceptAsync(record, stored, cancellationToken);
    }

    /// <summary>Takes a settled file out of the watched folder (a move, so it is taken once) and queues it.</summary>
    public async Task<DocumentRecord> ClaimAsync(string path, string fileName, string? profile, CancellationToken cancellationToken)
    {
        var id = NewId();
        var record = NewRecord(id, fileName, "inbox", profile, null, new Uri(path).AbsoluteUri, new FileInfo(path).Length);
        await store.TryAddAsync(record, cancellationToken);
        try
        {
            return await FinishClaimAsync(record, path, cancellationToken);
        }
        catch (FileNotFoundException)
        {
            // Gone before it could be moved: nothing was taken, so nothing is recorded.
            await store.DeleteAsync(id, CancellationToken.None);
            throw;
        }
    }

    /// <summary>
    /// Finishes the intake of a document a previous run recorded but did not queue (no content hash yet): its bytes are
    /// still in the inbox or already in the blob folder. Fails it with <c>source-missing</c> when they are in neither,
    /// and an upload the client never saw accepted is failed, not annotated half-written.
    /// </summary>
    public async Task ResumeIntakeAsync(DocumentRecord record, CancellationToken cancellationToken)
    {
        var blob = blobs.PathFor(record.Id, record.FileName);
        try
        {
            if (record.Channel == "inbox" && File.Exists(blob))
            {
                await FinishClaimAsync(record, blob, cancellationToken);
                return;
            }
            if (record.Channel == "inbox" && record.SourceUri is { } source && blobs.LocalPath(source) is var inboxPath
                && !blobs.Owns(source) && File.Exists(inboxPath))
            {
                await FinishClaimAsync(record, inboxPath, cancellationToken);
                return;
            }
        }
        catch (FileNotFoundException)
        {
            // Taken by someone else meanwhile: fall through to the failure below.
        }
        var message = record.Channel == "inbox"
            ? $"'{record.FileName}' was being taken from the inbox when the process stopped, and its bytes are no longer there."
            : $"The upload of '{record.FileName}' was interrupted when the process stopped, before it was accepted; send it again.";
        DeleteBlob(blob);
        await FailAsync(record, FailureReason.SourceMissing, message, cancellationToken);
    }

    /// <summary>Adopts bytes found in the blob folder with no record (left by a crash in an earlier version) as a new inbox document.</summary>
    public async Task AdoptAsync(string id, string blob, CancellationToken cancellationToken)
    {
        var record = NewRecord(id, Path.GetFileName(blob), "inbox", profile: null, correlationId: null, BlobFolder.ReferenceFor(id, Path.GetFileName(blob)), new FileInfo(blob).Length);
        if (await store.TryAddAsync(record, cancellationToken))
        {
            loggers.CreateLogger("Annotate").LogWarning("{FileName}  found in the blob folder without a record; annotating it", record.FileName);
            await FinishClaimAsync(record, blob, cancellationToken);
        }
    }

    /// <summary>
    /// Counts a hand-over to a worker, then sends the command; false when the document has finished meanwhile, or when
    /// <paramref name="expectedDispatches"/> is given and someone else handed it over since it was read (so two sweepers
    /// that found the same stuck document send it once).
    /// </summary>
    public async Task<bool> DispatchAsync(DocumentRecord record, CancellationToken cancellationToken, int? expectedDispatches = null)
    {
        if (await store.CountDispatchAsync(record.Id, time.GetUtcNow(), expectedDispatches, cancellationToken) is not { } dispatch)
        {
            return false;
        }
        // The hand-over's number tells a worker that already finished the document that the gateway never heard of it
        // (the event was lost with a process), so it sends the outcome again instead of ignoring the command.
        await publisher.Publish(CommandFor(record), context => context.Headers.Set(DispatchHeader.Name, dispatch), cancellationToken);
        return true;
    }

    /// <summary>
    /// The command that (re)queues a recorded document; for a profile that uses reviewed examples (few-shot), with the key
    /// of its examples in the blob store the worker shares, so the message carries a reference, not the examples.
    /// </summary>
    public AnnotateDocument CommandFor(DocumentRecord record) =>
        profiles is not null && profiles.Contains(record.Profile ?? AnnotationProfile.DefaultName) && profiles.Get(record.Profile).FewShotExamples > 0
            ? ToCommand(record, blobs) with { ExamplesKey = BlobKeys.ExamplesOf(record.Profile) }
            : ToCommand(record, blobs);

    /// <summary>The command that (re)queues a recorded document.</summary>
    public static AnnotateDocument ToCommand(DocumentRecord record, BlobFolder blobs) => new()
    {
        DocumentId = record.Id,
        // Records of earlier versions hold file:// locations inside the store: workers are sent the reference instead.
        SourceUri = blobs.KeyOf(record.SourceUri) is { } key ? Hosting.Blobs.BlobReference.For(key) : record.SourceUri!,
        FileName = record.FileName,
        Profile = record.Profile,
        CorrelationId = record.CorrelationId,
        ContentSha256 = record.Sha256,
        SubmittedAt = record.ReceivedAt,
        ParentDocumentId = record.ParentId,
        Depth = record.Depth > 0 ? record.Depth : null,
    };

    private async Task<DocumentRecord> FinishClaimAsync(DocumentRecord record, string from, CancellationToken cancellationToken)
    {
        var blob = blobs.PathFor(record.Id, record.FileName);
        if (!string.Equals(from, blob, StringComparison.Ordinal))
        {
            File.Move(from, blob);
        }
        // A file swapped for a link, a FIFO or a device between the inbox's check and the move is refused, never
        // followed or opened (the move itself renames the entry, whatever it is, without opening it).
        if (InboxEntries.Status(blob).Kind != EntryKind.Regular)
        {
            File.Delete(blob);
            await FailAsync(record, FailureReason.InvalidRequest,
                $"'{record.FileName}' stopped being a regular file while it was being taken; links, pipes and devices are not read.", cancellationToken);
            return record;
        }
        // Copied, hashing on the way, into the content-addressed store: what workers read is exactly what was hashed even
        // if a writer still appends to the file taken, which stays as it is until the document is done.
        StoredContent stored;
        await using (var stream = new FileStream(blob, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 81920, useAsync: true))
        {
            stored = await blobs.StoreAsync(stream, cancellationToken);
        }
        return await AcceptAsync(record, stored, cancellationToken);
    }

    private async Task<DocumentRecord> AcceptAsync(DocumentRecord record, StoredContent stored, CancellationToken cancellationToken)
    {
        var sha256 = stored.Sha256;
        record = record with { SourceUri = Hosting.Blobs.BlobReference.For(stored.Key), Sha256 = sha256, SizeBytes = stored.SizeBytes };
        await store.SetContentAsync(record.Id, record.SourceUri, sha256, record.SizeBytes, cancellationToken);
        // Only now that the record needs the content may a copy held back be dropped (pruning reads the records).
        blobs.Confirm(stored);
        return await AnnounceAsync(record, cancellationToken);
    }

    /// <summary>
    /// Publishes that a recorded document whose bytes are stored was received, counts it, and hands it to a worker; the
    /// record, with <c>DuplicateOf</c> set when it is held back as an exact duplicate instead.
    /// </summary>
    public async Task<DocumentRecord> AnnounceAsync(DocumentRecord record, CancellationToken cancellationToken)
    {
        await publisher.Publish(new DocumentReceived
        {
            DocumentId = record.Id,
            FileName = record.FileName,
            SourceUri = record.SourceUri ?? "",
            Channel = record.Channel,
            SizeBytes = record.SizeBytes,
            ContentSha256 = record.Sha256,
            Profile = record.Profile,
            CorrelationId = record.CorrelationId,
            ReceivedAt = record.ReceivedAt,
        }, cancellationToken);
        metrics.Received(record.Channel, record.Profile);
        // With SkipExactDuplicates, the same bytes as an earlier document of the tenant and profile are not sent to a worker.
        if (duplicates is not null && await duplicates.TryWaitAsync(record, cancellationToken) is { } earlier)
        {
            return record with { DuplicateOf = earlier };
        }
        await DispatchAsync(record, cancellationToken);
        return record;
    }

    private Task FailAsync(DocumentRecord record, string reason, string message, CancellationToken cancellationToken) =>
        publisher.Publish(new DocumentAnnotationFailed
        {
            DocumentId = record.Id,
            FileName = record.FileName,
            Reason = reason,
            Message = message,
            CorrelationId = record.CorrelationId,
            FailedAt = time.GetUtcNow(),
        }, cancellationToken);

    private DocumentRecord NewRecord(string id, string fileName, string channel, string? profile, string? correlationId, string sourceUri, long size) => new()
    {
        Id = id,
        FileName = fileName,
        Channel = channel,
        State = DocumentState.Received,
        Profile = profile,
        SourceUri = sourceUri,
        SizeBytes = size,
        CorrelationId = correlationId,
        ReceivedAt = time.GetUtcNow(),
    };

    private string NewId() => Guid.CreateVersion7(time.GetUtcNow()).ToString("N");

    /// <summary>Deletes a stored blob and its folder if nothing else is in it.</summary>
    public static void DeleteBlob(string blob)
    {
        try
        {
            if (File.Exists(blob) || new FileInfo(blob).LinkTarget is not null)
            {
                File.Delete(blob);
            }
        }
        catch (DirectoryNotFoundException)
        {
            return; // Already gone with its folder.
        }
        var directory = Path.GetDirectoryName(blob);
        try
        {
            if (directory is not null && !Directory.EnumerateFileSystemEntries(directory).Any())
            {
                Directory.Delete(directory);
            }
        }
        catch (IOException)
        {
            // Gone already, or something was put in meanwhile and the folder stays.
        }
    }
}
