using System.Buffers;

namespace Annotate.Annotators.Readers.Pdf;

/// <summary>
/// Splits a page's words into regions in reading order at column gutters: vertical strips of white space that
/// run through several consecutive lines with text on both sides. Lines are grouped within a region only, so the lines of
/// two columns are never taken for one line even where the gutter is barely wider than a word space (LaTeX's two-column layout).
/// </summary>
internal static class PdfColumns
{
    /// <summary>A gutter must cross at least this many consecutive lines that have text on both of its sides.</summary>
    private const int MinimumLines = 5;

    /// <summary>Each column must be at least this share of the region's width, so table columns are not taken for text columns.</summary>
    private const double MinimumColumnShare = 0.2;

    private const int MaximumDepth = 4;

    /// <summary>Most line × candidate states a region is searched with (a byte each); a region past it (thousands of lines
    /// on a page thousands of points wide: no ordinary page) is read as one column.</summary>
    private const long MaximumStates = 1L << 26;

    public static IReadOnlyList<IReadOnlyList<PdfWord>> Split(IReadOnlyList<PdfWord> words)
    {
        var regions = new List<IReadOnlyList<PdfWord>>();
        Split(words, 0, regions);
        return regions;
    }

    private static void Split(IReadOnlyList<PdfWord> words, int depth, List<IReadOnlyList<PdfWord>> regions)
    {
        if (words.Count == 0)
        {
            return;
        }
        if (depth >= MaximumDepth || !TryFindGutter(words, out var gutter))
        {
            regions.Add(words);
            return;
        }
        // Above the columns (a title spanning the page), the columns left to right, then what follows below.
        var above = new List<PdfWord>();
        var left = new List<PdfWord>();
        var right = new List<PdfWord>();
        var below = new List<PdfWord>();
        foreach (var word in words)
        {
            var middle = (word.Bottom + word.Top) / 2;
            if (middle > gutter.Top)
            {
                above.Add(word);
            }
            else if (middle < gutter.Bottom)
            {
                below.Add(word);
            }
            else if ((word.Left + word.Right) / 2 < gutter.X)
            {
                left.Add(word);
            }
            else
            {
                right.Add(word);
            }
        }
        Split(above, depth + 1, regions);
        Split(left, depth + 1, regions);
        Split(right, depth + 1, regions);
        Split(below, depth + 1, regions);
    }

    private readonly record struct Gutter(double X, double Top, double Bottom);

    private sealed class Line(double top, double bottom, List<PdfWord> words)
    {
        public double Top { get; set; } = top;
        public double Bottom { get; set; } = bottom;
        public List<PdfWord> Words { get; } = words;
    }

    private static bool TryFindGutter(IReadOnlyList<PdfWord> words, out Gutter gutter)
    {
        gutter = default;
        var lines = GroupLines(words);
        if (lines.Count < MinimumLines)
        {
            return false;
        }
        // A gutter is wider than a word space even in loosely justified text.
        var heights = new double[words.Count];
        var left = double.PositiveInfinity;
        var right = double.NegativeInfinity;
        for (var i = 0; i < heights.Length; i++)
        {
            heights[i] = words[i].Height;
            left = Math.Min(left, words[i].Left);
            right = Math.Max(right, words[i].Right);
        }
        Array.Sort(heights);
        var minimumGap = heights[words.Count / 2] * 0.6;
        var width = right - left;
        var candidates = new List<double>();
        for (var candidate = left + (width * MinimumColumnShare); candidate <= right - (width * MinimumColumnShare); candidate += 1)
        {
            candidates.Add(candidate);
        }
        var stride = candidates.Count;
        if ((long)lines.Count * stride > MaximumStates)
        {
            return false;
        }
        // Each line's state at every candidate, in one pass over its words: the sweep below then costs a lookup per
        // line and candidate rather than a pass over the line's words. One pooled table for all lines, row by line.
        var states = ArrayPool<LineState>.Shared.Rent(Math.Max(1, lines.Count * stride));
        var scratch = new LineScratch();
        try
        {
            for (var i = 0; i < lines.Count; i++)
            {
                States(lines[i], candidates, minimumGap, states.AsSpan(i * stride, stride), scratch);
            }
            return Sweep(lines, candidates, states, minimumGap, left, right, out gutter);
        }
        finally
        {
            scratch.Dispose();
            ArrayPool<LineState>.Shared.Return(states);
        }
    }

