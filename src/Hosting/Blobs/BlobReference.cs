namespace Annotate.Hosting.Blobs;

/// <summary>
/// The form in which messages carry a blob: <c>blob:&lt;key&gt;</c>, e.g. <c>blob:sources/0193…/invoice.pdf</c>. The key
/// is resolved against each host's own blob store, so the reference means the same on every machine.
/// </summary>
public static class BlobReference
{
    /// <summary>Scheme prefix of references.</summary>
    public const string Prefix = "blob:";

    /// <summary>The reference for <paramref name="key"/>.</summary>
    public static string For(string key) => Prefix + BlobKeys.Check(key.TrimEnd('/')) + (key.EndsWith('/') ? "/" : "");

    /// <summary>True when <paramref name="reference"/> starts with <c>blob:</c> (valid or not).</summary>
    public static bool IsBlob(string? reference) => reference?.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>The key of a <c>blob:</c> reference, or null when it is not one or its key is not valid.</summary>
    public static string? KeyOf(string? reference)
    {
        if (!IsBlob(reference))
        {
            return null;
        }
        var key = reference![Prefix.Length..];
        var bare = key.EndsWith('/') ? key[..^1] : key;
        return BlobKeys.IsValid(bare) ? key : null;
    }
}
