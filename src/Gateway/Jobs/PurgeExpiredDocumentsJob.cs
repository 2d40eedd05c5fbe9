using Annotate.Gateway.Intake;
using Annotate.Gateway.Storage;
using Annotate.Hosting.Blobs;
using Microsoft.Extensions.Options;
using Quartz;

namespace Annotate.Gateway.Jobs;

/// <summary>
/// Retention (off unless <see cref="JobsOptions.RetentionDays"/> is set): deletes from the blob store the sources, outputs
/// and worker record (<c>results/documents/&lt;id&gt;.json</c>) of documents finished more than that many days ago, then
/// marks them purged. The record stays, so the API still lists them and their downloads answer 410 Gone. Unfinished
/// documents are never listed; deleting what is already gone is a no-op, so a run cut short is finished by the next.
/// </summary>
[DisallowConcurrentExecution]
public sealed class PurgeExpiredDocumentsJob(
    IDocumentStore store,
    IBlobStore blobs,
    BlobFolder folder,
    IOptions<JobsOptions> options,
    TimeProvider time,
    ILogger<PurgeExpiredDocumentsJob> logger) : IJob
{
    public static readonly JobKey Key = new("purge-expired-documents", "annotate");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) => await RunAsync(cancellationToken);

    /// <summary>One pass; returns how many documents were purged.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        if (options.Value.RetentionDays <= 0)
        {
            return 0;
        }
        var now = time.GetUtcNow();
        var purged = 0;
        foreach (var record in await store.ListPurgeableAsync(now.AddDays(-options.Value.RetentionDays), options.Value.BatchSize, cancellationToken))
        {
            // Only keys of this document: outputs/<id>/…, sources/<id>/… when the gateway stored them, and its worker record.
            var keys = new List<string>();
            await foreach (var item in blobs.ListAsync(BlobKeys.OutputPrefix(record.Id), cancellationToken))
            {
                keys.Add(item.Key);
            }
            if (folder.OwnedKey(record) is not null)
            {
                await foreach (var item in blobs.ListAsync($"{BlobKeys.Sources}/{record.Id}/", cancellationToken))
                {
                    keys.Add(item.Key);
                }
            }
            keys.Add($"{BlobKeys.Results}/documents/{record.Id}.json");
            foreach (var key in keys)
            {
                await blobs.DeleteAsync(key, cancellationToken);
            }
            if (await store.MarkPurgedAsync(record.Id, now, cancellationToken))
            {
                purged++;
            }
        }
        if (purged > 0)
        {
            logger.LogInformation("Retention: deleted the files of {Count} document(s) finished more than {Days} days ago", purged, options.Value.RetentionDays);
        }
        return purged;
    }
}
