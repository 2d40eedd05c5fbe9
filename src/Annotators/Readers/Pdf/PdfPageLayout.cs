using System.Text.RegularExpressions;
using UglyToad.PdfPig;

namespace Annotate.Annotators.Readers.Pdf;

/// <summary>A line of text on a PDF page with its dominant font size and weight.</summary>
internal sealed record PdfTextLine(string Text, double FontSize, bool Bold);

/// <summary>A region of a page that the layout analysis found to belong together (a paragraph, a heading, a list).</summary>
internal sealed record PdfTextRegion(int Page, IReadOnlyList<PdfTextLine> Lines)
{
    /// <summary>Font size of the region, weighted by line length.</summary>
    public double FontSize { get; } = Lines.Sum(l => l.FontSize * l.Text.Length) / Math.Max(1, Lines.Sum(l => l.Text.Length));

    /// <summary>True when every line is set in a bold face.</summary>
    public bool Bold { get; } = Lines.All(l => l.Bold);

    private string? _text;
    private IReadOnlyList<PdfTextLine>? _textOf;

    /// <summary>The lines joined with spaces (joined once; a copy with other lines joins its own).</summary>
    public string Text
    {
        get
        {
            if (!ReferenceEquals(_textOf, Lines))
            {
                _text = Lines.Count == 1 ? Lines[0].Text : string.Join(' ', Lines.Select(l => l.Text));
                _textOf = Lines;
            }
            return _text!;
        }
    }
}

/// <summary>The regions of one page in reading order and the page's body font size.</summary>
internal sealed record PdfPageText(int Page, IReadOnlyList<PdfTextRegion> Regions, double BodyFontSize, bool HasText, bool HasImages)
{
    /// <summary>The page's words with their boxes, in reading order.</summary>
    public IReadOnlyList<Documents.PageWord> Words { get; init; } = [];

    /// <summary>Width of the page in points.</summary>
    public double Width { get; init; }

    /// <summary>Height of the page in points.</summary>
    public double Height { get; init; }

    /// <summary>Characters of the page's text layer, whitespace not counted.</summary>
    public int TextCharacters { get; init; }

    /// <summary>Share of the page its images cover (0–1; overlapping images counted twice, capped at 1).</summary>
    public double ImageCoverage { get; init; }

    /// <summary>True when the regions and words come from OCR, not from the text layer.</summary>
    public bool Recognised { get; init; }
}

/// <summary>
/// Segments a page into regions in reading order in time linear in its letters (words and lines sort once):
/// words from the letters (<see cref="PdfWords"/>), split at column gutters (<see cref="PdfColumns"/>), lines and
/// blocks within each column (<see cref="PdfTextBlocks"/>), blocks top to bottom.
/// </summary>
internal static partial class PdfPageLayout
{
    /// <summary>Page <paramref name="number"/> of <paramref name="document"/>, read as glyphs (<see cref="PdfGlyphs"/>) and analysed.</summary>
    public static PdfPageText Analyse(PdfDocument document, int number) => Analyse(PdfGlyphs.Page(document, number));

    /// <summary>A page already read as glyphs, analysed.</summary>
    internal static PdfPageText Analyse(PdfGlyphPage page)
    {
        var hasImages = page.NumberOfImages > 0;
        var found = PdfWords.Build(page.Glyphs);
        // What OCR needs to judge the page by (a scan with a stamp on it has text, but too little for its images).
        var size = new PdfPageText(page.Number, [], 0, HasText: false, hasImages)
        {
            Width = page.Width,
            Height = page.Height,
            TextCharacters = found.Characters,
            ImageCoverage = hasImages ? ImageCoverage(page) : 0,
        };
        if (found.Characters == 0)
        {
            return size;
        }

        var blocks = new List<PdfTextBlock>();
        foreach (var group in ByOrientation(found.Words))
        {
            foreach (var column in PdfColumns.Split(group))
            {
                PdfTextBlocks.Build(column, blocks);
            }
        }
        var lowest = double.PositiveInfinity;
        var highest = double.NegativeInfinity;
        foreach (var block in blocks)
        {
            lowest = Math.Min(lowest, block.Bottom);
            highest = Math.Max(highest, block.Top);
        }
        var regions = new List<PdfTextRegion>();
        var words = new List<Documents.PageWord>(found.Words.Count);
        foreach (var block in blocks)
        {
            // The words in reading order, with their boxes: they are at hand already, so keeping them costs no second pass.
            foreach (var line in block.Lines)
            {
                foreach (var word in line.Words)
                {
                    words.Add(new Documents.PageWord(word.Text, word.PageBox));
                }
            }
            var lines = block.Lines.Select(ToLine).ToList();
            var isMargin = block.Bottom <= lowest || block.Top >= highest;
            if (isMargin && IsPageNumber(lines))
            {
                continue;
            }
            regions.AddRange(SplitByFont(lines).Select(run => new PdfTextRegion(page.Number, run)));
        }
        return size with
        {
            Regions = regions,
            BodyFontSize = found.BodyFontSize,
            HasText = true,
            Words = words,
        };
    }

    /// <summary>The words of each text direction, the direction with the most words first (a page's running text).</summary>
    private static IEnumerable<List<PdfWord>> ByOrientation(List<PdfWord> words)
    {
        var first = words[0].Orientation;
        var mixed = false;
        foreach (var word in words)
        {
            if (word.Orientation != first)
            {
                mixed = true;
                break;
            }
        }
        return mixed
            ? words.GroupBy(w => w.Orientation).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).Select(g => g.ToList())
            : [words];
    }

    private static double ImageCoverage(PdfGlyphPage page)
    {
        var area = page.Width * page.Height;
        return area <= 0 ? 0 : Math.Min(1, page.ImageArea / area);
    }

    private static PdfTextLine ToLine(PdfTextBlocks.Line line)
    {
        var words = line.Words;
        var text = words.Count == 1 ? words[0].Text : string.Join(' ', words.Select(w => w.Text));
        return new PdfTextLine(text, line.FontSize, line.Bold);
    }

    /// <summary>A lone page number ("3", "Page 3 of 10", "- 3 -") at the top or bottom of the page is layout, not content.</summary>
    private static bool IsPageNumber(IReadOnlyList<PdfTextLine> lines) => lines.Count == 1 && PageNumber().IsMatch(lines[0].Text);

    /// <summary>
    /// Splits a block where the font changes between lines: a title, the author line and the date below it set
    /// close together are one block by their spacing, but they are a heading and two lines of body text.
    /// </summary>
    private static IEnumerable<List<PdfTextLine>> SplitByFont(List<PdfTextLine> lines)
    {
        var run = new List<PdfTextLine> { lines[0] };
        foreach (var line in lines.Skip(1))
        {
            var previous = run[^1];
            var sizeChanges = Math.Abs(line.FontSize - previous.FontSize) > Math.Max(line.FontSize, previous.FontSize) * 0.1;
            if (sizeChanges || line.Bold != previous.Bold)
            {
                yield return run;
                run = [];
            }
            run.Add(line);
        }
        yield return run;
    }

    [GeneratedRegex(@"^(?:[-–—]\s*)?(?:(?:page|seite|p\.)\s*)?\d{1,4}(?:\s*(?:/|of|von)\s*\d{1,4})?(?:\s*[-–—])?$", RegexOptions.IgnoreCase)]
    private static partial Regex PageNumber();
}
