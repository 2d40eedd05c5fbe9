using Annotate.Annotators.Documents;
using Annotate.Annotators.Ocr;
using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Readers;
using Annotate.Annotators.Tests.KeyValues;
using Annotate.Annotators.Tests.Support;

namespace Annotate.Annotators.Tests.Ocr;

/// <summary>
/// Image files and scanned PDFs through the whole pipeline, as a user submits them: PNG, JPEG and multi-page TIFF read
/// end to end, the limits that keep a decompression bomb from Tesseract, and a scanned invoice's fields.
/// </summary>
public class ImageDocumentTests
{
    private static readonly IDocumentPipeline Pipeline = TestPipeline.Create(new Dictionary<string, string?>
    {
        ["Annotate:Ocr:Languages:0"] = "en",
        ["Annotate:Ocr:Languages:1"] = "de",
        ["Annotate:Profiles:kv:Annotators:0"] = "patterns",
        ["Annotate:Profiles:kv:Annotators:1"] = "key-values",
        ["Annotate:Profiles:kv:Annotators:2"] = "extraction",
        ["Annotate:Profiles:kv:ExtractionSchema"] = "builtin:invoice.schema.json",
        ["Annotate:Profiles:no-ocr:Ocr:Enabled"] = "false",
        ["Annotate:Profiles:no-ocr:Annotators:0"] = "statistics",
    });

    private static Task<AnnotationResult> Annotate(TempDir dir, string path, string name, string? profile = null) =>
        Pipeline.RunAsync(new AnnotationRequest
        {
            DocumentId = "ocr-" + Guid.NewGuid().ToString("N"),
            Source = new DocumentSource(path, name),
            OutputDirectory = dir.File("out"),
            Profile = profile,
        }, CancellationToken.None);

    [Theory]
    [InlineData("png", SourceFormat.Png)]
    [InlineData("jpeg", SourceFormat.Jpeg)]
    public async Task A_png_or_jpeg_is_read_end_to_end(string kind, SourceFormat format)
    {
        using var dir = new TempDir();
        var image = dir.File("scan image." + kind);
        ScanImages.RenderFile(OcrReaderTests.TextPdf(dir), 200, kind, image);

        var result = await Annotate(dir, image, "scan image." + kind);

        Assert.Equal(format, result.Document.Format);
        Assert.Equal(1, result.Document.Properties.PageCount);
        var words = Assert.Single(result.Document.PageWords);
        Assert.Contains(words.Words, w => w.Text == "Thursday");
        Assert.Contains(OcrReaderTests.KnownLines[3], result.Document.Pages[0]);
        // Boxes are in pixels from the bottom left: the first line is near the top of the 200 dpi A4 image (2339 high).
        var first = words.Words.First(w => w.Text == "Quarterly");
        Assert.InRange(first.Box.Top, 1800, 2339);
        Assert.Contains(result.Outputs, o => o.Kind == "markdown");
        Assert.Contains(result.Annotations.Notices, n => n.Code == OcrPass.ReadNotice);
    }

    [Fact]
    public async Task Each_page_of_a_two_page_tiff_is_a_page()
    {
        using var dir = new TempDir();
        var first = ScanImages.Render(OcrReaderTests.TextPdf(dir), 150);
        var invoice = dir.File("invoice.pdf");
        TestInvoices.Pdf(InvoiceText.English, invoice);
        var second = ScanImages.Render(invoice, 150);
        var tiff = dir.File("two pages.tif");
        ScanImages.Tiff(tiff, first, second);

        var result = await Annotate(dir, tiff, "two pages.tif");

        Assert.Equal(SourceFormat.Tiff, result.Document.Format);
        Assert.Equal(2, result.Document.Properties.PageCount);
        Assert.Equal([1, 2], result.Document.PageWords.Select(p => p.Page));
        Assert.Contains(result.Document.PageWords[0].Words, w => w.Text == "Warehouse");
        Assert.Contains(result.Document.PageWords[1].Words, w => w.Text == "Northwind");
        Assert.Contains(result.Document.Blocks, b => b.Location.Page == 2 && b.Text.Contains("Consulting"));
        Assert.Equal(2, result.Annotations.Statistics!.Pages);
    }

