using Microsoft.Extensions.Options;

namespace Annotate.Gateway.Intake;

/// <summary>The folder where the gateway keeps accepted documents' bytes until they are annotated: <c>&lt;id&gt;/&lt;name&gt;</c>.</summary>
public sealed class BlobFolder(IOptions<GatewayOptions> options)
{
    /// <summary>Full path of the folder.</summary>
    public string Root { get; } = Path.GetFullPath(options.Value.Blobs);

    /// <summary>True when <paramref name="sourceUri"/> points into this folder (so the gateway may move or delete it).</summary>
    public bool Owns(string sourceUri)
    {
        var path = LocalPath(sourceUri);
        return path.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }

    /// <summary>Where the bytes of document <paramref name="id"/> named <paramref name="fileName"/> are kept; creates its folder.</summary>
    public string PathFor(string id, string fileName)
    {
        var directory = Path.Combine(Root, id);
        Directory.CreateDirectory(directory);
        return Path.Combine(directory, FileNames.Safe(fileName));
    }

    /// <summary>The documents' folders present, with the one file each holds (null when empty).</summary>
    public IEnumerable<(string Id, string? File)> Enumerate()
    {
        if (!Directory.Exists(Root))
        {
            yield break;
        }
        foreach (var directory in Directory.EnumerateDirectories(Root))
        {
            yield return (Path.GetFileName(directory), Directory.EnumerateFiles(directory).FirstOrDefault());
        }
    }

    /// <summary>The local path of a <c>file://</c> URI or path.</summary>
    public static string LocalPath(string sourceUri) =>
        Uri.TryCreate(sourceUri, UriKind.Absolute, out var uri) && uri.IsFile ? Path.GetFullPath(uri.LocalPath) : Path.GetFullPath(sourceUri);
}
