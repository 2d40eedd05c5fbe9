using Annotate.Annotators.Documents;
using Annotate.Annotators.Ocr;
using Microsoft.Extensions.Logging;

namespace Annotate.Annotators.Readers.Pdf;

/// <summary>
/// Recognises, after the text layer is read, the pages it left empty or nearly so: pages without text, and pages whose
/// images cover much of them while their text is only a few characters (a scan with a stamp or a page number).
/// </summary>
internal static class PdfPageOcr
{
    public static bool Needs(PdfPageText page, OcrOptions options) =>
        !page.HasText || (page.ImageCoverage >= options.ImageCoverage && page.TextCharacters < options.MinTextCharacters);

    /// <summary>The pages with the recognised ones in place of what their text layer gave; notices say what happened.</summary>
    /// <param name="ocr">The OCR engine; null when OCR is not configured.</param>
    /// <param name="source">The PDF.</param>
    /// <param name="pages">Its pages as the text layer gave them.</param>
    /// <param name="pdf">The document the pages were read from, to take a scanned page's image from; null renders every page.</param>
    /// <param name="notices">Receives what OCR did.</param>
    /// <param name="cancellationToken">Cancels the tools.</param>
    public static async Task<List<PdfPageText>> ApplyAsync(TesseractOcr? ocr, DocumentSource source, List<PdfPageText> pages,
        UglyToad.PdfPig.PdfDocument? pdf, List<Notice> notices, CancellationToken cancellationToken)
    {
        if (ocr is null || !pages.Any(p => Needs(p, ocr.Options)))
        {
            return pages;
        }
        using var pass = await OcrPass.StartAsync(ocr, source, renders: true, notices).ConfigureAwait(false);
        if (pass is null)
        {
            return pages;
        }
        var wanted = pages.Select((page, index) => (page, index)).Where(p => Needs(p.page, ocr.Options)).ToList();
        var result = pages.ToList();
        foreach (var (page, index) in wanted.Take(pass.Settings.MaxPages))
        {
            cancellationToken.ThrowIfCancellationRequested();
            // A page whose few characters OCR cannot better keeps them.
            if (await pass.RecognisePdfPageAsync(source.Path, page, Parsed(pdf, page.Page), cancellationToken).ConfigureAwait(false) is { HasText: true } read)
            {
                result[index] = read;
            }
        }
        if (pass.PagesFromTheirImage > 0)
        {
            ocr.Logger.LogDebug("{Pages} page(s) of {File} were recognised from their own image, without rendering", pass.PagesFromTheirImage, source.FileName);
        }
        pass.Skipped(wanted.Skip(pass.Settings.MaxPages).Select(p => p.page.Page).ToList(), notices);
        pass.Report(notices);
        return BoundWords(result);
    }

    /// <summary>
    /// Recognised words count against the same bound as the text layer's (<see cref="Document.MaxPositionedWords"/>):
    /// past it a page keeps its text but not its word boxes, so a long scan is not held twice.
    /// </summary>
    internal static List<PdfPageText> BoundWords(IReadOnlyList<PdfPageText> pages, int max = Document.MaxPositionedWords)
    {
        var bounded = new List<PdfPageText>(pages.Count);
        var words = 0;
        foreach (var page in pages)
        {
            words += page.Words.Count;
            bounded.Add(words > max && page.Words.Count > 0 ? page with { Words = [] } : page);
        }
        return bounded;
    }

    /// <summary>The page parsed again for its image (its text layer was read on another thread); null when that fails.</summary>
    private static UglyToad.PdfPig.Content.Page? Parsed(UglyToad.PdfPig.PdfDocument? pdf, int number)
    {
        try
        {
            return pdf?.GetPage(number);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return null; // rendered instead, as pdftoppm reads what it can
        }
    }
}
