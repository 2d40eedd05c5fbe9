namespace Annotate.Hosting.Blobs;

/// <summary>
/// The layout of keys in the blob store: <c>sources/&lt;document id&gt;/&lt;file name&gt;</c> for the bytes of a document,
/// <c>outputs/&lt;document id&gt;/&lt;file name&gt;</c> for what annotating it produced.
/// </summary>
public static class BlobKeys
{
    /// <summary>First segment of source keys.</summary>
    public const string Sources = "sources";

    /// <summary>First segment of output keys.</summary>
    public const string Outputs = "outputs";

    /// <summary>First segment of the workers' records of finished work.</summary>
    public const string Results = "results";

    /// <summary>Key of the bytes of document <paramref name="documentId"/>.</summary>
    public static string Source(string documentId, string safeFileName) => $"{Sources}/{documentId}/{safeFileName}";

    /// <summary>Prefix (ending in '/') under which the outputs of <paramref name="documentId"/> are stored.</summary>
    public static string OutputPrefix(string documentId) => $"{Outputs}/{documentId}/";

    /// <summary>
    /// True when <paramref name="key"/> is a well-formed key: segments of printable characters separated by single
    /// '/', none empty, '.' or '..', no backslash or control character, at most 1,024 characters. A key can never
    /// name a place outside the store.
    /// </summary>
    public static bool IsValid(string? key)
    {
        if (string.IsNullOrEmpty(key) || key.Length > 1024)
        {
            return false;
        }
        foreach (var segment in key.Split('/'))
        {
            if (segment.Length == 0 || segment is "." or ".." || segment.Any(c => char.IsControl(c) || c == '\\'))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>True when <paramref name="prefix"/> is empty or a valid key, optionally ending in '/'.</summary>
    public static bool IsValidPrefix(string prefix) => prefix.Length == 0 || IsValid(prefix.EndsWith('/') ? prefix[..^1] : prefix);

    /// <summary>Throws unless <paramref name="key"/> is valid.</summary>
    public static string Check(string key) =>
        IsValid(key) ? key : throw new ArgumentException("Not a valid blob key: keys are '/'-separated names, without '.', '..', empty parts or control characters.", nameof(key));
}