    [Fact]
    public async Task An_image_declaring_a_huge_size_fails_too_large_before_it_is_decoded()
    {
        using var dir = new TempDir();
        var bomb = dir.File("bomb.png");
        // A valid signature and IHDR declaring 100,000 × 100,000 pixels, and nothing else.
        byte[] header = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, .. "IHDR"u8, 0, 1, 0x86, 0xA0, 0, 1, 0x86, 0xA0, 8, 0, 0, 0, 0, 0, 0, 0, 0];
        await File.WriteAllBytesAsync(bomb, header);

        var failure = await Assert.ThrowsAsync<AnnotationException>(() => Annotate(dir, bomb, "bomb.png"));

        Assert.Equal(FailureReason.TooLarge, failure.Reason);
        Assert.Contains("'bomb.png' has a page of 100,000 × 100,000 pixels", failure.Message);
        Assert.DoesNotContain(dir.Path, failure.Message);
    }

    [Fact]
    public async Task A_tiff_whose_pages_loop_fails_as_corrupt_and_one_with_too_many_pages_as_too_large()
    {
        using var dir = new TempDir();
        var page = ScanImages.Render(OcrReaderTests.TextPdf(dir), 50);
        var tiff = dir.File("pages.tif");
        ScanImages.Tiff(tiff, page, page);
        var loop = File.ReadAllBytes(tiff);
        // Point the second page's next-page offset back at the first page.
        var firstIfd = BitConverter.ToUInt32(loop, 4);
        var secondIfd = BitConverter.ToUInt32(loop, (int)firstIfd + 2 + (9 * 12));
        BitConverter.GetBytes(firstIfd).CopyTo(loop, (int)secondIfd + 2 + (9 * 12));
        await File.WriteAllBytesAsync(dir.File("loop.tif"), loop);

        var corrupt = await Assert.ThrowsAsync<AnnotationException>(() => Annotate(dir, dir.File("loop.tif"), "loop.tif"));
        Assert.Equal(FailureReason.Corrupt, corrupt.Reason);
        Assert.Contains("'loop.tif'", corrupt.Message);

        var strict = TestPipeline.Create(new() { ["Annotate:Ocr:MaxPages"] = "1" });
        var tooMany = await Assert.ThrowsAsync<AnnotationException>(() => strict.RunAsync(new AnnotationRequest
        {
            DocumentId = "ocr-pages",
            Source = new DocumentSource(tiff, "pages.tif"),
            OutputDirectory = dir.File("out"),
        }, CancellationToken.None));
        Assert.Equal(FailureReason.TooLarge, tooMany.Reason);
        Assert.Contains("more than 1 pages", tooMany.Message);
    }

    [Fact]
    public async Task Image_files_scanned_askew_are_straightened_before_they_are_read()
    {
        using var dir = new TempDir();
        var page = ScanImages.Render(OcrReaderTests.TextPdf(dir), 200);
        var png = dir.File("askew.png");
        ScanImages.Png(png, page.Skew(-6));
        var tiff = dir.File("askew.tiff");
        ScanImages.Tiff(tiff, page, page.Skew(6));

        var fromPng = await Annotate(dir, png, "askew.png");
        var fromTiff = await Annotate(dir, tiff, "askew.tiff");

        Assert.Contains(OcrReaderTests.KnownLines[1], fromPng.Document.Pages[0]);
        Assert.Contains("Straightened first: page 1 (askew by", Assert.Single(fromPng.Annotations.Notices, n => n.Code == OcrPass.ReadNotice).Message);
        Assert.Equal(2, fromTiff.Document.Pages.Count);
        Assert.All(fromTiff.Document.Pages, text => Assert.Contains(OcrReaderTests.KnownLines[3], text));
        var read = Assert.Single(fromTiff.Annotations.Notices, n => n.Code == OcrPass.ReadNotice).Message;
        Assert.Contains("Straightened first: page 2 (askew by", read);
        Assert.DoesNotContain("page 1 (askew", read);
        // Boxes on the page as scanned: each word of the turned page where the straight page's word lands when turned.
        var (sin, cos) = Math.SinCos(6 * Math.PI / 180);
        var (cx, cy) = (page.Width / 2.0, page.Height / 2.0);
        var turned = fromTiff.Document.PageWords.Single(p => p.Page == 2).Words;
        foreach (var word in fromTiff.Document.PageWords.Single(p => p.Page == 1).Words)
        {
            var (dx, dy) = (((word.Box.Left + word.Box.Right) / 2) - cx, ((word.Box.Bottom + word.Box.Top) / 2) - cy);
            var (x, y) = (cx + (dx * cos) - (dy * sin), cy + (dx * sin) + (dy * cos));
            Assert.Contains(turned, w => w.Text == word.Text
                && Math.Abs(((w.Box.Left + w.Box.Right) / 2) - x) < 25 && Math.Abs(((w.Box.Bottom + w.Box.Top) / 2) - y) < 25);
        }
    }

    [Fact]
    public async Task Without_tesseract_an_image_completes_with_the_notice_and_how_to_install_it()
    {
        using var dir = new TempDir();
        var pipeline = TestPipeline.Create(new Dictionary<string, string?>
        {
            ["Annotate:Ocr:TesseractPath"] = dir.File("no such folder/tesseract"),
        });
        var image = dir.File("scan.png");
        ScanImages.RenderFile(OcrReaderTests.TextPdf(dir), 100, "png", image);

        var result = await pipeline.RunAsync(new AnnotationRequest
        {
            DocumentId = "ocr-" + Guid.NewGuid().ToString("N"),
            Source = new DocumentSource(image, "scan.png"),
            OutputDirectory = dir.File("out"),
        }, CancellationToken.None);

        Assert.Equal(SourceFormat.Png, result.Document.Format);
        Assert.Empty(result.Document.Blocks);
        var unavailable = Assert.Single(result.Annotations.Notices, n => n.Code == OcrPass.UnavailableNotice);
        Assert.Contains("'scan.png'", unavailable.Message);
        Assert.Contains(TesseractOcr.InstallHint, unavailable.Message);
        Assert.DoesNotContain(dir.Path, unavailable.Message);
        Assert.Contains(result.Outputs, o => o.Kind == "markdown");
    }

    [Fact]
    public async Task A_profile_that_turns_ocr_off_leaves_the_image_unread_with_a_notice()
    {
        using var dir = new TempDir();
        var image = dir.File("scan.png");
        ScanImages.RenderFile(OcrReaderTests.TextPdf(dir), 100, "png", image);

        var result = await Annotate(dir, image, "scan.png", "no-ocr");

        Assert.Empty(result.Document.Blocks);
        Assert.Contains(result.Annotations.Notices, n => n.Code == "no-text-layer" && n.Message.Contains("'scan.png'"));
    }

    [Theory]
    [InlineData("en")]
    [InlineData("de")]
    public async Task A_scanned_invoice_gives_the_fields_of_its_born_digital_twin(string language)
    {
        using var dir = new TempDir();
        var invoice = InvoiceText.For(language);
        var born = dir.File("born.pdf");
        TestInvoices.Pdf(invoice, born);
        var scan = dir.File("scan.pdf");
        ScanImages.ImagePdf(scan, 300, ScanImages.Render(born, 300));

        var digital = (await Annotate(dir, born, "born.pdf", "kv")).Annotations.Extraction!.Values;
        var scanned = await Annotate(dir, scan, "scan.pdf", "kv");

        var values = scanned.Annotations.Extraction!.Values;
        foreach (var field in new[] { "invoiceNumber", "issueDate", "dueDate", "grossTotal", "netTotal", "currency" })
        {
            Assert.True(digital[field] is not null, $"the born-digital invoice has no {field}");
            Assert.True(values[field]?.ToJsonString() == digital[field]!.ToJsonString(),
                $"{field}: scanned '{values[field]}', born-digital '{digital[field]}'; pairs: {string.Join("; ", scanned.Annotations.KeyValues!.Pairs.Select(p => $"{p.Label}={p.Value}"))}");
        }
        var number = scanned.Annotations.Extraction.Fields.Single(f => f.Path == "/invoiceNumber");
        Assert.Equal(1, number.Location!.Page);
        Assert.NotNull(number.Location.Box);
    }
}