    /// <summary>The longest run of lines a candidate passes between columns, extended to the one-sided lines below it.</summary>
    private static bool Sweep(List<Line> lines, List<double> candidates, LineState[] states, double minimumGap, double left,
        double right, out Gutter gutter)
    {
        gutter = default;
        var stride = candidates.Count;
        var bestRun = 0;
        for (var k = 0; k < candidates.Count; k++)
        {
            var candidate = candidates[k];
            var run = 0;
            var runTop = 0.0;
            for (var i = 0; i < lines.Count; i++)
            {
                var state = states[(i * stride) + k];
                if (state == LineState.Crossed)
                {
                    run = 0;
                    continue;
                }
                if (state == LineState.OneSided)
                {
                    continue; // a short last line of a paragraph neither makes nor breaks a gutter
                }
                if (run == 0)
                {
                    runTop = lines[i].Top;
                }
                run++;
                if (run > bestRun && run >= MinimumLines && ColumnsAreWide(lines, runTop, lines[i].Bottom, candidate, left, right))
                {
                    bestRun = run;
                    gutter = new Gutter(candidate, runTop, lines[i].Bottom);
                }
            }
        }
        if (bestRun == 0)
        {
            return false;
        }
        // Extend the band to the one-sided lines that continue the columns below the last two-sided line.
        var bottom = gutter.Bottom;
        var x = gutter.X;
        foreach (var line in lines.Where(l => l.Top <= bottom))
        {
            if (Crossing(line, x, minimumGap) == LineState.Crossed)
            {
                break;
            }
            bottom = line.Bottom;
        }
        gutter = gutter with { Bottom = bottom };
        return true;
    }

    private enum LineState : byte
    {
        Crossed,
        OneSided,
        TwoSided,
    }

    /// <summary>
    /// <see cref="Crossing"/> at each of the ascending <paramref name="candidates"/>: the line's words merged into spans
    /// of ink, left to right, and the candidates walked along them once.
    /// </summary>
    private static void States(Line line, List<double> candidates, double minimumGap, Span<LineState> states, LineScratch scratch)
    {
        var words = scratch.Words(line.Words);
        Array.Sort(words, 0, line.Words.Count, ByLeft);
        var spans = scratch.Spans;
        spans.Clear();
        foreach (var word in words.AsSpan(0, line.Words.Count))
        {
            if (spans.Count > 0 && word.Left < spans[^1].Right)
            {
                spans[^1] = (spans[^1].Left, Math.Max(spans[^1].Right, word.Right));
            }
            else
            {
                spans.Add((word.Left, word.Right));
            }
        }
        var span = 0;
        for (var k = 0; k < candidates.Count; k++)
        {
            var x = candidates[k];
            while (span < spans.Count && spans[span].Right <= x)
            {
                span++;
            }
            if ((span == 0 && x <= spans[0].Left) || span == spans.Count)
            {
                states[k] = LineState.OneSided; // nothing to the left, or nothing to the right
            }
            else if (x > spans[span].Left)
            {
                states[k] = LineState.Crossed;
            }
            else
            {
                states[k] = spans[span].Left - spans[span - 1].Right >= minimumGap ? LineState.TwoSided : LineState.Crossed;
            }
        }
    }

    private static readonly Comparer<PdfWord> ByLeft = Comparer<PdfWord>.Create(static (a, b) => a.Left.CompareTo(b.Left));

