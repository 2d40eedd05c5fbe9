using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;

namespace Annotate.Hosting.Blobs;

/// <summary>
/// The default blob store: files under four folders (<see cref="BlobStoreOptions.Sources"/> for <c>sources/…</c> keys,
/// <see cref="BlobStoreOptions.Content"/> for <c>content/…</c>, <see cref="BlobStoreOptions.Outputs"/> for
/// <c>outputs/…</c>, <see cref="BlobStoreOptions.Results"/> for <c>results/…</c>), which several machines can share as a volume.
/// A put writes a temporary file beside the target and renames it over, so readers never see half a blob.
/// Links are never followed: a key whose file is a symbolic link reads as missing.
/// </summary>
public sealed class FileSystemBlobStore : ILocalBlobStore
{
    private const string TemporarySuffix = ".blob-tmp";
    private readonly string _sources;
    private readonly string _outputs;
    private readonly string _content;
    private readonly (string Segment, string Root)[] _roots;

    /// <summary>Creates the store over the configured folders (relative ones under the current directory).</summary>
    public FileSystemBlobStore(IOptions<BlobStoreOptions> options)
    {
        _sources = RootOf(options.Value.Sources);
        _outputs = RootOf(options.Value.Outputs);
        _content = RootOf(options.Value.Content);
        _roots = [(BlobKeys.Sources, _sources), (BlobKeys.Content, _content), (BlobKeys.Outputs, _outputs), (BlobKeys.Results, RootOf(options.Value.Results))];
    }

    /// <summary>Full path of the folder holding <c>sources/…</c> keys.</summary>
    public string SourcesRoot => _sources;

    /// <summary>Full path of the folder holding <c>content/…</c> keys.</summary>
    public string ContentRoot => _content;

    /// <summary>Full path of the folder holding <c>outputs/…</c> keys.</summary>
    public string OutputsRoot => _outputs;

    /// <inheritdoc />
    public string LocalPath(string key)
    {
        var path = PathOf(key);
        if (ThroughLink(path))
        {
            throw new IOException($"Blob '{key}' lies in a linked folder, which may lead outside the store.");
        }
        // Only a mapping: asking where a blob is must not leave an empty folder behind when it is not there.
        return path;
    }

    /// <summary>The key of a file under one of the store's folders, or null when it is outside them.</summary>
    public string? KeyOf(string path)
    {
        var full = Path.GetFullPath(path);
        foreach (var (segment, root) in _roots)
        {
            if (full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                var key = segment + "/" + full[(root.Length + 1)..].Replace(Path.DirectorySeparatorChar, '/');
                return BlobKeys.IsValid(key) ? key : null;
            }
        }
        return null;
    }

