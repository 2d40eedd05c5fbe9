using System.Text.RegularExpressions;
using Annotate.Annotators.Readers;

namespace Annotate.Annotators.Pipeline;

/// <summary>
/// Keeps the server's folders out of messages users see: a library's exception message (an <see cref="IOException"/>,
/// a parser's) often holds the full path it failed on, and a user knows the document only by its file name.
/// </summary>
public static class ServerPaths
{
    /// <summary>
    /// <paramref name="message"/> with the source's path (plain or as a <c>file://</c> URI) replaced by its file name,
    /// and other paths in its folder shortened to their names.
    /// </summary>
    public static string Hide(string message, DocumentSource source)
    {
        message = Replace(message, source.Path, source.FileName);
        var folder = Path.GetDirectoryName(Path.GetFullPath(source.Path));
        return folder is null ? message : Replace(message, folder, $"the folder of '{source.FileName}'");
    }

    /// <summary>
    /// <paramref name="message"/> with every spelling of <paramref name="path"/> (as given, full, as a <c>file://</c> URI,
    /// escaped or not) replaced by <paramref name="shownAs"/>; a path inside it keeps only the part below it.
    /// A file-system root is never replaced: it would take every '/' of the message with it.
    /// </summary>
    public static string Replace(string message, string path, string shownAs)
    {
        if (string.IsNullOrEmpty(message) || string.IsNullOrWhiteSpace(path))
        {
            return message;
        }
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        if (string.Equals(Path.GetPathRoot(full), full, StringComparison.OrdinalIgnoreCase))
        {
            return message;
        }
        var uri = new Uri(full).AbsoluteUri;
        // Longest first, so a URI is replaced whole before its plain path inside it is.
        var spellings = new[] { uri, Uri.UnescapeDataString(uri), full, full.Replace('\\', '/'), path }
            .Where(s => s.Length > 0)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .OrderByDescending(s => s.Length)
            .ToList();
        foreach (var spelling in spellings)
        {
            // A path below it keeps the part below ("<path>/a/b.txt" becomes "a/b.txt") so a message still says which
            // file; a longer name that merely starts the same ("<path>2") is someone else's and stays.
            var pattern = Regex.Escape(spelling) + @"(?:[/\\]|(?![\w-]|\.\w))";
            message = Regex.Replace(message, pattern, m => m.Value.Length > spelling.Length ? string.Empty : shownAs,
                RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        }
        return message;
    }
}
