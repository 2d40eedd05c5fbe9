using System.Text;
using System.Text.RegularExpressions;
using Annotate.Annotators.Documents;

namespace Annotate.Annotators.Semantic;

/// <summary>A sentence (or list item, or heading) of the document with where it is.</summary>
/// <param name="Text">The text exactly as in the block.</param>
/// <param name="Index">Position among the document's sentences.</param>
/// <param name="Location">Block, offset and length in the block's text.</param>
/// <param name="IsHeading">True for a heading's text.</param>
internal sealed record Sentence(string Text, int Index, SourceLocation Location, bool IsHeading)
{
    public int Words { get; } = Text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;

    /// <summary>
    /// True when it reads as a sentence: it begins with a letter not in lower case, a digit, an opening quote or bracket
    /// (not a bullet, an option or a prompt), and ends at a full stop, a question or
    /// exclamation mark or an ellipsis (or their forms in other scripts), before any closing quotes or brackets. A
    /// form's label line (<c>Total: 268.94 EUR</c>), a table row written as text, a list fragment and the rest of a
    /// sentence a line break cut (<c>provide the argument --project on the command line.</c>) do not.
    /// </summary>
    public bool ReadsAsSentence => DocumentSentences.ReadsAsSentence(Text);
}

/// <summary>Cuts the running text of a document (headings, paragraphs, list items; not tables) into sentences.</summary>
internal static partial class DocumentSentences
{
    // A sentence longer than this is cut: the encoder reads ~256 word pieces of it anyway.
    private const int MaxSentenceCharacters = 1_000;

    // Ends at . ! ? … and their CJK forms followed by space and something that does not continue a sentence
    // (a lower-case letter or a digit: "z. B. der", "Nr. 5"), at a blank line, and at a line break unless the next line
    // goes on in lower case: text wrapped at 72 columns (a licence, an e-mail, an RFC) is wrapped sentences, not one
    // sentence a line.
    [GeneratedRegex(@"(?<=[.!?…。！？])\s+(?=[^\p{Ll}\d])|\n[^\S\n]*\n\s*|\n(?![^\S\n]*\p{Ll})\s*", RegexOptions.CultureInvariant)]
    private static partial Regex Boundary();

    /// <summary>A word, as the keywords and the summary's ranking take words: a letter, then letters, marks, digits, apostrophes, hyphens.</summary>
    [GeneratedRegex(@"\p{L}[\p{L}\p{M}\p{Nd}'’-]*", RegexOptions.CultureInvariant)]
    internal static partial Regex Word();

    // The marks a sentence ends at, as the boundary's look-behind has them and in the scripts it does not split.
    private const string FinalMarks = ".!?…。！？।؟۔";

    // A paragraph whose longest line is at least this long, of at least WrappedLines lines, may be wrapped at a width.
    private const int WrapWidth = 60;
    private const int WrappedLines = 3;

    /// <summary>
    /// Where the sentences of a block's text end (<see cref="Boundary"/>'s matches), less the line breaks that wrap a
    /// sentence at a fixed width: in a paragraph of three lines or more whose longest is 60 characters or more, a line
    /// of at least four fifths of that width that ends without a stop or a colon, followed by a letter, goes on in the
    /// next line whatever that letter's case ("…the GNU General Public\nLicense as published…").
    /// </summary>
    internal static List<(int Index, int Length)> Boundaries(string text)
    {
        var width = Width(text);
        var boundaries = new List<(int Index, int Length)>();
        foreach (var match in Boundary().EnumerateMatches(text))
        {
            if (width == 0 || !WrapsAtWidth(text, match.Index, match.Length, width))
            {
                boundaries.Add((match.Index, match.Length));
            }
        }
        return boundaries;
    }

