using System.Text.RegularExpressions;
using Annotate.Annotators.Documents;

namespace Annotate.Annotators.Readers;

/// <summary>Tells CSV/TSV, Markdown and plain text apart from their content; the extension breaks ties.</summary>
public static partial class TextFormats
{
    private static readonly char[] Delimiters = [',', ';', '\t', '|'];

    /// <summary>Sniffs the format of decoded text.</summary>
    public static SourceFormat Sniff(string text, string fileName)
    {
        var extension = Path.GetExtension(fileName).ToLowerInvariant();
        var lines = text.Split('\n', 41).Take(40).Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToList();
        if (lines.Count > 0 && lines.Count < 40 && text.Length >= 64 * 1024)
        {
            lines.RemoveAt(lines.Count - 1); // the last line of a sniffed prefix may be cut
        }

        var delimited = DetectDelimiter(lines) is not null;
        var markdownScore = lines.Count(l => MarkdownLine().IsMatch(l));

        if (LooksLikeEmail(text, extension))
        {
            return SourceFormat.Eml;
        }
        if (LooksLikeHtml(text, extension))
        {
            return SourceFormat.Html;
        }
        if (extension is ".csv" or ".tsv" or ".tab" && delimited)
        {
            return SourceFormat.Csv;
        }
        if (extension is ".md" or ".markdown")
        {
            return SourceFormat.Markdown;
        }
        if (markdownScore >= 2 || (markdownScore == 1 && lines.Count <= 3))
        {
            return SourceFormat.Markdown;
        }
        return delimited ? SourceFormat.Csv : SourceFormat.Text;
    }

    /// <summary>
    /// An e-mail: the text starts with a block of header fields (<c>Name: value</c> lines, folded lines indented) that
    /// holds a From field and a Date, Subject, To, Message-ID or MIME-Version field (or, for an .eml name, any two of
    /// them). A text that merely starts with "From:" and a sentence stays text.
    /// </summary>
    private static bool LooksLikeEmail(string text, string extension)
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var lines = 0;
        foreach (var raw in text.Split('\n', 201).Take(200))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0)
            {
                break;
            }
            lines++;
            if (line[0] is ' ' or '\t')
            {
                if (lines == 1)
                {
                    return false;
                }
                continue;
            }
            var colon = line.IndexOf(':');
            if (colon <= 0 || !HeaderName().IsMatch(line.AsSpan(0, colon).ToString()))
            {
                // The "From " line mbox files start each message with.
                if (lines == 1 && line.StartsWith("From ", StringComparison.Ordinal))
                {
                    continue;
                }
                return false;
            }
            names.Add(line[..colon]);
        }
        string[] known = ["From", "To", "Cc", "Date", "Subject", "Message-ID", "MIME-Version", "Received", "Return-Path", "Content-Type"];
        var count = known.Count(names.Contains);
        return (names.Contains("From") && count >= 2 && (names.Contains("Date") || names.Contains("Subject") || names.Contains("MIME-Version") || names.Contains("Message-ID") || names.Contains("Received")))
            || (extension == ".eml" && count >= 2);
    }

    [GeneratedRegex("^[!-9;-~]{1,76}$")]
    private static partial Regex HeaderName();

    /// <summary>
    /// A web page: a doctype or an html element at the start, or an .html/.htm name on text that starts with a tag. A
    /// Markdown or text file that merely contains some tags stays what it is.
    /// </summary>
    private static bool LooksLikeHtml(string text, string extension)
    {
        var start = text.AsSpan().TrimStart("\uFEFF \t\r\n");
        if (start.StartsWith("<!doctype html", StringComparison.OrdinalIgnoreCase) || start.StartsWith("<html", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        return extension is ".html" or ".htm" or ".xhtml" && start.StartsWith("<") && text.Contains("</", StringComparison.Ordinal);
    }

    /// <summary>
    /// The delimiter that splits every one of the first lines into the same number (≥ 2) of fields,
    /// ignoring delimiters inside double quotes; null when none does.
    /// </summary>
    public static char? DetectDelimiter(IReadOnlyList<string> lines)
    {
        if (lines.Count < 2)
        {
            return null;
        }
        char? best = null;
        var bestFields = 1;
        foreach (var delimiter in Delimiters)
        {
            var counts = lines.Select(l => CountFields(l, delimiter)).ToList();
            var fields = counts[0];
            if (fields >= 2 && counts.All(c => c == fields) && fields > bestFields)
            {
                best = delimiter;
                bestFields = fields;
            }
        }
        return best;
    }

    private static int CountFields(string line, char delimiter)
    {
        var fields = 1;
        var quoted = false;
        foreach (var c in line)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == delimiter && !quoted)
            {
                fields++;
            }
        }
        return fields;
    }

    [GeneratedRegex(@"^(#{1,6} \S|[-*+] \S|\d+\. \S|```|\|.*\|\s*$|> \S|\[.+\]\(.+\))")]
    private static partial Regex MarkdownLine();
}
