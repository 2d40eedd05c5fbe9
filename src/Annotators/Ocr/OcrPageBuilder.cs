using Annotate.Annotators.Documents;
using Annotate.Annotators.Readers.Pdf;

namespace Annotate.Annotators.Ocr;

/// <summary>
/// Turns the words Tesseract read on a page into the reader's page model: its paragraphs as regions of lines (so
/// <see cref="PdfBlockBuilder"/> makes headings, paragraphs and lists of them as of a born-digital page) and its
/// words with boxes in page coordinates (origin bottom left) and their confidence.
/// </summary>
internal static class OcrPageBuilder
{
    /// <summary>Tesseract's line box spans ascenders and descenders; a font's size is about this share of it.</summary>
    private const double LineHeightToFontSize = 0.75;

    /// <param name="page">What Tesseract read.</param>
    /// <param name="number">The 1-based page number in the document.</param>
    /// <param name="pageWidth">Width of the page in its own units (PDF points; pixels for an image).</param>
    /// <param name="pageHeight">Height of the page in its own units.</param>
    /// <param name="hasImages">Whether the page holds images.</param>
    public static PdfPageText Build(OcrPage page, int number, double pageWidth, double pageHeight, bool hasImages)
    {
        var scaleX = page.Width > 0 ? pageWidth / page.Width : 1;
        var scaleY = page.Height > 0 ? pageHeight / page.Height : 1;
        PageBox Box(OcrWord w) => new(
            Math.Round(w.Left * scaleX, 2), Math.Round(pageHeight - ((w.Top + w.Height) * scaleY), 2),
            Math.Round((w.Left + w.Width) * scaleX, 2), Math.Round(pageHeight - (w.Top * scaleY), 2));

        var regions = new List<PdfTextRegion>();
        var sizes = new List<double>();
        foreach (var paragraph in page.Words.GroupBy(w => (w.Block, w.Paragraph)))
        {
            var lines = new List<PdfTextLine>();
            foreach (var line in paragraph.GroupBy(w => w.Line))
            {
                var text = string.Join(' ', line.Select(w => w.Text));
                var top = line.Min(w => w.Top);
                var bottom = line.Max(w => w.Top + w.Height);
                var size = Math.Round((bottom - top) * scaleY * LineHeightToFontSize * 2) / 2;
                sizes.Add(size);
                lines.Add(new PdfTextLine(text, size, Bold: false));
            }
            regions.Add(new PdfTextRegion(number, lines));
        }
        var body = sizes.Count == 0 ? 0 : sizes.GroupBy(s => s).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).First().Key;
        return new PdfPageText(number, regions, body, HasText: regions.Count > 0, hasImages)
        {
            Words = page.Words.Select(w => new PageWord(w.Text, Box(w)) { Confidence = Math.Round(w.Confidence, 1) }).ToList(),
            Width = pageWidth,
            Height = pageHeight,
            Recognised = true,
        };
    }
}
