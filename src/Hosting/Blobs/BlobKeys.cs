namespace Annotate.Hosting.Blobs;

/// <summary>
/// The layout of keys in the blob store: <c>content/sha256/&lt;hash&gt;</c> for the bytes of a document the gateway
/// accepted, addressed by their SHA-256 (the same bytes are stored once however often they are sent);
/// <c>sources/&lt;document id&gt;/&lt;file name&gt;</c> for bytes kept per document (a file taken from the inbox until it is
/// done, bytes another system put for its command); <c>outputs/&lt;document id&gt;/&lt;file name&gt;</c> for what
/// annotating it produced.
/// </summary>
public static class BlobKeys
{
    /// <summary>First segment of source keys.</summary>
    public const string Sources = "sources";

    /// <summary>First segment of content-addressed keys.</summary>
    public const string Content = "content";

    /// <summary>Prefix of the keys of content addressed by SHA-256.</summary>
    public const string ContentPrefix = Content + "/sha256/";

    /// <summary>First segment of output keys.</summary>
    public const string Outputs = "outputs";

    /// <summary>First segment of the workers' records of finished work.</summary>
    public const string Results = "results";

    /// <summary>Key of the bytes of document <paramref name="documentId"/>.</summary>
    public static string Source(string documentId, string safeFileName) => $"{Sources}/{documentId}/{safeFileName}";

    /// <summary>Key of the bytes whose SHA-256 is <paramref name="sha256"/> (64 hexadecimal digits, written in lower case).</summary>
    public static string ContentOf(string sha256) =>
        IsSha256(sha256) ? ContentPrefix + sha256.ToLowerInvariant() : throw new ArgumentException("Not a SHA-256 in hexadecimal.", nameof(sha256));

    /// <summary>The SHA-256 a content key names, or null when <paramref name="key"/> is not one.</summary>
    public static string? Sha256Of(string? key) =>
        key is not null && key.StartsWith(ContentPrefix, StringComparison.Ordinal) && key[ContentPrefix.Length..] is var hash && IsSha256(hash)
            && !hash.Any(char.IsAsciiLetterUpper) ? hash : null;

    /// <summary>True when <paramref name="value"/> is 64 hexadecimal digits.</summary>
    public static bool IsSha256(string? value) => value is { Length: 64 } && value.All(char.IsAsciiHexDigit);

    /// <summary>Prefix of the keys of the profiles' reviewed examples (few-shot), which the gateway writes and workers read.</summary>
    public const string ExamplesPrefix = Results + "/examples/";

    /// <summary>Key of the reviewed examples of <paramref name="profile"/> (null: the default profile; names are case-insensitive).</summary>
    public static string ExamplesOf(string? profile) =>
        ExamplesPrefix + "p-" + Uri.EscapeDataString((profile ?? "default").Trim().ToLowerInvariant()) + ".json";

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
