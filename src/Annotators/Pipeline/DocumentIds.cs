using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Annotate.Annotators.Pipeline;

/// <summary>Rules for document identifiers, which name folders and so must be safe path segments.</summary>
public static partial class DocumentIds
{
    /// <summary>True when <paramref name="id"/> is 1–64 letters, digits, '-', '_' or '.', and not '.' or '..'.</summary>
    public static bool IsValid(string? id) => id is not null && id is not "." and not ".." && Pattern().IsMatch(id);

    /// <summary>
    /// The id of the <paramref name="index"/>-th file found inside document <paramref name="parentId"/> (an e-mail's
    /// attachment, a ZIP entry): 32 hex digits of a SHA-256 of both, so the same parent always names its children alike
    /// and an event delivered twice creates no second child.
    /// </summary>
    public static string ForPart(string parentId, int index) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{parentId}/part/{index.ToString(CultureInfo.InvariantCulture)}")))[..32];

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex Pattern();
}
