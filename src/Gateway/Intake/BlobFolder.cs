using Microsoft.Extensions.Options;

namespace Annotate.Gateway.Intake;

/// <summary>The folder where the gateway keeps accepted documents' bytes until they are annotated.</summary>
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

    /// <summary>The local path of a <c>file://</c> URI or path.</summary>
    public static string LocalPath(string sourceUri) =>
        Uri.TryCreate(sourceUri, UriKind.Absolute, out var uri) && uri.IsFile ? Path.GetFullPath(uri.LocalPath) : Path.GetFullPath(sourceUri);
}
