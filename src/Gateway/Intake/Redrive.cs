using Annotate.Gateway.Storage;
using Annotate.Hosting.Blobs;

namespace Annotate.Gateway.Intake;

/// <summary>
/// Sends failed documents again: each becomes a new document (channel <c>redrive</c>, so it is counted as a re-drive,
/// not as a new arrival) with the same bytes, name, profile, correlation id and tenant; the failed one stays as it was, its
/// history intact. The bytes come from the failed folder (taken back out of it) or, when they are not kept there, from
/// the stored content while it is still there.
/// </summary>
public sealed class Redrive(DocumentIntake intake, FailedFolder failed, BlobFolder folder, IBlobStore blobs)
{
    /// <summary>The channel of documents sent again.</summary>
    public const string Channel = "redrive";

    /// <summary>The new document, or null when the failed one's bytes are no longer anywhere.</summary>
    public async Task<DocumentRecord?> RunAsync(DocumentRecord record, CancellationToken cancellationToken)
    {
        if (record.State != DocumentState.Failed)
        {
            throw new InvalidOperationException($"Only failed documents are sent again; '{record.FileName}' is {record.State}.");
        }
        await using var bytes = await failed.TakeBackAsync(record.FileName, record.Id, cancellationToken)
            ?? (folder.ContentKey(record) is { } key ? await blobs.OpenReadAsync(key, cancellationToken) : null);
        if (bytes is null)
        {
            return null;
        }
        return await intake.SubmitAsync(bytes, record.FileName, Channel, record.Profile, record.CorrelationId, record.Tenant, cancellationToken);
    }
}
