using Annotate.Gateway.Intake;
using Annotate.Gateway.Storage;
using Microsoft.Extensions.Options;
using Quartz;

namespace Annotate.Gateway.Jobs;

/// <summary>
/// Deletes accepted bytes (<c>content/sha256/…</c>) that no unfinished document needs any more and that were not used
/// for <see cref="JobsOptions.ContentGrace"/>: a finished document's bytes are in its outputs (and a failed one's in the
/// failed folder). Content is shared by every document with the same bytes, so it goes only when none of them is
/// Received or Processing; the grace period covers an intake that has stored the bytes and not yet recorded their hash.
/// </summary>
[DisallowConcurrentExecution]
public sealed class PruneContentJob(
    IDocumentStore store,
    BlobFolder folder,
    IOptions<JobsOptions> options,
    ILogger<PruneContentJob> logger) : IJob
{
    public static readonly JobKey Key = new("prune-content", "annotate");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) => await RunAsync(cancellationToken);

    /// <summary>One pass; returns how many blobs were deleted.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var deleted = await folder.PruneContentAsync(NeededAsync, options.Value.ContentGrace, cancellationToken);
        if (deleted > 0)
        {
            logger.LogInformation("Deleted the stored bytes of {Count} document(s) no unfinished document needs", deleted);
        }
        return deleted;
    }

    private async Task<IReadOnlySet<string>> NeededAsync(CancellationToken cancellationToken)
    {
        var unfinished = await store.ListByStateAsync([DocumentState.Received, DocumentState.Processing], cancellationToken);
        return unfinished.Where(r => r.Sha256 is not null).Select(r => r.Sha256!.ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);
    }
}
