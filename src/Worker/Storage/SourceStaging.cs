using System.Security.Cryptography;
using Annotate.Annotators.Pipeline;
using Annotate.Hosting.Blobs;
using Annotate.Messages;
using Microsoft.Extensions.Options;

namespace Annotate.Worker.Storage;

/// <summary>
/// Makes the bytes a command points to readable as a local file for the engine, and hashes them. A <c>blob:</c>
/// reference is read in place when the store is a folder this machine sees, otherwise copied to a temporary file;
/// <c>file://</c> locations only when <see cref="WorkerOptions.AllowLocalPaths"/> is on.
/// </summary>
public sealed class SourceStaging(IBlobStore blobs, IOptions<WorkerOptions> options)
{
    /// <summary>Stages the source of <paramref name="command"/>; dispose the result to remove what staging made.</summary>
    public async Task<StagedSource> StageAsync(AnnotateDocument command, CancellationToken cancellationToken)
    {
        var reference = command.SourceUri;
        if (BlobReference.IsBlob(reference))
        {
            var key = BlobReference.KeyOf(reference);
            if (key is null || key.EndsWith('/'))
            {
                throw new AnnotationException(FailureReason.InvalidRequest, $"'{command.FileName}': its source is not a valid blob reference (blob:<key>).");
            }
            if (blobs is ILocalBlobStore local)
            {
                // The store, not File.Exists, decides what is a blob: File.Exists follows a link to any file of this
                // machine, and asking for the path first would create the folder of a document that is not there.
                if (await StatAsync(key, command.FileName, cancellationToken) is null)
                {
                    throw new AnnotationException(FailureReason.SourceMissing, $"'{command.FileName}' is not in the blob store ({key}); was it deleted before it was annotated?");
                }
                var path = local.LocalPath(key);
                return new StagedSource(path, await HashAsync(path, cancellationToken), Temporary: false);
            }
            await using var stream = await blobs.OpenReadAsync(key, cancellationToken)
                ?? throw new AnnotationException(FailureReason.SourceMissing, $"'{command.FileName}' is not in the blob store ({key}); was it deleted before it was annotated?");
            return await CopyToTemporaryAsync(stream, cancellationToken);
        }
        if (SourceLocator.TryToLocalPath(reference) is { } localPath)
        {
            if (!options.Value.AllowLocalPaths)
            {
                throw new AnnotationException(FailureReason.InvalidRequest,
                    $"'{command.FileName}': this worker does not read paths of its own disk named in messages (Annotate:Worker:AllowLocalPaths is off); send a blob: reference, inline content or an http(s) URL.");
            }
            // Missing files are the pipeline's to report, with the same wording as before.
            return new StagedSource(localPath, File.Exists(localPath) ? await HashAsync(localPath, cancellationToken) : null, Temporary: false);
        }
        throw new AnnotationException(FailureReason.InvalidRequest,
            $"'{command.FileName}': its source must be a blob: reference{(options.Value.AllowLocalPaths ? " or a file:// URI" : "")}, not {Describe(reference)}.");
    }

    private async Task<BlobItem?> StatAsync(string key, string fileName, CancellationToken cancellationToken)
    {
        try
        {
            return await blobs.StatAsync(key, cancellationToken);
        }
        catch (ArgumentException)
        {
            // A well-formed key outside the store's folders (e.g. blob:elsewhere/x) is the sender's mistake, not a retry.
            throw new AnnotationException(FailureReason.InvalidRequest, $"'{fileName}': its source must be a blob:sources/… reference.");
        }
    }

    /// <summary>Copies <paramref name="content"/> to a temporary file, hashing it on the way.</summary>
    public static async Task<StagedSource> CopyToTemporaryAsync(Stream content, CancellationToken cancellationToken)
    {
        var path = Path.Combine(Path.GetTempPath(), $"annotate-{Guid.NewGuid():N}");
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using (var target = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            {
                var buffer = new byte[81920];
                int read;
                while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
            }
            return new StagedSource(path, Convert.ToHexStringLower(hash.GetHashAndReset()), Temporary: true);
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }

    private static async Task<string> HashAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 81920, useAsync: true);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
    }

    private static string Describe(string uri) =>
        Uri.TryCreate(uri, UriKind.Absolute, out var parsed) ? $"'{parsed.Scheme}:' locations" : "a relative path";
}

/// <summary>A command's source as a local file.</summary>
/// <param name="Path">The file the engine reads.</param>
/// <param name="Sha256">Lowercase hex SHA-256 of its bytes, or null when the file is missing.</param>
/// <param name="Temporary">True when staging made the file, so disposing deletes it.</param>
public sealed record StagedSource(string Path, string? Sha256, bool Temporary) : IDisposable
{
    /// <inheritdoc />
    public void Dispose()
    {
        if (Temporary && File.Exists(Path))
        {
            File.Delete(Path);
        }
    }
}
