namespace Annotate.Annotators.Readers.Pdf;

/// <summary>Lines of a column that belong together (a paragraph, a heading, a list), top to bottom, with their extent.</summary>
internal sealed class PdfTextBlock
{
    public List<PdfTextBlocks.Line> Lines { get; } = [];

    /// <summary>Bottom of the lowest glyph, in the words' upright frame.</summary>
    public double Bottom { get; private set; } = double.PositiveInfinity;

    /// <summary>Top of the highest glyph, in the words' upright frame.</summary>
    public double Top { get; private set; } = double.NegativeInfinity;

    /// <summary>Right end of the longest line.</summary>
    public double Right { get; private set; } = double.NegativeInfinity;

    public void Add(PdfTextBlocks.Line line)
    {
        Lines.Add(line);
        Bottom = Math.Min(Bottom, line.Bottom);
        Top = Math.Max(Top, line.Top);
        Right = Math.Max(Right, line.Right);
    }
}

/// <summary>
/// Groups the words of one column into lines (words on the same baseline, or vertically overlapping, left to right) and
/// the lines into blocks, top to bottom: a block ends where the space to the next line is wider than the column's usual
/// line spacing, where the font size or weight changes, and where a short line is followed by an indented one (a new
/// paragraph set without space between paragraphs, as LaTeX does).
/// </summary>
internal static class PdfTextBlocks
{
    /// <summary>A word joins a line when their vertical extents overlap by more than this share of the smaller one.</summary>
    private const double LineOverlap = 0.5;

    /// <summary>Lines further apart than this many times the usual line spacing are in different blocks.</summary>
    private const double BlockSpacing = 1.3;

    /// <summary>Spacing assumed for a column whose lines show none usual, as a share of the font size.</summary>
    private const double DefaultSpacing = 1.2;

    /// <summary>Font sizes that differ by more than this share are different fonts (a heading and its text).</summary>
    private const double SizeChange = 0.1;

    /// <summary>A first line indented by at least this many font sizes, after a short line, starts a paragraph.</summary>
    private const double Indent = 0.8;

    /// <summary>An indent wider than this many font sizes is not a paragraph's (centred text, a table).</summary>
    private const double MaxIndent = 5;

    /// <summary>A line that ends this many font sizes before the block's right edge ends a paragraph.</summary>
    private const double ShortLine = 1.5;

    /// <summary>A line of words, left to right.</summary>
    internal sealed class Line
    {
        public List<PdfWord> Words { get; } = [];

        public double Baseline { get; set; }

        /// <summary>Vertical extent used to group words: from a little below the baseline to the top of capitals.</summary>
        public double Low { get; set; }

        public double High { get; set; }

        /// <summary>Size of the word that set the line's extent (its largest).</summary>
        public double ExtentSize { get; set; }

        public double Left { get; set; }
        public double Right { get; set; }
        public double Bottom { get; set; }
        public double Top { get; set; }

        /// <summary>Median font size of the line's glyphs.</summary>
        public double FontSize { get; set; }

        /// <summary>True when at least nine in ten glyphs are bold.</summary>
        public bool Bold { get; set; }
    }

    /// <summary>Adds the blocks of one column's words to <paramref name="blocks"/>, top to bottom.</summary>
    public static void Build(IReadOnlyList<PdfWord> words, List<PdfTextBlock> blocks)
    {
        var lines = Lines(words);
        if (lines.Count == 0)
        {
            return;
        }
        var spacing = UsualSpacing(lines);
        var columnLeft = double.PositiveInfinity;
        foreach (var line in lines)
        {
            columnLeft = Math.Min(columnLeft, line.Left);
        }
        PdfTextBlock? block = null;
        Line? previous = null;
        foreach (var line in lines)
        {
            if (block is null || StartsBlock(previous!, line, block, spacing, columnLeft))
            {
                block = new PdfTextBlock();
                blocks.Add(block);
            }
            block.Add(line);
            previous = line;
        }
    }

    private static bool StartsBlock(Line previous, Line line, PdfTextBlock block, double spacing, double columnLeft)
    {
        var size = Math.Max(previous.FontSize, line.FontSize);
        if (Math.Abs(previous.FontSize - line.FontSize) > size * SizeChange || previous.Bold != line.Bold)
        {
            return true;
        }
        var pitch = previous.Baseline - line.Baseline;
        if (pitch > Math.Max(spacing, size * DefaultSpacing) * BlockSpacing)
        {
            return true;
        }
        var indent = line.Left - columnLeft;
        return previous.Right < block.Right - (ShortLine * size)
               && indent >= Indent * size && indent <= MaxIndent * size
               && line.Left > previous.Left + (Indent * size / 2);
    }

