using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using Annotate.Annotators.Documents;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;

namespace Annotate.Annotators.Readers.Pdf;

/// <summary>
/// A word built from PdfPig's letters. Its box is in the upright frame of its text direction (the page's own frame for
/// ordinary horizontal text), so lines, columns and blocks are found the same way for rotated text.
/// </summary>
internal sealed class PdfWord
{
    public required string Text { get; init; }

    /// <summary>Left edge in the upright frame.</summary>
    public double Left { get; set; }

    /// <summary>Right edge in the upright frame.</summary>
    public double Right { get; set; }

    /// <summary>Bottom edge in the upright frame: the lowest baseline (PdfPig's words are boxed so).</summary>
    public double Bottom { get; set; }

    /// <summary>Top edge of the glyphs in the upright frame.</summary>
    public double Top { get; set; }

    /// <summary>Height of the box, from the baseline up.</summary>
    public double Height => Top - Bottom;

    /// <summary>The baseline in the upright frame.</summary>
    public double Baseline { get; init; }

    /// <summary>Font size in points of the word's first glyph (a word rarely changes size).</summary>
    public double FontSize { get; init; }

    /// <summary>Glyphs of the word, and how many of them are bold: a line's weight is decided by its glyphs.</summary>
    public int Glyphs { get; init; }

    /// <summary>Bold glyphs of the word.</summary>
    public int BoldGlyphs { get; init; }

    /// <summary>Direction of the text.</summary>
    public TextOrientation Orientation { get; init; }

    /// <summary>The word's box on the page, for grounding.</summary>
    public required PageBox PageBox { get; init; }
}

/// <summary>
/// Builds words from a page's letters in one pass in content-stream order: a word ends at a whitespace glyph, at a
/// horizontal gap wider than a share of the font size, at a jump of the baseline, and where the text direction changes.
/// The same pass counts the characters and the glyphs of each font size, and judges each font's weight once.
/// </summary>
internal static partial class PdfWords
{
    /// <summary>A gap between two glyphs wider than this share of the font size separates words (pdftotext uses 0.1).</summary>
    private const double WordGap = 0.12;

    /// <summary>A baseline that moves by more than this share of the font size starts a new word.</summary>
    private const double BaselineJump = 0.3;

    /// <summary>A glyph placed this share of the font size or more to the left of the previous one's end starts a new word.</summary>
    private const double Backwards = 0.5;

    /// <summary>What one pass over the letters found.</summary>
    public sealed class Result
    {
        /// <summary>The words, in content-stream order.</summary>
        public List<PdfWord> Words { get; init; } = [];

        /// <summary>Characters of the text layer, whitespace not counted.</summary>
        public int Characters { get; set; }

        /// <summary>The most common font size, by number of glyphs, rounded to half points: the size of the running text.</summary>
        public double BodyFontSize { get; set; }
    }

    public static Result Build(List<PdfGlyph> letters)
    {
        // Sized for words of five letters and a space, so the list rarely grows (a grown list is a copy and garbage).
        var result = new Result { Words = new List<PdfWord>((letters.Count / 6) + 4) };
        var sizes = new Dictionary<int, int>();
        var fonts = new FontWeights();
        // Room for any ordinary word: a builder that grows chains a second piece, and clearing it then allocates its
        // whole capacity again at every word.
        var text = new StringBuilder(64);
        var builder = new WordBuilder();
        var glyphs = CollectionsMarshal.AsSpan(letters);
        var previous = -1;
        Frame previousFrame = default;
        for (var i = 0; i < glyphs.Length; i++)
        {
            ref readonly var letter = ref glyphs[i];
            var value = letter.Value;
            if (value is { Length: 1 } ? char.IsWhiteSpace(value[0]) : string.IsNullOrWhiteSpace(value))
            {
                builder.Flush(text, result.Words);
                previous = -1;
                continue;
            }
            result.Characters += value.Length == 1 ? 1 : CountNonWhiteSpace(value);
            var size = letter.PointSize > 0 ? letter.PointSize : Math.Max(1, letter.BoundingBox.Height);
            var key = (int)Math.Round(size * 2);
            CollectionsMarshal.GetValueRefOrAddDefault(sizes, key, out _)++;

            var frame = Frame.Of(letter);
            if (previous >= 0 && Breaks(glyphs[previous], previousFrame, letter, frame, size))
            {
                builder.Flush(text, result.Words);
            }
            builder.Add(letter, frame, size, fonts.IsBold(letter), text);
            previous = i;
            previousFrame = frame;
        }
        builder.Flush(text, result.Words);
        result.BodyFontSize = BodySize(sizes);
        return result;
    }

