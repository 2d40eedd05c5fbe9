using System.Text.RegularExpressions;

namespace Annotate.Annotators.Pipeline;

/// <summary>Rules for document identifiers, which name folders and so must be safe path segments.</summary>
public static partial class DocumentIds
{
    /// <summary>True when <paramref name="id"/> is 1–64 letters, digits, '-', '_' or '.', and not '.' or '..'.</summary>
    public static bool IsValid(string? id) => id is not null && id is not "." and not ".." && Pattern().IsMatch(id);

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex Pattern();
}