    /// <summary>The most common baseline-to-baseline distance between neighbouring lines of the same size, to half a point.</summary>
    private static double UsualSpacing(List<Line> lines)
    {
        Dictionary<int, int>? counts = null;
        for (var i = 1; i < lines.Count; i++)
        {
            var (above, below) = (lines[i - 1], lines[i]);
            var size = Math.Max(above.FontSize, below.FontSize);
            var pitch = above.Baseline - below.Baseline;
            if (Math.Abs(above.FontSize - below.FontSize) > size * SizeChange || pitch < size * 0.5 || pitch > size * 3)
            {
                continue;
            }
            counts ??= [];
            var key = (int)Math.Round(pitch * 2);
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }
        if (counts is null)
        {
            return 0;
        }
        var (best, bestCount) = (0, 0);
        foreach (var (key, count) in counts)
        {
            if (count > bestCount || (count == bestCount && key < best))
            {
                (best, bestCount) = (key, count);
            }
        }
        return best / 2.0;
    }

    /// <summary>Words sorted once by baseline, top down, and swept into lines.</summary>
    private static List<Line> Lines(IReadOnlyList<PdfWord> words)
    {
        var sorted = words.ToArray();
        Array.Sort(sorted, static (a, b) =>
        {
            var byBaseline = b.Baseline.CompareTo(a.Baseline);
            return byBaseline != 0 ? byBaseline : a.Left.CompareTo(b.Left);
        });
        var lines = new List<Line>();
        Line? line = null;
        foreach (var word in sorted)
        {
            var (low, high) = Extent(word);
            if (line is not null)
            {
                var overlap = Math.Min(line.High, high) - Math.Max(line.Low, low);
                if (overlap > Math.Min(line.High - line.Low, high - low) * LineOverlap)
                {
                    line.Words.Add(word);
                    if (word.FontSize > line.ExtentSize)
                    {
                        // The line's largest words decide where it is: a superscript met first does not.
                        (line.Low, line.High, line.ExtentSize, line.Baseline) = (low, high, word.FontSize, word.Baseline);
                    }
                    continue;
                }
            }
            line = new Line { Low = low, High = high, ExtentSize = word.FontSize, Baseline = word.Baseline };
            line.Words.Add(word);
            lines.Add(line);
        }
        foreach (var each in lines)
        {
            Finish(each);
        }
        return lines;
    }

    private static (double Low, double High) Extent(PdfWord word) =>
        (word.Baseline - (word.FontSize * 0.2), word.Baseline + (word.FontSize * 0.7));

    private static void Finish(Line line)
    {
        var words = line.Words;
        if (words.Count > 1)
        {
            words.Sort(static (a, b) => a.Left.CompareTo(b.Left));
        }
        var (left, right, bottom, top) = (double.PositiveInfinity, double.NegativeInfinity, double.PositiveInfinity, double.NegativeInfinity);
        var (glyphs, bold) = (0, 0);
        foreach (var word in words)
        {
            left = Math.Min(left, word.Left);
            right = Math.Max(right, word.Right);
            bottom = Math.Min(bottom, word.Bottom);
            top = Math.Max(top, word.Top);
            glyphs += word.Glyphs;
            bold += word.BoldGlyphs;
        }
        (line.Left, line.Right, line.Bottom, line.Top) = (left, right, bottom, top);
        line.Bold = bold >= glyphs * 0.9;
        line.FontSize = MedianSize(words, glyphs);
    }

    /// <summary>The size of the middle glyph when the glyphs are ordered by size (each word counted with its glyphs).</summary>
    private static double MedianSize(List<PdfWord> words, int glyphs)
    {
        var size = words[0].FontSize;
        var oneSize = true;
        for (var i = 1; i < words.Count && oneSize; i++)
        {
            oneSize = words[i].FontSize == size;
        }
        if (oneSize)
        {
            // The common line, set in one size: no copy to sort.
            return size;
        }
        var bySize = words.ToArray();
        Array.Sort(bySize, static (a, b) => a.FontSize.CompareTo(b.FontSize));
        var middle = glyphs / 2;
        var seen = 0;
        foreach (var word in bySize)
        {
            seen += word.Glyphs;
            if (seen > middle)
            {
                return word.FontSize;
            }
        }
        return bySize[^1].FontSize;
    }
}
