using System.Runtime.CompilerServices;

namespace Annotate.Hosting.Blobs;

/// <summary>
/// Where document bytes and outputs live, reachable from the Gateway and every Worker. Keys are relative,
/// '/'-separated (<see cref="BlobKeys"/>); messages carry them as <c>blob:</c> references (<see cref="BlobReference"/>),
/// never as paths of one machine. The default is <see cref="FileSystemBlobStore"/> (a directory, which can be a shared
/// volume); an S3-compatible store implements this interface and nothing else changes.
/// </summary>
public interface IBlobStore
{
    /// <summary>Stores <paramref name="content"/> under <paramref name="key"/>, replacing what was there; readers see the old or the new bytes, never part.</summary>
    Task PutAsync(string key, Stream content, CancellationToken cancellationToken);

    /// <summary>Opens the blob for reading, or null when there is none.</summary>
    Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken);

    /// <summary>The blob's size and time, or null when there is none.</summary>
    Task<BlobItem?> StatAsync(string key, CancellationToken cancellationToken);

    /// <summary>True when the blob exists.</summary>
    async Task<bool> ExistsAsync(string key, CancellationToken cancellationToken) => await StatAsync(key, cancellationToken) is not null;

    /// <summary>Deletes the blob; false when there was none.</summary>
    Task<bool> DeleteAsync(string key, CancellationToken cancellationToken);

    /// <summary>The blobs whose keys start with <paramref name="prefix"/> (a folder-like prefix ends with '/').</summary>
    IAsyncEnumerable<BlobItem> ListAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>
    /// The names of the folders right under <paramref name="prefix"/> (which ends with '/'): the next segment of every key
    /// that has one more '/' after it, each once (an S3 listing with a delimiter). This default lists every blob under it;
    /// a store that keeps folders lists only them.
    /// </summary>
    async IAsyncEnumerable<string> ListFoldersAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var item in ListAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            var rest = item.Key[prefix.Length..];
            var slash = rest.IndexOf('/', StringComparison.Ordinal);
            if (slash > 0 && seen.Add(rest[..slash]))
            {
                yield return rest[..slash];
            }
        }
    }
}

/// <summary>A stored blob.</summary>
/// <param name="Key">Its key.</param>
/// <param name="SizeBytes">Size in bytes.</param>
/// <param name="LastModified">When it was last written.</param>
public sealed record BlobItem(string Key, long SizeBytes, DateTimeOffset LastModified);

/// <summary>
/// A store whose blobs are files on this machine. Hosts use the paths to move a claimed inbox file in without a copy
/// and to let the engine read and write in place; code that must work with any store goes through <see cref="IBlobStore"/>.
/// </summary>
public interface ILocalBlobStore : IBlobStore
{
    /// <summary>The file that holds <paramref name="key"/> (which need not exist); nothing is created.</summary>
    string LocalPath(string key);
}