    private static int CountNonWhiteSpace(string value)
    {
        var count = 0;
        foreach (var c in value)
        {
            if (!char.IsWhiteSpace(c))
            {
                count++;
            }
        }
        return count;
    }

    /// <summary>Ties go to the smaller size, as the running text is rarely the larger of two equal shares.</summary>
    private static double BodySize(Dictionary<int, int> sizes)
    {
        var best = 0;
        var bestCount = -1;
        foreach (var (key, count) in sizes)
        {
            if (count > bestCount || (count == bestCount && key < best))
            {
                best = key;
                bestCount = count;
            }
        }
        return best / 2.0;
    }

    private static bool Breaks(in PdfGlyph previous, Frame previousFrame, in PdfGlyph letter, Frame frame, double size)
    {
        if (letter.TextOrientation != previous.TextOrientation)
        {
            return true;
        }
        var (previousEndX, previousEndY) = previousFrame.Apply(previous.EndBaseLine);
        var (startX, startY) = frame.Apply(letter.StartBaseLine);
        if (Math.Abs(startY - previousEndY) > size * BaselineJump)
        {
            return true;
        }
        var gap = startX - previousEndX;
        return gap > size * WordGap || gap < -size * Backwards;
    }

    /// <summary>Turns page coordinates into the upright frame of a text direction: the baseline runs left to right.</summary>
    internal readonly record struct Frame(double Cos, double Sin)
    {
        private static readonly Frame Upright = new(1, 0);

        public static Frame Of(in PdfGlyph letter) => letter.TextOrientation switch
        {
            TextOrientation.Horizontal => Upright,
            TextOrientation.Rotate180 => new Frame(-1, 0),
            // Text going down the page: its baseline runs along -y.
            TextOrientation.Rotate90 => new Frame(0, -1),
            TextOrientation.Rotate270 => new Frame(0, 1),
            _ => Angle(letter),
        };

        private static Frame Angle(in PdfGlyph letter)
        {
            var dx = letter.EndBaseLine.X - letter.StartBaseLine.X;
            var dy = letter.EndBaseLine.Y - letter.StartBaseLine.Y;
            var length = Math.Sqrt((dx * dx) + (dy * dy));
            return length > 0 ? new Frame(dx / length, dy / length) : Upright;
        }

        public (double X, double Y) Apply(PdfPoint point) => Apply(point.X, point.Y);

        /// <summary>Rotates by minus the baseline's angle.</summary>
        public (double X, double Y) Apply(double x, double y) =>
            Sin == 0 && Cos == 1 ? (x, y) : ((x * Cos) + (y * Sin), (-x * Sin) + (y * Cos));
    }

    /// <summary>Collects the letters of the word being built.</summary>
    private sealed class WordBuilder
    {
        private int _glyphs;
        private int _bold;
        private double _left, _right, _bottom, _top;
        private double _pageLeft, _pageRight, _pageBottom, _pageTop;
        private double _baseline;
        private double _size;
        private TextOrientation _orientation;

