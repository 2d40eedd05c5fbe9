using Annotate.Annotators.Documents;

namespace Annotate.Annotators.KeyValues;

/// <summary>Label/value pairs in running text: the lines of headings, paragraphs and lists (text, Markdown, DOCX, PDF pages without word positions).</summary>
internal static class TextPairs
{
    /// <summary>Most characters of one block read for pairs: forms are short lines, and a huge block is prose.</summary>
    public const int MaxBlockChars = 100_000;

    public static void Find(Document document, ISet<int> skipPages, List<FoundPair> pairs, int maxPairs, CancellationToken cancellationToken)
    {
        // A label alone at the end of a block ("Bill to:") takes the first line of the next text block.
        (string Label, SourceLocation Location)? waiting = null;
        for (var index = 0; index < document.Blocks.Count && pairs.Count < maxPairs; index++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var block = document.Blocks[index];
            if (block is TableBlock || (block.Location.Page is { } page && skipPages.Contains(page)))
            {
                waiting = null;
                continue;
            }
            var text = block.Text.Length > MaxBlockChars ? block.Text[..MaxBlockChars] : block.Text;
            var location = block.Location with { Block = index };
            var start = 0;
            while (start <= text.Length && pairs.Count < maxPairs)
            {
                var end = text.IndexOf('\n', start);
                if (end < 0)
                {
                    end = text.Length;
                }
                var tokens = Tokens(text, start, end);
                if (tokens.Count > 0)
                {
                    var words = tokens.Select(t => text[t.Start..t.End]).ToList();
                    if (waiting is { } label)
                    {
                        var spansHere = LabelLine.Find(words);
                        if (spansHere.Count == 0)
                        {
                            pairs.Add(new FoundPair(label.Label, Clean(text[tokens[0].Start..tokens[^1].End]), PairLayouts.Below, label.Location,
                                At(location, tokens[0].Start, tokens[^1].End)));
                        }
                        waiting = null;
                    }
                    foreach (var span in LabelLine.Find(words))
                    {
                        var labelText = LabelText(words, span);
                        var labelLocation = At(location, tokens[span.LabelFrom].Start, tokens[span.LabelTo - 1].End);
                        if (span.LabelOnly)
                        {
                            waiting = span.Colon && span.LabelFrom == 0 ? (labelText, labelLocation) : null;
                            continue;
                        }
                        pairs.Add(new FoundPair(labelText, Clean(text[tokens[span.ValueFrom].Start..tokens[span.ValueTo - 1].End]), PairLayouts.Inline,
                            labelLocation, At(location, tokens[span.ValueFrom].Start, tokens[span.ValueTo - 1].End)));
                    }
                }
                start = end + 1;
            }
        }
    }

    /// <summary>The label of a span as written, without the colon that ends it.</summary>
    public static string LabelText(IReadOnlyList<string> words, LineSpan span) =>
        LabelLine.Join(words, span.LabelFrom, span.LabelTo).TrimEnd(':', ' ').Trim();

    /// <summary>A value without the punctuation that separates it from what follows.</summary>
    public static string Clean(string value) => value.Trim().TrimEnd(',', ';', '|', '·').Trim();

    private static SourceLocation At(SourceLocation block, int start, int end) => block with { Offset = start, Length = end - start };

    /// <summary>The whitespace-separated words of <c>text[start..end]</c> with their offsets, at most <see cref="LabelLine.MaxTokens"/>.</summary>
    internal static List<(int Start, int End)> Tokens(string text, int start, int end)
    {
        var tokens = new List<(int, int)>();
        var i = start;
        while (i < end && tokens.Count < LabelLine.MaxTokens)
        {
            while (i < end && char.IsWhiteSpace(text[i]))
            {
                i++;
            }
            var from = i;
            while (i < end && !char.IsWhiteSpace(text[i]))
            {
                i++;
            }
            if (i > from)
            {
                tokens.Add((from, i));
            }
        }
        return tokens;
    }
}
