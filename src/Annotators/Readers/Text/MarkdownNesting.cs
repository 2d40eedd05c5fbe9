namespace Annotate.Annotators.Readers.Text;

/// <summary>
/// An upper bound on how deeply a Markdown text nests block containers (list items and block quotes), found in one
/// pass over the leading markers of each line. Markdig's work grows with depth times lines and it only gives up at its
/// depth limit after all that work (a minute for a 9 MB list 3,000 levels deep), so the reader asks this first.
/// </summary>
internal static class MarkdownNesting
{
    /// <summary>
    /// The deepest nesting any line could open, never less than Markdig would find. A line can only reach a container
    /// level through the containers above it, and each level takes a share of the line's prefix: a list item at least
    /// two columns (its marker and a space, or the indentation of its content), a block quote one '&gt;'. Tabs count
    /// as four columns, the most they can stand for. Stops reading as soon as a line exceeds <paramref name="limit"/>.
    /// </summary>
    public static int DeepestBound(string text, int limit)
    {
        var deepest = 0;
        var span = text.AsSpan();
        while (span.Length > 0)
        {
            // CommonMark ends a line at LF, CR or CRLF; a lone CR must end one too or a file could hide its nesting.
            var end = span.IndexOfAny('\n', '\r');
            var line = end < 0 ? span : span[..end];
            deepest = Math.Max(deepest, LineBound(line));
            if (deepest > limit || end < 0)
            {
                break;
            }
            span = span[(end + 1)..];
        }
        return deepest;
    }

    private static int LineBound(ReadOnlySpan<char> line)
    {
        var quotes = 0;
        var columns = 0;
        var i = 0;
        while (i < line.Length)
        {
            var c = line[i];
            if (c == ' ')
            {
                columns++;
                i++;
            }
            else if (c == '\t')
            {
                columns += 4;
                i++;
            }
            else if (c == '>')
            {
                quotes++;
                i++;
            }
            else if (c is '-' or '+' or '*' && EndsMarker(line, i + 1))
            {
                columns++;
                i++;
            }
            else if (char.IsAsciiDigit(c) && OrderedMarkerLength(line[i..]) is > 0 and var length)
            {
                columns += length;
                i += length;
            }
            else
            {
                break;
            }
        }
        // Round up and add one: the innermost marker of a line may stand alone, without its space.
        return quotes + ((columns + 1) / 2) + 1;
    }

    /// <summary>Length of an ordered list marker (1–9 digits and '.' or ')') at the start of <paramref name="text"/>, or 0.</summary>
    private static int OrderedMarkerLength(ReadOnlySpan<char> text)
    {
        var digits = 0;
        while (digits < text.Length && digits < 9 && char.IsAsciiDigit(text[digits]))
        {
            digits++;
        }
        return digits < text.Length && text[digits] is '.' or ')' && EndsMarker(text, digits + 1) ? digits + 1 : 0;
    }

    private static bool EndsMarker(ReadOnlySpan<char> line, int next) => next >= line.Length || line[next] is ' ' or '\t';
}