        public void Add(in PdfGlyph letter, Frame frame, double size, bool bold, StringBuilder text)
        {
            // As PdfPig's own words are boxed: from the baseline to the top of the glyphs, from the start of the first
            // glyph to the end of the last one's advance or ink, whichever is wider.
            var box = letter.BoundingBox;
            var upright = frame.Sin == 0 && frame.Cos == 1;
            var (startX, baseline) = frame.Apply(letter.StartBaseLine);
            double right, top;
            if (upright)
            {
                right = startX + Math.Max(letter.Width, box.Width);
                top = box.TopLeft.Y;
            }
            else
            {
                var (glyphLeft, glyphRight, _, glyphTop) = Bounds(box, frame);
                var (endX, _) = frame.Apply(letter.EndBaseLine);
                right = startX + Math.Max(endX - startX, glyphRight - glyphLeft);
                top = glyphTop;
            }
            var first = _glyphs == 0;
            Extend(ref _left, ref _right, ref _bottom, ref _top, startX, right, baseline, top, first);
            if (upright)
            {
                (_pageLeft, _pageRight, _pageBottom, _pageTop) = (_left, _right, _bottom, _top);
            }
            else
            {
                var (pl, pr, pb, pt) = Bounds(box, new Frame(1, 0));
                var (sx, sy) = (letter.StartBaseLine.X, letter.StartBaseLine.Y);
                var (ex, ey) = (letter.EndBaseLine.X, letter.EndBaseLine.Y);
                Extend(ref _pageLeft, ref _pageRight, ref _pageBottom, ref _pageTop,
                    Math.Min(pl, Math.Min(sx, ex)), Math.Max(pr, Math.Max(sx, ex)), Math.Min(pb, Math.Min(sy, ey)), Math.Max(pt, Math.Max(sy, ey)), first);
            }
            if (first)
            {
                _baseline = baseline;
                _size = size;
                _orientation = letter.TextOrientation;
            }
            _glyphs++;
            if (bold)
            {
                _bold++;
            }
            text.Append(letter.Value);
        }

        public void Flush(StringBuilder text, List<PdfWord> words)
        {
            if (_glyphs == 0)
            {
                return;
            }
            // A glyph drawn below its baseline (a flipped box) gives a top under the bottom: boxes are normalised, as
            // PdfPig's rectangles are.
            words.Add(new PdfWord
            {
                Text = PdfLigatures.Expand(text.ToString()),
                Left = Math.Min(_left, _right),
                Right = Math.Max(_left, _right),
                Bottom = Math.Min(_bottom, _top),
                Top = Math.Max(_bottom, _top),
                Baseline = _baseline,
                FontSize = _size,
                Glyphs = _glyphs,
                BoldGlyphs = _bold,
                Orientation = _orientation,
                PageBox = new PageBox(Math.Min(_pageLeft, _pageRight), Math.Min(_pageBottom, _pageTop), Math.Max(_pageLeft, _pageRight), Math.Max(_pageBottom, _pageTop)),
            });
            text.Clear();
            _glyphs = 0;
            _bold = 0;
        }

        private static (double Left, double Right, double Bottom, double Top) Bounds(PdfRectangle box, Frame frame)
        {
            var (x1, y1) = frame.Apply(box.BottomLeft);
            var (x2, y2) = frame.Apply(box.BottomRight);
            var (x3, y3) = frame.Apply(box.TopLeft);
            var (x4, y4) = frame.Apply(box.TopRight);
            return (Math.Min(Math.Min(x1, x2), Math.Min(x3, x4)), Math.Max(Math.Max(x1, x2), Math.Max(x3, x4)),
                Math.Min(Math.Min(y1, y2), Math.Min(y3, y4)), Math.Max(Math.Max(y1, y2), Math.Max(y3, y4)));
        }

        private static void Extend(ref double left, ref double right, ref double bottom, ref double top,
            double l, double r, double b, double t, bool first)
        {
            if (first)
            {
                (left, right, bottom, top) = (l, r, b, t);
                return;
            }
            left = Math.Min(left, l);
            right = Math.Max(right, r);
            bottom = Math.Min(bottom, b);
            top = Math.Max(top, t);
        }
    }

    /// <summary>Whether a font is bold, judged once per font of the page rather than once per glyph.</summary>
    private sealed class FontWeights
    {
        private readonly Dictionary<string, bool> _byName = new(StringComparer.Ordinal);
        private string? _lastName;
        private bool _lastBold;

        public bool IsBold(in PdfGlyph letter)
        {
            if (letter.FontDetails?.IsBold == true)
            {
                return true;
            }
            var name = letter.FontName ?? string.Empty;
            if (ReferenceEquals(name, _lastName))
            {
                return _lastBold;
            }
            if (!_byName.TryGetValue(name, out var bold))
            {
                bold = BoldFontName().IsMatch(name);
                _byName[name] = bold;
            }
            _lastName = name;
            _lastBold = bold;
            return bold;
        }
    }

    // pdfTeX's Computer Modern bold faces are CMBX/CMB; other producers spell the weight out in the name.
    [GeneratedRegex(@"Bold|Black|Heavy|Semibold|Demi|[+,-]CMBX?\d|^CMBX?\d|,B$", RegexOptions.IgnoreCase)]
    private static partial Regex BoldFontName();
}
