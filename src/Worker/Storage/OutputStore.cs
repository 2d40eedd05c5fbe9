using Annotate.Annotators.Pipeline;
using Annotate.Hosting;
using Annotate.Hosting.Blobs;
using Annotate.Messages;
using Microsoft.Extensions.Options;

namespace Annotate.Worker.Storage;

/// <summary>
/// Where a document's outputs go: <c>outputs/&lt;id&gt;/</c> in the blob store unless the command names another
/// <c>blob:outputs/…/</c> prefix (or, with <see cref="WorkerOptions.AllowLocalPaths"/>, a folder of this machine).
/// The engine writes into a folder: the store's own when it is local, otherwise a temporary one whose files are then put.
/// </summary>
public sealed class OutputStore(IBlobStore blobs, IOptions<WorkerOptions> options)
{
    /// <summary>Where the outputs of <paramref name="command"/> go.</summary>
    public OutputTarget TargetFor(AnnotateDocument command)
    {
        if (!DocumentIds.IsValid(command.DocumentId))
        {
            throw new AnnotationException(FailureReason.InvalidRequest,
                $"'{command.FileName}': document id '{command.DocumentId}' is not valid: use 1–64 letters, digits, '-', '_' or '.'.");
        }
        if (command.OutputUri is not { Length: > 0 } uri)
        {
            return ForPrefix(BlobKeys.OutputPrefix(command.DocumentId));
        }
        if (BlobReference.IsBlob(uri))
        {
            var prefix = BlobReference.KeyOf(uri);
            // The last folder is the document's id, so a command can never write over another document's outputs.
            if (prefix is null || !prefix.StartsWith(BlobKeys.Outputs + "/", StringComparison.Ordinal) || prefix.Length <= BlobKeys.Outputs.Length + 1
                || !prefix.TrimEnd('/').EndsWith("/" + command.DocumentId, StringComparison.Ordinal))
            {
                throw new AnnotationException(FailureReason.InvalidRequest,
                    $"'{command.FileName}': its outputUri must be blob:outputs/<folders>/{command.DocumentId}/ (ending with the document id).");
            }
            return ForPrefix(prefix.EndsWith('/') ? prefix : prefix + "/");
        }
        if (SourceLocator.TryToLocalPath(uri) is { } folder && options.Value.AllowLocalPaths)
        {
            return new OutputTarget(folder, null, Temporary: false);
        }
        throw new AnnotationException(FailureReason.InvalidRequest,
            $"'{command.FileName}': its outputUri must be a blob:outputs/<folder>/ reference{(options.Value.AllowLocalPaths ? " or an absolute folder" : "")}.");
    }

    /// <summary>Puts the files of a temporary target into the store; nothing to do when the engine wrote in place.</summary>
    public async Task CommitAsync(OutputTarget target, IEnumerable<string> names, CancellationToken cancellationToken)
    {
        if (!target.Temporary || target.Prefix is null)
        {
            return;
        }
        try
        {
            foreach (var name in names)
            {
                await using var file = File.OpenRead(Path.Combine(target.Directory, name));
                await blobs.PutAsync(target.Prefix + name, file, cancellationToken);
            }
        }
        finally
        {
            Directory.Delete(target.Directory, recursive: true);
        }
    }

    /// <summary>Copies the outputs an earlier document produced to <paramref name="target"/> (a duplicate reuses them).</summary>
    public async Task<bool> CopyAsync(string fromPrefix, IEnumerable<string> names, OutputTarget target, CancellationToken cancellationToken)
    {
        var list = names.ToList();
        foreach (var name in list)
        {
            if (!await blobs.ExistsAsync(fromPrefix + name, cancellationToken))
            {
                return false;
            }
        }
        foreach (var name in list)
        {
            await using var source = await blobs.OpenReadAsync(fromPrefix + name, cancellationToken);
            if (source is null)
            {
                return false;
            }
            if (target.Prefix is { } prefix)
            {
                await blobs.PutAsync(prefix + name, source, cancellationToken);
            }
            else
            {
                Directory.CreateDirectory(target.Directory);
                await using var copy = File.Create(Path.Combine(target.Directory, name));
                await source.CopyToAsync(copy, cancellationToken);
            }
        }
        return true;
    }

    /// <summary>The reference events carry for the outputs of <paramref name="target"/>.</summary>
    public static string ReferenceOf(OutputTarget target) => target.Prefix is { } prefix ? BlobReference.For(prefix) : target.Directory;

    private OutputTarget ForPrefix(string prefix)
    {
        if (blobs is ILocalBlobStore local)
        {
            return new OutputTarget(local.LocalPath(prefix.TrimEnd('/')), prefix, Temporary: false);
        }
        return new OutputTarget(ProcessTemporaryFolder.NewPath("out-"), prefix, Temporary: true);
    }
}

/// <summary>Where the engine writes a document's outputs.</summary>
/// <param name="Directory">The folder the engine writes into.</param>
/// <param name="Prefix">The blob-store prefix (ending in '/') the outputs are stored under; null for a local folder named by the command.</param>
/// <param name="Temporary">True when <paramref name="Directory"/> is a temporary folder whose files are put into the store.</param>
public sealed record OutputTarget(string Directory, string? Prefix, bool Temporary);
