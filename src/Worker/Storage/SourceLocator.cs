using Annotate.Annotators.Pipeline;

namespace Annotate.Worker.Storage;

/// <summary>Turns the locations carried by messages (absolute paths or <c>file://</c> URIs) into local paths.</summary>
public static class SourceLocator
{
    /// <summary>The local path of <paramref name="uri"/>, or an <c>invalid-request</c> failure for schemes this worker cannot read.</summary>
    public static string ToLocalPath(string uri, string fileName)
    {
        if (Uri.TryCreate(uri, UriKind.Absolute, out var parsed) && parsed.IsFile)
        {
            return parsed.LocalPath;
        }
        if (Path.IsPathFullyQualified(uri))
        {
            return uri;
        }
        throw new AnnotationException(FailureReason.InvalidRequest,
            $"'{fileName}': this worker cannot read from '{uri}'; use an absolute path or a file:// URI.");
    }
}
