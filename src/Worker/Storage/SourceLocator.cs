using Annotate.Annotators.Pipeline;

namespace Annotate.Worker.Storage;

/// <summary>Turns the locations carried by messages (absolute paths or <c>file://</c> URIs) into local paths.</summary>
public static class SourceLocator
{
    /// <summary>The local path of <paramref name="uri"/>, or an <c>invalid-request</c> failure for schemes this worker cannot read.</summary>
    public static string ToLocalPath(string uri, string fileName) =>
        TryToLocalPath(uri) ?? throw new AnnotationException(FailureReason.InvalidRequest,
            // The location itself is not repeated: it names another system's hosts and folders.
            $"'{fileName}': this worker reads and writes only absolute paths and file:// URIs, not {Describe(uri)}.");

    /// <summary>The local path of <paramref name="uri"/>, or null when it is neither an absolute path nor a <c>file://</c> URI.</summary>
    public static string? TryToLocalPath(string? uri)
    {
        if (string.IsNullOrWhiteSpace(uri))
        {
            return null;
        }
        if (Uri.TryCreate(uri, UriKind.Absolute, out var parsed) && parsed.IsFile)
        {
            return parsed.LocalPath;
        }
        return Path.IsPathFullyQualified(uri) ? uri : null;
    }

    private static string Describe(string uri) =>
        Uri.TryCreate(uri, UriKind.Absolute, out var parsed) ? $"'{parsed.Scheme}:' locations" : "relative paths";
}
