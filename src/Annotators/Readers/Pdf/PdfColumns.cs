using UglyToad.PdfPig.Content;

namespace Annotate.Annotators.Readers.Pdf;

/// <summary>
/// Splits a page's words into regions in reading order at column gutters: vertical strips of white space that
/// run through several consecutive lines with text on both sides. Docstrum alone merges the lines of two columns
/// when the gutter is barely wider than the word spacing of justified text (LaTeX's two-column layout).
/// </summary>
internal static class PdfColumns
{
    /// <summary>A gutter must cross at least this many consecutive lines that have text on both of its sides.</summary>
    private const int MinimumLines = 5;

    /// <summary>Each column must be at least this share of the region's width, so table columns are not taken for text columns.</summary>
    private const double MinimumColumnShare = 0.2;

    private const int MaximumDepth = 4;

    public static IReadOnlyList<IReadOnlyList<Word>> Split(IReadOnlyList<Word> words)
    {
        var regions = new List<IReadOnlyList<Word>>();
        Split(words, 0, regions);
        return regions;
    }

    private static void Split(IReadOnlyList<Word> words, int depth, List<IReadOnlyList<Word>> regions)
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
        var above = new List<Word>();
        var left = new List<Word>();
        var right = new List<Word>();
        var below = new List<Word>();
        foreach (var word in words)
        {
            var middle = (word.BoundingBox.Bottom + word.BoundingBox.Top) / 2;
            if (middle > gutter.Top)
            {
                above.Add(word);
            }
            else if (middle < gutter.Bottom)
            {
                below.Add(word);
            }
            else if ((word.BoundingBox.Left + word.BoundingBox.Right) / 2 < gutter.X)
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

    private sealed record Line(double Top, double Bottom, List<Word> Words);

    private static bool TryFindGutter(IReadOnlyList<Word> words, out Gutter gutter)
    {
        gutter = default;
        var lines = GroupLines(words);
        if (lines.Count < MinimumLines)
        {
            return false;
        }
        // A gutter is wider than a word space even in loosely justified text.
        var minimumGap = words.Select(w => w.BoundingBox.Height).Order().ElementAt(words.Count / 2) * 0.6;
        var left = words.Min(w => w.BoundingBox.Left);
        var right = words.Max(w => w.BoundingBox.Right);
        var width = right - left;
        var bestRun = 0;
        for (var candidate = left + (width * MinimumColumnShare); candidate <= right - (width * MinimumColumnShare); candidate += 1)
        {
            var run = 0;
            var runTop = 0.0;
            for (var i = 0; i < lines.Count; i++)
            {
                var state = Crossing(lines[i], candidate, minimumGap);
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

    private enum LineState
    {
        Crossed,
        OneSided,
        TwoSided,
    }

    /// <summary>Whether a vertical at <paramref name="x"/> crosses a word of the line, or a gap narrower than a gutter.</summary>
    private static LineState Crossing(Line line, double x, double minimumGap)
    {
        var before = double.NegativeInfinity;
        var after = double.PositiveInfinity;
        foreach (var word in line.Words)
        {
            if (word.BoundingBox.Left < x && word.BoundingBox.Right > x)
            {
                return LineState.Crossed;
            }
            if (word.BoundingBox.Right <= x)
            {
                before = Math.Max(before, word.BoundingBox.Right);
            }
            else
            {
                after = Math.Min(after, word.BoundingBox.Left);
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
        var band = lines.Where(l => l.Top <= top && l.Bottom >= bottom).SelectMany(l => l.Words).ToList();
        var leftWidth = band.Where(w => w.BoundingBox.Right <= x).Select(w => w.BoundingBox.Left).DefaultIfEmpty(x).Min();
        var rightWidth = band.Where(w => w.BoundingBox.Left >= x).Select(w => w.BoundingBox.Right).DefaultIfEmpty(x).Max();
        var width = right - left;
        return x - leftWidth >= width * MinimumColumnShare && rightWidth - x >= width * MinimumColumnShare;
    }

    /// <summary>Groups words whose vertical extents overlap by more than half into lines, top to bottom.</summary>
    private static List<Line> GroupLines(IReadOnlyList<Word> words)
    {
        var lines = new List<Line>();
        foreach (var word in words.OrderByDescending(w => w.BoundingBox.Top))
        {
            var box = word.BoundingBox;
            var line = lines.Count > 0 ? lines[^1] : null;
            var overlap = line is null ? 0 : Math.Min(line.Top, box.Top) - Math.Max(line.Bottom, box.Bottom);
            if (line is not null && overlap > Math.Min(line.Top - line.Bottom, box.Height) / 2)
            {
                line.Words.Add(word);
                lines[^1] = line with { Bottom = Math.Min(line.Bottom, box.Bottom), Top = Math.Max(line.Top, box.Top) };
            }
            else
            {
                lines.Add(new Line(box.Top, box.Bottom, [word]));
            }
        }
        return lines;
    }
}