    /// <summary>What <see cref="States"/> needs for one line, handed from line to line: a pooled copy of the line's
    /// words to sort, and the list of its spans of ink.</summary>
    private sealed class LineScratch : IDisposable
    {
        private PdfWord[] _words = [];

        public List<(double Left, double Right)> Spans { get; } = [];

        /// <summary>The words copied to the front of a pooled array (at least as long as the list).</summary>
        public PdfWord[] Words(List<PdfWord> words)
        {
            if (_words.Length < words.Count)
            {
                Return();
                _words = ArrayPool<PdfWord>.Shared.Rent(words.Count);
            }
            words.CopyTo(_words);
            return _words;
        }

        public void Dispose() => Return();

        private void Return()
        {
            if (_words.Length > 0)
            {
                // Cleared: the pool must not keep a page's words alive.
                ArrayPool<PdfWord>.Shared.Return(_words, clearArray: true);
                _words = [];
            }
        }
    }

    /// <summary>Whether a vertical at <paramref name="x"/> crosses a word of the line, or a gap narrower than a gutter.</summary>
    private static LineState Crossing(Line line, double x, double minimumGap)
    {
        var before = double.NegativeInfinity;
        var after = double.PositiveInfinity;
        foreach (var word in line.Words)
        {
            if (word.Left < x && word.Right > x)
            {
                return LineState.Crossed;
            }
            if (word.Right <= x)
            {
                before = Math.Max(before, word.Right);
            }
            else
            {
                after = Math.Min(after, word.Left);
            }
        }
        if (double.IsInfinity(before) || double.IsInfinity(after))
        {
            return LineState.OneSided;
        }
        return after - before >= minimumGap ? LineState.TwoSided : LineState.Crossed;
    }

    private static bool ColumnsAreWide(List<Line> lines, double top, double bottom, double x, double left, double right)
    {
        var leftWidth = x;
        var rightWidth = x;
        foreach (var line in lines)
        {
            if (line.Top > top || line.Bottom < bottom)
            {
                continue;
            }
            foreach (var word in line.Words)
            {
                if (word.Right <= x)
                {
                    leftWidth = Math.Min(leftWidth, word.Left);
                }
                if (word.Left >= x)
                {
                    rightWidth = Math.Max(rightWidth, word.Right);
                }
            }
        }
        var width = right - left;
        return x - leftWidth >= width * MinimumColumnShare && rightWidth - x >= width * MinimumColumnShare;
    }

    /// <summary>Groups words whose vertical extents overlap by more than half into lines, top to bottom.</summary>
    private static List<Line> GroupLines(IReadOnlyList<PdfWord> words)
    {
        // Sorted by top, highest first; words with the same top keep their order.
        var order = new int[words.Count];
        var tops = new double[words.Count];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
            tops[i] = -words[i].Top;
        }
        Array.Sort(tops, order);
        SortTiesByIndex(tops, order);
        var lines = new List<Line>();
        foreach (var index in order)
        {
            var word = words[index];
            var line = lines.Count > 0 ? lines[^1] : null;
            var overlap = line is null ? 0 : Math.Min(line.Top, word.Top) - Math.Max(line.Bottom, word.Bottom);
            if (line is not null && overlap > Math.Min(line.Top - line.Bottom, word.Height) / 2)
            {
                line.Words.Add(word);
                line.Bottom = Math.Min(line.Bottom, word.Bottom);
                line.Top = Math.Max(line.Top, word.Top);
            }
            else
            {
                lines.Add(new Line(word.Top, word.Bottom, [word]));
            }
        }
        return lines;
    }

    /// <summary>Array.Sort is not stable: puts the indices of equal keys back in ascending order.</summary>
    private static void SortTiesByIndex(double[] keys, int[] order)
    {
        for (var start = 0; start < keys.Length;)
        {
            var end = start + 1;
            while (end < keys.Length && keys[end] == keys[start])
            {
                end++;
            }
            if (end - start > 1)
            {
                Array.Sort(order, start, end - start);
            }
            start = end;
        }
    }
}
