using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Readers;
using Annotate.Gateway.Storage;
using Annotate.Hosting.Blobs;
using Annotate.Messages;
using Microsoft.Extensions.Options;

namespace Annotate.Gateway.Intake;

/// <summary>
/// Makes each file found inside an annotated document (<see cref="DocumentAnnotated.Parts"/>: an e-mail's attachments, a
/// ZIP archive's entries) a document of its own: recorded with its parent and depth, the parent's tenant, profile and
/// correlation id, and handed to a worker through the normal intake. Runs before the parent is marked Completed, and
/// the children's ids come from the worker (derived from the parent's id), so an event delivered again, or handled again
/// after a crash, adds no second child, and a child recorded but never handed over is handed over then.
/// </summary>
public sealed class PartIntake(IDocumentStore store, DocumentIntake intake, TimeProvider time, IOptions<ContainerOptions> options, ILogger<PartIntake> logger)
{
    /// <summary>Records and queues the parts of <paramref name="parent"/>; the number of children handed over now.</summary>
    public async Task<int> AcceptAsync(DocumentRecord parent, IReadOnlyList<DocumentPart> parts, CancellationToken cancellationToken)
    {
        var limits = options.Value;
        var depth = parent.Depth + 1;
        if (depth > limits.MaxDepth)
        {
            // The worker lists the files of a container at the deepest level without handing them on; this only guards
            // against a worker with other settings.
            logger.LogWarning("{FileName}  is {Depth} level(s) deep: its {Count} file(s) are not annotated (Annotate:Containers:MaxDepth = {Max})",
                parent.FileName, parent.Depth, parts.Count, limits.MaxDepth);
            return 0;
        }
        var handedOver = 0;
        foreach (var (part, index) in parts.Take(limits.MaxParts).Select((p, i) => (p, i)))
        {
            if (!DocumentIds.IsValid(part.DocumentId) || BlobKeys.Sha256Of(BlobReference.KeyOf(part.SourceUri)) is not { } sha256
                || !string.Equals(sha256, part.ContentSha256, StringComparison.Ordinal))
            {
                logger.LogWarning("{FileName}  names a part with an invalid id or a source that is not its content; it is left out", parent.FileName);
                continue;
            }
            var child = new DocumentRecord
            {
                Id = part.DocumentId,
                // Made safe by the worker already; again here, since the event is only as trustworthy as whoever published it.
                FileName = FileNames.Safe(PartCollector.SafeName(part.FileName, index)),
                Channel = "part",
                State = DocumentState.Received,
                Profile = parent.Profile,
                SourceUri = part.SourceUri,
                Sha256 = sha256,
                SizeBytes = part.SizeBytes,
                CorrelationId = parent.CorrelationId,
                ReceivedAt = time.GetUtcNow(),
                Tenant = parent.Tenant,
                ParentId = parent.Id,
                Depth = depth,
            };
            if (await store.TryAddAsync(child, cancellationToken))
            {
                await intake.AnnounceAsync(child, cancellationToken);
                handedOver++;
            }
            else if (await store.FindAsync(child.Id, cancellationToken) is { State: DocumentState.Received, Dispatches: 0 } recorded
                     && recorded.ParentId == parent.Id)
            {
                // Recorded by an earlier attempt that stopped before the hand-over.
                await intake.DispatchAsync(recorded, cancellationToken);
                handedOver++;
            }
        }
        return handedOver;
    }
}
