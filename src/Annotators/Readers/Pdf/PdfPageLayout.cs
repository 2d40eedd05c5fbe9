using System.Text.RegularExpressions;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.DocumentLayoutAnalysis.PageSegmenter;
using UglyToad.PdfPig.DocumentLayoutAnalysis.ReadingOrderDetector;
using UglyToad.PdfPig.DocumentLayoutAnalysis.WordExtractor;

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

    /// <summary>The lines joined with spaces.</summary>
    public string Text => string.Join(' ', Lines.Select(l => l.Text));
}

/// <summary>The regions of one page in reading order and the page's body font size.</summary>
internal sealed record PdfPageText(int Page, IReadOnlyList<PdfTextRegion> Regions, double BodyFontSize, bool HasText, bool HasImages)
{
    /// <summary>The page's words with their boxes, as the word extractor found them.</summary>
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
/// Segments a page into regions in reading order: nearest-neighbour words, split at column gutters
/// (<see cref="PdfColumns"/>), then PdfPig's Docstrum blocks and unsupervised reading order inside each column.
/// </summary>
internal static partial class PdfPageLayout
{
    private static readonly DocstrumBoundingBoxes Segmenter = new(new DocstrumBoundingBoxes.DocstrumBoundingBoxesOptions
    {
        // The host runs several documents at once; one page's analysis should not take every core.
        MaxDegreeOfParallelism = 1,
    });

    public static PdfPageText Analyse(Page page)
    {
        var hasImages = page.NumberOfImages > 0;
        var letters = page.Letters;
        var characters = letters.Count(l => !string.IsNullOrWhiteSpace(l.Value));
        // What OCR needs to judge the page by (a scan with a stamp on it has text, but too little for its images).
        var size = new PdfPageText(page.Number, [], 0, HasText: false, hasImages)
        {
            Width = page.Width,
            Height = page.Height,
            TextCharacters = characters,
            ImageCoverage = hasImages ? ImageCoverage(page) : 0,
        };
        if (characters == 0)
        {
            return size;
        }

        var words = page.GetWords(NearestNeighbourWordExtractor.Instance)
            .Where(w => !string.IsNullOrWhiteSpace(w.Text))
            .ToList();
        var blocks = PdfColumns.Split(words)
            .SelectMany(column => UnsupervisedReadingOrderDetector.Instance.Get(Segmenter.GetBlocks(column)))
            .ToList();
        var lowest = blocks.Min(b => b.BoundingBox.Bottom);
        var highest = blocks.Max(b => b.BoundingBox.Top);
        var regions = new List<PdfTextRegion>();
        foreach (var block in blocks)
        {
            var lines = block.TextLines
                .Select(line => ToLine(line.Words))
                .Where(l => l.Text.Length > 0)
                .ToList();
            var isMargin = block.BoundingBox.Bottom <= lowest || block.BoundingBox.Top >= highest;
            if (lines.Count == 0 || (isMargin && IsPageNumber(lines)))
            {
                continue;
            }
            regions.AddRange(SplitByFont(lines).Select(run => new PdfTextRegion(page.Number, run)));
        }
        return size with
        {
            Regions = regions,
            BodyFontSize = BodyFontSize(letters),
            HasText = true,
            // The words are at hand already: keeping their boxes costs no second pass over the page.
            Words = words.Select(w => new Documents.PageWord(PdfLigatures.Expand(w.Text.Trim()),
                new Documents.PageBox(w.BoundingBox.Left, w.BoundingBox.Bottom, w.BoundingBox.Right, w.BoundingBox.Top))).ToList(),
        };
    }

    private static double ImageCoverage(Page page)
    {
        var area = page.Width * page.Height;
        return area <= 0 ? 0 : Math.Min(1, page.GetImages().Sum(i => Math.Abs(i.BoundingBox.Width * i.BoundingBox.Height)) / area);
    }

    private static PdfTextLine ToLine(IReadOnlyList<Word> words)
    {
        var text = PdfLigatures.Expand(string.Join(' ', words.Select(w => w.Text.Trim())).Trim());
        var glyphs = words.SelectMany(w => w.Letters).Where(l => !string.IsNullOrWhiteSpace(l.Value)).ToList();
        if (glyphs.Count == 0)
        {
            return new PdfTextLine(text, 0, false);
        }
        var sizes = glyphs.Select(l => l.PointSize).Order().ToList();
        var bold = glyphs.Count(IsBold) >= glyphs.Count * 0.9;
        return new PdfTextLine(text, sizes[sizes.Count / 2], bold);
    }

    private static bool IsBold(Letter letter) =>
        letter.FontDetails?.IsBold == true || BoldFontName().IsMatch(letter.FontName ?? string.Empty);

    /// <summary>The most common font size on the page, by number of glyphs: the size of the running text.</summary>
    private static double BodyFontSize(IReadOnlyList<Letter> letters) =>
        letters.Where(l => !string.IsNullOrWhiteSpace(l.Value))
            .GroupBy(l => Math.Round(l.PointSize * 2) / 2)
            .OrderByDescending(g => g.Count())
            .ThenBy(g => g.Key)
            .First().Key;

    /// <summary>A lone page number ("3", "Page 3 of 10", "- 3 -") at the top or bottom of the page is layout, not content.</summary>
    private static bool IsPageNumber(IReadOnlyList<PdfTextLine> lines) => lines.Count == 1 && PageNumber().IsMatch(lines[0].Text);

    /// <summary>
    /// Splits a block where the font changes between lines: Docstrum puts a title, the author line and the date
    /// below it in one block, but they are a heading and two lines of body text.
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

    // pdfTeX's Computer Modern bold faces are CMBX/CMB; other producers spell the weight out in the name.
    [GeneratedRegex(@"Bold|Black|Heavy|Semibold|Demi|[+,-]CMBX?\d|^CMBX?\d|,B$", RegexOptions.IgnoreCase)]
    private static partial Regex BoldFontName();

    [GeneratedRegex(@"^(?:[-–—]\s*)?(?:(?:page|seite|p\.)\s*)?\d{1,4}(?:\s*(?:/|of|von)\s*\d{1,4})?(?:\s*[-–—])?$", RegexOptions.IgnoreCase)]
    private static partial Regex PageNumber();
}
