using System.Security.Cryptography;
using Annotate.Hosting.Blobs;

namespace Annotate.Gateway.Intake;

/// <summary>
/// The gateway's side of the blob store's sources. Accepted bytes are stored once under their SHA-256
/// (<c>content/sha256/&lt;hash&gt;</c>, <see cref="StoreAsync"/>), and that is the <c>blob:</c> reference commands carry; a
/// file taken from the inbox is also kept as it was taken (<c>sources/&lt;id&gt;/&lt;name&gt;</c>) until its document is done,
/// so bytes a writer added late are noticed and never lost. Intake moves a claimed inbox file in with a rename, so it
/// needs the store to be a folder this machine sees (the default, or a shared volume).
/// </summary>
public sealed class BlobFolder(FileSystemBlobStore store, TimeProvider? time = null)
{
    private const string TemporarySuffix = ".blob-tmp";
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Full path of the folder holding content-addressed bytes.</summary>
    public string ContentRoot => store.ContentRoot;
    /// <summary>Full path of the folder holding the sources.</summary>
    public string Root => store.SourcesRoot;

    /// <summary>Key of the bytes of document <paramref name="id"/> named <paramref name="fileName"/>.</summary>
    public static string KeyFor(string id, string fileName) => BlobKeys.Source(id, FileNames.Safe(fileName));

    /// <summary>The reference commands carry for the bytes of document <paramref name="id"/>.</summary>
    public static string ReferenceFor(string id, string fileName) => BlobReference.For(KeyFor(id, fileName));

    /// <summary>Where the bytes of document <paramref name="id"/> named <paramref name="fileName"/> are kept; creates its folder.</summary>
    public string PathFor(string id, string fileName)
    {
        var path = store.LocalPath(KeyFor(id, fileName));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return path;
    }

    /// <summary>
    /// The key of the stored bytes of <paramref name="record"/> when the gateway put them there (upload or inbox) and may
    /// delete them; null for bytes another system stored, and for locations outside the store.
    /// </summary>
    public string? OwnedKey(Storage.DocumentRecord record) =>
        record.Channel != "message" && KeyOf(record.SourceUri) is { } key
            && (key.StartsWith($"{BlobKeys.Sources}/{record.Id}/", StringComparison.Ordinal) || BlobKeys.Sha256Of(key) is not null)
            ? KeyFor(record.Id, record.FileName) : null;

    /// <summary>The content-addressed key of <paramref name="record"/>'s bytes, or null when its source is not one.</summary>
    public string? ContentKey(Storage.DocumentRecord record) =>
        KeyOf(record.SourceUri) is { } key && BlobKeys.Sha256Of(key) is not null ? key : null;

