using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Annotate.Annotators.Pipeline;
using Annotate.Hosting;
using Annotate.Hosting.Blobs;
using Annotate.Messages;
using Microsoft.Extensions.Options;

namespace Annotate.Worker.Storage;

/// <summary>
/// Makes the bytes a command points to readable as a local file for the engine, and hashes them. A <c>blob:</c>
/// reference is read in place when the store is a folder this machine sees, otherwise copied to a temporary file.
/// Inline content (<see cref="AnnotateDocument.ContentBase64"/>) and <c>http(s)://</c> sources (<see cref="SourceFetcher"/>)
/// are first put into the store as <c>sources/&lt;document id&gt;/&lt;file name&gt;</c>, read from there like a blob
/// reference and deleted when the document is done. <c>file://</c> locations only when <see cref="WorkerOptions.AllowLocalPaths"/> is on.
/// </summary>
public sealed class SourceStaging(IBlobStore blobs, SourceFetcher fetcher, IOptions<WorkerOptions> options)
{
    /// <summary>Stages the source of <paramref name="command"/>; dispose the result to remove what staging made.</summary>
    public async Task<StagedSource> StageAsync(AnnotateDocument command, CancellationToken cancellationToken)
    {
        // Null when a plain JSON command left it out (see PlainJsonInterface.AllowCommandsWithoutSourceUri).
        var reference = command.SourceUri;
        if (command.ContentBase64 is { Length: > 0 } inline)
        {
            if (!string.IsNullOrEmpty(reference))
            {
                throw new AnnotationException(FailureReason.InvalidRequest,
                    $"'{command.FileName}': the command has both a sourceUri and contentBase64; send one of them.");
            }
            var key = SourceKey(command);
            await StoreInlineAsync(command, inline, key, cancellationToken);
            return await StageOwnedAsync(key, command.FileName, cancellationToken);
        }
        if (string.IsNullOrWhiteSpace(reference))
        {
            throw new AnnotationException(FailureReason.InvalidRequest, $"'{command.FileName}': the command has neither a sourceUri nor contentBase64.");
        }
        if (BlobReference.IsBlob(reference))
        {
            var key = BlobReference.KeyOf(reference);
            if (key is null || key.EndsWith('/'))
            {
                throw new AnnotationException(FailureReason.InvalidRequest, $"'{command.FileName}': its source is not a valid blob reference (blob:<key>).");
            }
            return await StageBlobAsync(key, command.FileName, cancellationToken);
        }
        if (SourceFetcher.HttpUrl(reference) is { } url)
        {
            var key = SourceKey(command);
            await fetcher.FetchAsync(url, command.FileName, key, cancellationToken);
            return await StageOwnedAsync(key, command.FileName, cancellationToken);
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
            $"'{command.FileName}': its source must be a blob: reference, an http(s) URL or contentBase64{(options.Value.AllowLocalPaths ? ", or a file:// URI" : "")}, not {Describe(reference)}.");
    }

    /// <summary>The key inline and fetched bytes are stored under: <c>sources/&lt;document id&gt;/&lt;safe file name&gt;</c>.</summary>
    public static string SourceKey(AnnotateDocument command)
    {
        if (!DocumentIds.IsValid(command.DocumentId))
        {
            throw new AnnotationException(FailureReason.InvalidRequest,
                $"'{command.FileName}': document id '{command.DocumentId}' is not valid: use 1–64 letters, digits, '-', '_' or '.'.");
        }
        return BlobKeys.Source(command.DocumentId, SafeName(command.FileName));
    }

    /// <summary>
    /// <paramref name="fileName"/> as one blob key segment: its last path part, letters, digits, '.', '-', '_' and
    /// spaces kept, anything else '_', no leading dot, at most 120 characters; <c>document</c> when nothing is left.
    /// </summary>
    public static string SafeName(string? fileName)
    {
        var name = Path.GetFileName((fileName ?? "").Replace('\\', '/'));
        var safe = new StringBuilder(Math.Min(name.Length, 120));
        foreach (var c in name.EnumerateRunes())
        {
            if (safe.Length >= 120)
            {
                break;
            }
            safe.Append(Rune.IsLetterOrDigit(c) || c.Value is '.' or '-' or '_' or ' ' ? c.ToString() : "_");
        }
        var result = safe.ToString().Trim().TrimStart('.');
        return result.Length == 0 ? "document" : result;
    }

    private async Task StoreInlineAsync(AnnotateDocument command, string base64, string key, CancellationToken cancellationToken)
    {
        var limit = options.Value.MaxInlineBytes;
        // Every 4 characters decode to at most 3 bytes: what cannot fit is refused before anything is decoded.
        var decodedAtMost = (long)base64.Length / 4 * 3 + 3;
        var buffer = new byte[Math.Min(decodedAtMost, (long)limit + 3)];
        if (!Convert.TryFromBase64String(base64, buffer, out var written))
        {
            if (base64.Length / 4L * 3 - 2 > limit)
            {
                throw InlineTooLarge(command.FileName, limit);
            }
            throw new AnnotationException(FailureReason.InvalidRequest, $"'{command.FileName}': its contentBase64 is not valid base64.");
        }
        if (written > limit)
        {
            throw InlineTooLarge(command.FileName, limit);
        }
        await blobs.PutAsync(key, new MemoryStream(buffer, 0, written, writable: false), cancellationToken);
    }

    private static AnnotationException InlineTooLarge(string fileName, int limit) =>
        new(FailureReason.TooLarge,
            $"'{fileName}' is larger than the {limit.ToString("N0", CultureInfo.InvariantCulture)} bytes a command may carry inline (Annotate:Worker:MaxInlineBytes); send it as a blob: reference or an http(s) URL.");

    private async Task<StagedSource> StageOwnedAsync(string key, string fileName, CancellationToken cancellationToken)
    {
        var staged = await StageBlobAsync(key, fileName, cancellationToken);
        // The bytes were put there for this document only: they go when it is done.
        return staged with { Release = () => blobs.DeleteAsync(key, CancellationToken.None) };
    }

    private async Task<StagedSource> StageBlobAsync(string key, string fileName, CancellationToken cancellationToken)
    {
        if (blobs is ILocalBlobStore local)
        {
            // The store, not File.Exists, decides what is a blob: File.Exists follows a link to any file of this
            // machine, and asking for the path first would create the folder of a document that is not there.
            if (await StatAsync(key, fileName, cancellationToken) is null)
            {
                throw new AnnotationException(FailureReason.SourceMissing, $"'{fileName}' is not in the blob store ({key}); was it deleted before it was annotated?");
            }
            var path = local.LocalPath(key);
            return new StagedSource(path, await HashAsync(path, cancellationToken), Temporary: false);
        }
        await using var stream = await blobs.OpenReadAsync(key, cancellationToken)
            ?? throw new AnnotationException(FailureReason.SourceMissing, $"'{fileName}' is not in the blob store ({key}); was it deleted before it was annotated?");
        return await CopyToTemporaryAsync(stream, cancellationToken);
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
            throw new AnnotationException(FailureReason.InvalidRequest, $"'{fileName}': its source must be a blob:sources/… or blob:content/… reference.");
        }
    }

    /// <summary>Copies <paramref name="content"/> to a temporary file, hashing it on the way.</summary>
    public static async Task<StagedSource> CopyToTemporaryAsync(Stream content, CancellationToken cancellationToken)
    {
        var path = ProcessTemporaryFolder.NewPath("source-");
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
public sealed record StagedSource(string Path, string? Sha256, bool Temporary) : IAsyncDisposable
{
    /// <summary>Removes what staging put into the blob store, if anything; run on dispose.</summary>
    public Func<Task>? Release { get; init; }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Temporary && File.Exists(Path))
        {
            File.Delete(Path);
        }
        if (Release is not null)
        {
            await Release();
        }
    }
}
