using System.Text.RegularExpressions;

namespace Annotate.Annotators.Writers.Markdown;

/// <summary>Escapes document text so that Markdown renders it as written.</summary>
internal static partial class MarkdownText
{
    /// <summary>
    /// Escapes what Markdown would read as markup: backslashes, emphasis and code markers, links, HTML, and at a
    /// line start headings, quotes, list markers and rules.
    /// </summary>
    public static string Escape(string text)
    {
        var lines = text.ReplaceLineEndings("\n").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = Inline().Replace(lines[i].Trim(), @"\$0");
            lines[i] = LineStart().Replace(line, @"$1\$2");
        }
        return string.Join('\n', lines);
    }

    /// <summary>A table cell: escaped, pipes escaped, line breaks collapsed to spaces.</summary>
    public static string Cell(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return string.Empty;
        }
        var single = Whitespace().Replace(text.ReplaceLineEndings(" "), " ").Trim();
        return Inline().Replace(single, @"\$0").Replace("|", @"\|");
    }

    /// <summary>A heading's text on one line.</summary>
    public static string Heading(string text) => Cell(text).Replace(@"\|", "|");

    [GeneratedRegex(@"[\\`*_\[\]<>]")]
    private static partial Regex Inline();

    // Group 1 keeps a leading number ("12") so that only its dot or parenthesis is escaped: "12\. ".
    [GeneratedRegex(@"^(\d{1,9})?([#>+\-=]|(?<=\d)[.)])(?=\s|$|[-=#]*$)")]
    private static partial Regex LineStart();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
