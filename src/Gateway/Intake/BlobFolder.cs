using Annotate.Hosting.Blobs;

namespace Annotate.Gateway.Intake;

/// <summary>
/// The gateway's side of the blob store's sources: where an accepted document's bytes are kept until they are annotated
/// (<c>sources/&lt;id&gt;/&lt;name&gt;</c>), and the <c>blob:</c> references the commands carry. Intake moves a claimed inbox
/// file in with a rename, so it needs the store to be a folder this machine sees (the default, or a shared volume).
/// </summary>
public sealed class BlobFolder(FileSystemBlobStore store)
{
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
            && key.StartsWith($"{BlobKeys.Sources}/{record.Id}/", StringComparison.Ordinal) ? key : null;

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
            ? key.StartsWith(BlobKeys.Sources + "/", StringComparison.Ordinal)
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
