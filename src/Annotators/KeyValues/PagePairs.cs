using Annotate.Annotators.Documents;

namespace Annotate.Annotators.KeyValues;

/// <summary>
/// Label/value pairs from the words of PDF pages and their boxes: words are grouped into lines, lines into segments
/// where a wide gap sets them apart (the columns of a form), and a label segment takes the segment beside it or the
/// one below it that it overlaps.
/// </summary>
internal static class PagePairs
{
    /// <summary>A gap between two words wider than this many times the line's height sets them apart as segments.</summary>
    private const double SegmentGap = 1.2;

    /// <summary>A value below its label starts within this many label heights below it.</summary>
    private const double BelowDistance = 2.5;

    /// <summary>Lines looked at below a label, so a page of thousands of lines costs no more than a form.</summary>
    private const int MaxLinesBelow = 8;

    /// <summary>Returns the pages read from their words (their text blocks need not be read again).</summary>
    public static ISet<int> Find(Document document, List<FoundPair> pairs, int maxPairs, CancellationToken cancellationToken)
    {
        var read = new HashSet<int>();
        foreach (var page in document.PageWords)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (pairs.Count >= maxPairs || page.Words.Count == 0)
            {
                continue;
            }
            read.Add(page.Page);
            FindOnPage(page, pairs, maxPairs);
        }
        return read;
    }

    /// <summary>
    /// A run of a line's words (a range of the page's words in line order), with its box, its tokens and the label spans
    /// in them, each found once: every line of every page of a long document is one or more segments.
    /// </summary>
    private sealed class Segment(ArraySegment<PageWord> words, int line)
    {
        private List<LineSpan>? _spans;

        public int Line { get; } = line;

        public PageBox Box { get; } = BoxOf(words);

        public string[] Tokens { get; } = TokensOf(words);

        public bool Used { get; set; }

        /// <summary>The label/value spans of the tokens (<see cref="LabelLine.Find"/>), found on first use.</summary>
        public List<LineSpan> Spans => _spans ??= LabelLine.Find(Tokens);

        public PageBox BoxOf(int from, int to) => BoxOf(words.Slice(from, to - from));

        public string TextOf(int from, int to) => LabelLine.Join(Tokens, from, to);

        private static PageBox BoxOf(ArraySegment<PageWord> words)
        {
            var box = words[0].Box;
            for (var i = 1; i < words.Count; i++)
            {
                box = box.Union(words[i].Box);
            }
            return box;
        }

        private static string[] TokensOf(ArraySegment<PageWord> words)
        {
            var tokens = new string[words.Count];
            for (var i = 0; i < tokens.Length; i++)
            {
                tokens[i] = words[i].Text;
            }
            return tokens;
        }
    }

    private static void FindOnPage(PageWords page, List<FoundPair> pairs, int maxPairs)
    {
        var lines = Lines(page.Words);
        var heights = new double[lines.Count == 0 ? 0 : lines.Max(line => line.Count)];
        var segments = new List<List<Segment>>(lines.Count);
        for (var i = 0; i < lines.Count; i++)
        {
            segments.Add(Segments(lines[i], i, heights));
        }
        foreach (var lineSegments in segments)
        {
            for (var s = 0; s < lineSegments.Count && pairs.Count < maxPairs; s++)
            {
                var segment = lineSegments[s];
                var spans = segment.Spans;
                foreach (var span in spans.Where(x => !x.LabelOnly))
                {
                    pairs.Add(new FoundPair(TextPairs.LabelText(segment.Tokens, span),
                        TextPairs.Clean(segment.TextOf(span.ValueFrom, span.ValueTo)), PairLayouts.Inline,
                        At(page.Page, segment.BoxOf(span.LabelFrom, span.LabelTo)), At(page.Page, segment.BoxOf(span.ValueFrom, span.ValueTo))));
                    segment.Used = true;
                }
                if (spans.Count == 0 || !spans[^1].LabelOnly)
                {
                    continue;
                }
                var waiting = spans[^1];
                var label = TextPairs.LabelText(segment.Tokens, waiting);
                var labelBox = segment.BoxOf(waiting.LabelFrom, waiting.LabelTo);
                if (spans.Count == 1 && s + 1 < lineSegments.Count && IsValue(lineSegments[s + 1], waiting.Colon))
                {
                    var value = lineSegments[s + 1];
                    pairs.Add(new FoundPair(label, TextPairs.Clean(value.TextOf(0, value.Tokens.Length)), PairLayouts.Beside, At(page.Page, labelBox), At(page.Page, value.Box)));
                    segment.Used = value.Used = true;
                    s++;
                    continue;
                }
                if (Below(segments, segment, labelBox, waiting.Colon) is { } below)
                {
                    pairs.Add(new FoundPair(label, TextPairs.Clean(below.TextOf(0, below.Tokens.Length)), PairLayouts.Below, At(page.Page, labelBox), At(page.Page, below.Box)));
                    segment.Used = below.Used = true;
                }
            }
        }
    }

    /// <summary>
    /// The segment right under a label that overlaps it horizontally, unless the same column goes on below it at the
    /// same spacing (a table's column under its header, not one value).
    /// </summary>
    private static Segment? Below(List<List<Segment>> segments, Segment label, PageBox labelBox, bool colon)
    {
        var height = Math.Max(1, labelBox.Height);
        Segment? found = null;
        for (var line = label.Line + 1; line < Math.Min(segments.Count, label.Line + MaxLinesBelow); line++)
        {
            var under = segments[line].FirstOrDefault(s => Overlaps(s.Box, labelBox));
            if (under is null)
            {
                if (segments[line].Count > 0 && segments[line][0].Box.Top < labelBox.Bottom - (BelowDistance * height))
                {
                    return found;
                }
                continue;
            }
            if (found is null)
            {
                if (labelBox.Bottom - under.Box.Top > BelowDistance * height || under.Used || !IsValue(under, colon))
                {
                    return null;
                }
                found = under;
                continue;
            }
            var spacing = labelBox.Bottom - found.Box.Top;
            var nextSpacing = found.Box.Bottom - under.Box.Top;
            // Another value in the same column at about the same spacing: a column of a table.
            return !colon && nextSpacing <= Math.Max(spacing, height) * 1.5 && IsValue(under, colon: false) ? null : found;
        }
        return found;
    }

    private static bool IsValue(Segment segment, bool colon)
    {
        if (segment.Used)
        {
            return false;
        }
        if (segment.Spans.Count > 0)
        {
            return false;
        }
        // Under a label that ends in a colon any text is its value ("Bill to:" over a name); otherwise a value holds a digit.
        return colon || segment.Tokens.Any(LabelLine.IsValueToken);
    }

    private static bool Overlaps(PageBox a, PageBox b) => a.Left < b.Right && b.Left < a.Right;

    private static SourceLocation At(int page, PageBox box) => new()
    {
        Page = page,
        Box = new PageBox(Math.Round(box.Left, 1), Math.Round(box.Bottom, 1), Math.Round(box.Right, 1), Math.Round(box.Top, 1)),
    };

    /// <summary>
    /// Words grouped into lines from the top of the page down, each line left to right: ranges of one array of the page's
    /// words, a line's words sorted in place.
    /// </summary>
    private static List<ArraySegment<PageWord>> Lines(IReadOnlyList<PageWord> words)
    {
        var sorted = words.OrderByDescending(w => (w.Box.Top + w.Box.Bottom) / 2).ToArray();
        var lines = new List<ArraySegment<PageWord>>();
        var start = 0;
        for (var i = 1; i <= sorted.Length; i++)
        {
            if (i < sorted.Length)
            {
                // A word whose middle is within the line's first word's height goes on that line.
                var middle = (sorted[i].Box.Top + sorted[i].Box.Bottom) / 2;
                var first = sorted[start].Box;
                if (middle >= first.Bottom && middle <= first.Top)
                {
                    continue;
                }
            }
            lines.Add(new ArraySegment<PageWord>(sorted, start, i - start));
            start = i;
        }
        foreach (var line in lines)
        {
            Array.Sort(sorted, line.Offset, line.Count, ByLeft);
        }
        return lines;
    }

    private static readonly Comparer<PageWord> ByLeft = Comparer<PageWord>.Create((a, b) => a.Box.Left.CompareTo(b.Box.Left));

    /// <summary>A line's segments; <paramref name="heights"/> is room for the line's word heights.</summary>
    private static List<Segment> Segments(ArraySegment<PageWord> line, int lineIndex, double[] heights)
    {
        for (var i = 0; i < line.Count; i++)
        {
            heights[i] = line[i].Box.Height;
        }
        Array.Sort(heights, 0, line.Count);
        var height = heights[line.Count / 2];
        var segments = new List<Segment>();
        var start = 0;
        for (var i = 1; i < line.Count; i++)
        {
            if (line[i].Box.Left - line[i - 1].Box.Right > SegmentGap * Math.Max(1, height))
            {
                segments.Add(new Segment(line.Slice(start, i - start), lineIndex));
                start = i;
            }
        }
        segments.Add(new Segment(line.Slice(start), lineIndex));
        return segments;
    }
}
