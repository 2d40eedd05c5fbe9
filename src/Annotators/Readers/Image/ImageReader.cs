using Annotate.Annotators.Documents;
using Annotate.Annotators.Ocr;
using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Readers.Pdf;

namespace Annotate.Annotators.Readers.Image;

/// <summary>
/// Reads an image file (PNG, JPEG, TIFF; every page of a multi-page TIFF) with OCR, as a PDF's scanned pages are read:
/// words with their boxes (in pixels, origin bottom left) and confidence, paragraphs and headings as blocks, one page
/// text per page. The declared sizes are checked against the limits before Tesseract decodes anything.
/// </summary>
public sealed class ImageReader(SourceFormat format, TesseractOcr ocr) : IDocumentReader
{
    /// <inheritdoc />
    public SourceFormat Format => format;

    /// <inheritdoc />
    public async Task<Document> ReadAsync(DocumentSource source, CancellationToken cancellationToken)
    {
        IReadOnlyList<ImagePageSize> sizes;
        using (var stream = source.OpenRead())
        {
            sizes = ImageHeader.Read(stream, format, source.FileName, ocr.SettingsFor(source.Ocr).MaxPages);
        }
        var largest = sizes.Select((size, index) => (size, page: index + 1)).MaxBy(s => s.size.Pixels);
        if (largest.size.Pixels > ocr.Options.MaxPixels)
        {
            throw new AnnotationException(FailureReason.TooLarge,
                $"'{source.FileName}' has a page of {largest.size.Width:N0} × {largest.size.Height:N0} pixels (page {largest.page}), over the limit of {ocr.Options.MaxPixels:N0} pixels (Annotate:Ocr:MaxPixels).");
        }

        var notices = new List<Notice>();
        var pages = new List<PdfPageText>();
        using (var pass = await OcrPass.StartAsync(ocr, source, renders: false, notices).ConfigureAwait(false))
        {
            if (pass is null)
            {
                notices.Insert(0, new Notice("no-text-layer",
                    $"'{source.FileName}' is an image ({sizes.Count} page(s)): its text can only be read with OCR, which did not run.")
                { Source = OcrPass.NoticeSource });
            }
            else
            {
                var read = await pass.RecogniseImageAsync(source.Path, format, sizes.Count, cancellationToken).ConfigureAwait(false);
                for (var number = 1; number <= sizes.Count; number++)
                {
                    if (read.FirstOrDefault(p => p.Page == number) is not { } page)
                    {
                        if (read.Count > 0 && !pass.HasFailed(number))
                        {
                            pass.Fail(number, "Tesseract did not return it");
                        }
                        continue;
                    }
                    var text = OcrPageBuilder.Build(page, number, sizes[number - 1].Width, sizes[number - 1].Height, hasImages: true);
                    pass.Count(text);
                    pages.Add(text);
                }
                pass.Report(notices);
            }
        }
        var blocks = PdfBlockBuilder.Build(pages);
        return new Document
        {
            FileName = source.FileName,
            Format = format,
            SizeBytes = source.Length,
            Properties = new DocumentProperties { PageCount = sizes.Count },
            Blocks = blocks,
            Pages = Enumerable.Range(1, sizes.Count).Select(p => PdfReader.PageText(p, blocks)).ToList(),
            PageWords = PdfPageOcr.BoundWords(pages).TakeWhile(p => p.Words.Count > 0 || !p.HasText).Select(p => new PageWords(p.Page, p.Words)).ToList(),
            Notices = notices,
        };
    }
}