    /// <inheritdoc />
    public async Task PutAsync(string key, Stream content, CancellationToken cancellationToken)
    {
        var path = LocalPath(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = $"{path}.{Guid.NewGuid():N}{TemporarySuffix}";
        try
        {
            await using (var target = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            {
                await content.CopyToAsync(target, cancellationToken);
                await target.FlushAsync(cancellationToken);
                target.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    /// <inheritdoc />
    public Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        if (!IsPlainFile(path) || ThroughLink(path))
        {
            return Task.FromResult<Stream?>(null);
        }
        try
        {
            // Delete is shared so retention can remove a blob a slow download is still reading.
            return Task.FromResult<Stream?>(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 81920, useAsync: true));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return Task.FromResult<Stream?>(null);
        }
    }

    /// <inheritdoc />
    public Task<BlobItem?> StatAsync(string key, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        var info = new FileInfo(path);
        return Task.FromResult(info.Exists && info.LinkTarget is null && !ThroughLink(path)
            ? new BlobItem(key, info.Length, new DateTimeOffset(info.LastWriteTimeUtc, TimeSpan.Zero))
            : null);
    }

    /// <inheritdoc />
    public Task<bool> DeleteAsync(string key, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        var info = new FileInfo(path);
        if ((!info.Exists && info.LinkTarget is null) || ThroughLink(path))
        {
            return Task.FromResult(false);
        }
        try
        {
            File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
            return Task.FromResult(false); // A concurrent delete took the blob and its folder.
        }
        RemoveEmptyFolders(Path.GetDirectoryName(path));
        return Task.FromResult(true);
    }

    /// <summary>
    /// Empty per-document folders go with their last blob, up to the store's roots. Another delete may remove a
    /// folder between this one's look and its listing, and a writer may put a file in one: either ends the climb.
    /// </summary>
    private void RemoveEmptyFolders(string? directory)
    {
        while (directory is not null && !_roots.Any(r => r.Root == directory))
        {
            try
            {
                if (Directory.EnumerateFileSystemEntries(directory).Any())
                {
                    return;
                }
                Directory.Delete(directory);
            }
            catch (IOException)
            {
                // DirectoryNotFoundException: a concurrent delete removed it and climbs on itself;
                // otherwise another writer put something in meanwhile.
                return;
            }
            directory = Path.GetDirectoryName(directory);
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<BlobItem> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!BlobKeys.IsValidPrefix(prefix))
        {
            throw new ArgumentException("Not a valid blob key prefix.", nameof(prefix));
        }
        foreach (var (segment, root) in _roots)
        {
            if (!(segment + "/").StartsWith(prefix, StringComparison.Ordinal) && !prefix.StartsWith(segment + "/", StringComparison.Ordinal))
            {
                continue;
            }
            // Only the folder the prefix names is walked ("results/vectors/default/" its own folder, "sources/doc-1" the
            // root, then filtered): a document's outputs or a profile's vectors are listed without visiting every
            // document's folder, which made each listing, and each document's duplicate check, grow with the store.
            var start = FolderOf(prefix, segment, root);
            if (!Directory.Exists(start) || (start != root && LinkBetween(root, start)))
            {
                continue;
            }
            var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true };
            foreach (var file in Directory.EnumerateFiles(start, "*", options))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (file.EndsWith(TemporarySuffix, StringComparison.Ordinal) || KeyOf(file) is not { } key || !key.StartsWith(prefix, StringComparison.Ordinal))
                {
                    continue;
                }
                var info = new FileInfo(file);
                if (info.Exists && info.LinkTarget is null)
                {
                    yield return new BlobItem(key, info.Length, new DateTimeOffset(info.LastWriteTimeUtc, TimeSpan.Zero));
                }
            }
        }
        await Task.CompletedTask;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<string> ListFoldersAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!prefix.EndsWith('/') || !BlobKeys.IsValidPrefix(prefix))
        {
            throw new ArgumentException("Not a folder-like blob key prefix (one that ends with '/').", nameof(prefix));
        }
        foreach (var (segment, root) in _roots)
        {
            if (!prefix.StartsWith(segment + "/", StringComparison.Ordinal))
            {
                continue;
            }
            var folder = FolderOf(prefix, segment, root);
            if (!Directory.Exists(folder) || (folder != root && LinkBetween(root, folder)))
            {
                continue;
            }
            // Linked folders are skipped, as a listing of blobs skips them.
            var options = new EnumerationOptions { AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true };
            foreach (var directory in Directory.EnumerateDirectories(folder, "*", options))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var name = Path.GetFileName(directory);
                if (BlobKeys.IsValid(prefix + name))
                {
                    yield return name;
                }
            }
        }
        await Task.CompletedTask;
    }

    private string PathOf(string key)
    {
        BlobKeys.Check(key);
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        var segment = slash < 0 ? key : key[..slash];
        var root = _roots.FirstOrDefault(r => r.Segment == segment).Root
            ?? throw new ArgumentException($"Blob keys start with '{BlobKeys.Sources}/', '{BlobKeys.Content}/', '{BlobKeys.Outputs}/' or '{BlobKeys.Results}/'.", nameof(key));
        if (slash < 0)
        {
            // "sources" alone names a root folder, which is never a blob (a put would try to replace the folder).
            throw new ArgumentException($"Blob key '{key}' names a whole root folder, not a blob.", nameof(key));
        }
        return Path.Combine(root, key[(slash + 1)..].Replace('/', Path.DirectorySeparatorChar));
    }

    /// <summary>
    /// True when a folder between the store's root and <paramref name="path"/> is a link: keys can never lead outside
    /// the roots, and a linked folder could lead anywhere. (The roots themselves may be links, e.g. to a mounted volume.)
    /// </summary>
    private bool ThroughLink(string path) =>
        LinkBetween(_roots.First(r => path.StartsWith(r.Root + Path.DirectorySeparatorChar, StringComparison.Ordinal)).Root, Path.GetDirectoryName(path));

    /// <summary>True when <paramref name="directory"/> or a folder between it and <paramref name="root"/> is a link.</summary>
    private static bool LinkBetween(string root, string? directory)
    {
        for (; directory is not null && directory.Length > root.Length; directory = Path.GetDirectoryName(directory))
        {
            if (new DirectoryInfo(directory).LinkTarget is not null)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// The deepest folder under <paramref name="root"/> that holds every key starting with <paramref name="prefix"/>: the
    /// folder its whole segments name (<c>outputs/doc-1/</c>: the root's <c>doc-1</c>; <c>sources/doc-1</c>: the root).
    /// </summary>
    private static string FolderOf(string prefix, string segment, string root)
    {
        if (!prefix.StartsWith(segment + "/", StringComparison.Ordinal))
        {
            return root;
        }
        var rest = prefix[(segment.Length + 1)..];
        var folders = rest.LastIndexOf('/');
        return folders <= 0 ? root : Path.Combine(root, rest[..folders].Replace('/', Path.DirectorySeparatorChar));
    }

    // A configured "data/blobs/" is the same folder as "data/blobs": compared with paths, a trailing separator would
    // make every key fall outside the roots and let deletes climb past them.
    private static string RootOf(string folder) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));

    private static bool IsPlainFile(string path)
    {
        var info = new FileInfo(path);
        return info.Exists && info.LinkTarget is null;
    }
}