    /// <summary>
    /// Stores <paramref name="content"/> under its SHA-256, hashing the bytes as they are written, so the hash is always
    /// the one of the stored bytes whatever happens to the source meanwhile. When the same bytes are stored already, they
    /// are kept (and marked as just used) and the copy just written is held back as <see cref="StoredContent.Spare"/>:
    /// call <see cref="Confirm"/> once the document's record names the hash, which puts the spare in place should
    /// the content have been pruned in between (see <see cref="PruneContentAsync"/>).
    /// </summary>
    public async Task<StoredContent> StoreAsync(Stream content, CancellationToken cancellationToken)
    {
        var temporary = store.LocalPath($"{BlobKeys.ContentPrefix}{Guid.NewGuid():N}{TemporarySuffix}");
        Directory.CreateDirectory(Path.GetDirectoryName(temporary)!);
        try
        {
            string sha256;
            long size;
            await using (var target = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            {
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                var buffer = new byte[81920];
                int read;
                while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
                await target.FlushAsync(cancellationToken);
                target.Flush(flushToDisk: true);
                sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
                size = target.Length;
            }
            var key = BlobKeys.ContentOf(sha256);
            if (TryPlace(temporary, store.LocalPath(key)))
            {
                return new StoredContent(key, sha256, size, Spare: null);
            }
            return new StoredContent(key, sha256, size, temporary);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>
    /// Finishes <see cref="StoreAsync"/> once the record names the content: the spare copy goes, or takes the place of
    /// content pruned since it was stored.
    /// </summary>
    public void Confirm(StoredContent stored)
    {
        if (stored.Spare is { } spare && File.Exists(spare))
        {
            if (!TryPlace(spare, store.LocalPath(stored.Key)))
            {
                File.Delete(spare);
            }
        }
    }

    /// <summary>
    /// Deletes the content no unfinished document needs: blobs under <c>content/sha256/</c> not used for
    /// <paramref name="grace"/> whose hash <paramref name="needed"/> does not name (asked again just before each delete),
    /// and temporary files left by an interrupted intake. A blob is first renamed aside, so an intake that starts using it
    /// at that moment puts its own copy back (<see cref="Confirm"/>). Returns how many blobs were deleted.
    /// </summary>
    public async Task<int> PruneContentAsync(Func<CancellationToken, Task<IReadOnlySet<string>>> needed, TimeSpan grace, CancellationToken cancellationToken)
    {
        var folder = Path.GetDirectoryName(store.LocalPath(BlobKeys.ContentOf(new string('0', 64))))!;
        if (!Directory.Exists(folder))
        {
            return 0;
        }
        var inUse = await needed(cancellationToken);
        var before = _time.GetUtcNow().UtcDateTime - grace;
        var deleted = 0;
        foreach (var path in Directory.EnumerateFiles(folder))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var info = new FileInfo(path);
            if (!info.Exists || info.LastWriteTimeUtc > before)
            {
                continue;
            }
            var name = info.Name;
            if (name.EndsWith(TemporarySuffix, StringComparison.Ordinal))
            {
                info.Delete();
                continue;
            }
            if (BlobKeys.Sha256Of(BlobKeys.ContentPrefix + name) is null || inUse.Contains(name))
            {
                continue;
            }
            var aside = Path.Combine(folder, $"{name}.{Guid.NewGuid():N}{TemporarySuffix}");
            try
            {
                File.Move(path, aside);
            }
            catch (FileNotFoundException)
            {
                continue;
            }
            if ((await needed(cancellationToken)).Contains(name) && TryPlace(aside, path))
            {
                continue;
            }
            File.Delete(aside);
            deleted++;
        }
        return deleted;
    }

    /// <summary>Renames <paramref name="from"/> to <paramref name="to"/> unless <paramref name="to"/> exists; then marks it used now.</summary>
    private bool TryPlace(string from, string to)
    {
        try
        {
            File.Move(from, to, overwrite: false);
            return true;
        }
        catch (IOException) when (File.Exists(to))
        {
            // The same bytes are there already: they are kept, and marked as used now so pruning leaves them alone.
            File.SetLastWriteTimeUtc(to, _time.GetUtcNow().UtcDateTime);
            return false;
        }
    }

    /// <summary>
    /// The store key of a source: from a <c>blob:</c> reference, or from a <c>file://</c> location inside the store, which
    /// records of earlier versions hold. Null for anything else.
    /// </summary>
    public string? KeyOf(string? sourceUri) =>
        sourceUri is null ? null
        : BlobReference.IsBlob(sourceUri) ? BlobReference.KeyOf(sourceUri)
        : Uri.TryCreate(sourceUri, UriKind.Absolute, out var uri) && uri.IsFile ? store.KeyOf(uri.LocalPath)
        : Path.IsPathFullyQualified(sourceUri) ? store.KeyOf(sourceUri) : null;

    /// <summary>The local file of a source: a <c>blob:</c> reference in this store, a <c>file://</c> URI or a path (earlier versions' records).</summary>
    public string LocalPath(string sourceUri) =>
        BlobReference.KeyOf(sourceUri) is { } key ? store.LocalPath(key)
        : Uri.TryCreate(sourceUri, UriKind.Absolute, out var uri) && uri.IsFile ? Path.GetFullPath(uri.LocalPath)
        : Path.GetFullPath(sourceUri);

    /// <summary>True when <paramref name="sourceUri"/> is in this store's sources (so the gateway may move or delete it).</summary>
    public bool Owns(string sourceUri) =>
        BlobReference.KeyOf(sourceUri) is { } key
            ? key.StartsWith(BlobKeys.Sources + "/", StringComparison.Ordinal) || key.StartsWith(BlobKeys.Content + "/", StringComparison.Ordinal)
            : LocalPath(sourceUri).StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>The documents' folders present, with the one file each holds (null when empty).</summary>
    public IEnumerable<(string Id, string? File)> Enumerate()
    {
        if (!Directory.Exists(Root))
        {
            yield break;
        }
        foreach (var directory in Directory.EnumerateDirectories(Root))
        {
            yield return (Path.GetFileName(directory), Directory.EnumerateFiles(directory).FirstOrDefault(f => !f.EndsWith(".blob-tmp", StringComparison.Ordinal)));
        }
    }
}

/// <summary>Bytes stored under their hash by <see cref="BlobFolder.StoreAsync"/>.</summary>
/// <param name="Key">Their key (<c>content/sha256/&lt;hash&gt;</c>).</param>
/// <param name="Sha256">Their SHA-256, lower-case hexadecimal.</param>
/// <param name="SizeBytes">Their size.</param>
/// <param name="Spare">The copy held back because the same bytes were stored already, until <see cref="BlobFolder.Confirm"/>.</param>
public sealed record StoredContent(string Key, string Sha256, long SizeBytes, string? Spare);
