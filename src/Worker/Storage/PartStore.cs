using Annotate.Annotators.Documents;
using Annotate.Annotators.Pipeline;
using Annotate.Hosting;
using Annotate.Hosting.Blobs;
using Annotate.Messages;

namespace Annotate.Worker.Storage;

/// <summary>
/// Puts the files the pipeline found inside a document (an e-mail's attachments, a ZIP archive's entries) into the blob
/// store by their content (<c>content/sha256/…</c>, as the gateway stores what it receives), and describes them for the
/// <see cref="DocumentAnnotated"/> event, from which the gateway makes each a document of its own.
/// </summary>
public sealed class PartStore(IBlobStore blobs)
{
    /// <summary>A new, empty-to-be local folder for the parts of one document; the caller deletes it with <see cref="Delete"/>.</summary>
    public static string NewFolder() => ProcessTemporaryFolder.NewPath("parts-");

    /// <summary>
    /// Stores the parts written into <paramref name="folder"/>. A part that names a file outside the folder, or an invalid
    /// id or hash, is not the pipeline's to ask for: it is refused (the bytes were written by the child process, which
    /// reads hostile documents).
    /// </summary>
    public async Task<IReadOnlyList<DocumentPart>?> StoreAsync(IReadOnlyList<EmbeddedFile> parts, string folder, CancellationToken cancellationToken)
    {
        if (parts.Count == 0)
        {
            return null;
        }
        var root = Path.GetFullPath(folder) + Path.DirectorySeparatorChar;
        var stored = new List<DocumentPart>(parts.Count);
        foreach (var part in parts)
        {
            if (part.StagedPath is not { } staged || !Path.GetFullPath(staged).StartsWith(root, StringComparison.Ordinal)
                || !DocumentIds.IsValid(part.DocumentId) || !BlobKeys.IsSha256(part.Sha256))
            {
                throw new InvalidOperationException($"The pipeline reported a part of '{part.Name}' that is not in its parts folder or has no valid id or hash.");
            }
            var key = BlobKeys.ContentOf(part.Sha256);
            // Put even when the content exists: the put renews the blob, so the gateway's pruning (which spares content
            // used within its grace) keeps it until the child's record needs it.
            await using (var file = new FileStream(staged, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true))
            {
                await blobs.PutAsync(key, file, cancellationToken);
            }
            stored.Add(new DocumentPart
            {
                DocumentId = part.DocumentId!,
                FileName = part.Name,
                SourceUri = BlobReference.For(key),
                SizeBytes = part.SizeBytes,
                ContentSha256 = part.Sha256.ToLowerInvariant(),
                Path = part.Path,
            });
        }
        return stored;
    }

    /// <summary>Deletes a parts folder and what is in it; nothing when it was never made.</summary>
    public static void Delete(string folder)
    {
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