    /// <summary>The longest line's length when the text may be wrapped at a width, else 0.</summary>
    private static int Width(string text)
    {
        int lines = 0, longest = 0;
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            lines++;
            longest = Math.Max(longest, line.TrimEnd().Length);
        }
        return lines >= WrappedLines && longest >= WrapWidth ? longest : 0;
    }

    private static bool WrapsAtWidth(string text, int index, int length, int width)
    {
        var gap = text.AsSpan(index, length);
        if (index == 0 || gap.Count('\n') != 1 || index + length >= text.Length || !char.IsLetter(text[index + length]))
        {
            return false;
        }
        var lineStart = text.LastIndexOf('\n', index - 1) + 1;
        var line = text.AsSpan(lineStart, index - lineStart).TrimEnd();
        return line.Length * 5 >= width * 4 && line.Length > 0 && !FinalMarks.Contains(line[^1]) && line[^1] is not (':' or ';');
    }

    // A sentence begins with a letter not in lower case, a digit, an opening quote or bracket, or an inverted mark; not
    // with a bullet, an option (--instance), a prompt ($ ls) or the lower-case rest of a sentence a line break cut.
    private static bool BeginsAsSentence(char first) =>
        (char.IsLetterOrDigit(first) && !char.IsLower(first)) || "\"'‘“„«‹([¿¡「『（".Contains(first);

    /// <summary>
    /// Whether <paramref name="text"/> begins as a sentence (a letter not in lower case, a digit, an opening quote or
    /// bracket) and ends at a sentence's final mark, before any closing quotes or brackets (<see cref="Sentence.ReadsAsSentence"/>).
    /// </summary>
    internal static bool ReadsAsSentence(string text)
    {
        var trimmed = text.AsSpan().Trim();
        var end = trimmed.TrimEnd("\"'’”»)]」』）");
        return end.Length > 0 && BeginsAsSentence(trimmed[0]) && FinalMarks.Contains(end[^1]);
    }

    /// <summary>The first <paramref name="max"/> sentences with at least one letter, in reading order.</summary>
    public static IReadOnlyList<Sentence> Read(Document document, int max, CancellationToken cancellationToken)
    {
        var sentences = new List<Sentence>();
        for (var b = 0; b < document.Blocks.Count && sentences.Count < max; b++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var block = document.Blocks[b];
            if (block.Kind == BlockKind.Table)
            {
                continue;
            }
            var text = block.Text;
            var start = 0;
            foreach (var boundary in Boundaries(text))
            {
                Add(sentences, block, b, text, start, boundary.Index);
                start = boundary.Index + boundary.Length;
                if (sentences.Count >= max)
                {
                    break;
                }
            }
            if (sentences.Count < max)
            {
                Add(sentences, block, b, text, start, text.Length);
            }
        }
        return sentences;
    }

    private static void Add(List<Sentence> sentences, Block block, int blockIndex, string text, int start, int end)
    {
        while (start < end && char.IsWhiteSpace(text[start]))
        {
            start++;
        }
        while (end > start && char.IsWhiteSpace(text[end - 1]))
        {
            end--;
        }
        end = Math.Min(end, start + MaxSentenceCharacters);
        var span = text.AsSpan(start, end - start);
        var hasLetter = false;
        foreach (var c in span)
        {
            if (char.IsLetter(c))
            {
                hasLetter = true;
                break;
            }
        }
        if (hasLetter)
        {
            sentences.Add(new Sentence(span.ToString(), sentences.Count, block.Location with { Block = blockIndex, Offset = start, Length = end - start },
                block.Kind == BlockKind.Heading));
        }
    }

    // A label that opens a line: "Invoice number:", "Sort code:", "Date :".
    [GeneratedRegex(@"^[^\S\n]*(?<label>[\p{L}][\p{L}\p{M}\d .'’/&()°#-]{1,40}?)[^\S\n]*:", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex LineLabel();

    /// <summary>
    /// The document's skeleton within the first <paramref name="maxCharacters"/>: headings, table headers and the labels
    /// that open lines ("Invoice number:"), one per line. It says what kind of document this is more than the
    /// content does: a paper on soil sensors and one on credit scoring share "Abstract, Introduction, References".
    /// </summary>
    public static string Skeleton(Document document, int maxCharacters, CancellationToken cancellationToken)
    {
        var skeleton = new StringBuilder();
        var read = 0;
        for (var b = 0; b < document.Blocks.Count && read < maxCharacters && skeleton.Length < maxCharacters; b++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var block = document.Blocks[b];
            switch (block)
            {
                case HeadingBlock heading:
                    skeleton.Append(heading.Content).Append('\n');
                    break;
                case TableBlock table:
                    if (table.HasHeaderRow)
                    {
                        skeleton.AppendJoin(", ", table.Columns).Append('\n');
                    }
                    break;
                default:
                    var text = block.Text;
                    foreach (Match match in LineLabel().Matches(text.Length > maxCharacters ? text[..maxCharacters] : text))
                    {
                        skeleton.Append(match.Groups["label"].ValueSpan).Append('\n');
                    }
                    break;
            }
            read += block.Kind == BlockKind.Table ? 0 : block.Text.Length;
        }
        return skeleton.ToString();
    }

    /// <summary>The document's text from its first blocks (tables included), at most <paramref name="maxCharacters"/>.</summary>
    public static (string Text, SourceLocation? Start) Head(Document document, int maxCharacters, CancellationToken cancellationToken)
    {
        var head = new StringBuilder();
        SourceLocation? start = null;
        for (var b = 0; b < document.Blocks.Count && head.Length < maxCharacters; b++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var text = document.Blocks[b].Text;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }
            start ??= document.Blocks[b].Location with { Block = b };
            if (head.Length > 0)
            {
                head.Append('\n');
            }
            head.Append(text.AsSpan(0, Math.Min(text.Length, maxCharacters - head.Length)));
        }
        return (head.ToString(), start);
    }
}
