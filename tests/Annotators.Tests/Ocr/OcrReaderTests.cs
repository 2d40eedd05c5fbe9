using Annotate.Annotators.Builtin;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Ocr;
using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Readers;
using Annotate.Annotators.Readers.Pdf;
using Annotate.Annotators.Tests.KeyValues;
using Annotate.Annotators.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.Tests.Ocr;

/// <summary>
/// Scans made in the test (pages of a generated PDF rendered with the real pdftoppm, turned, written back as image-only
/// PDFs, PNG, JPEG and TIFF files) read with the real Tesseract: the known words with their page and box.
/// </summary>
public class OcrReaderTests
{
    /// <summary>Lines of a page whose words the scans must give back, each at a known place.</summary>
    public static readonly string[] KnownLines =
    [
        "Quarterly report of the harbour office",
        "Revenue grew steadily during autumn",
        "Shipments left Bristol every Thursday",
        "Warehouse inspection found seven pallets",
    ];

    internal static TesseractOcr Ocr(Action<OcrOptions>? configure = null, params string[] languages)
    {
        var options = new OcrOptions();
        configure?.Invoke(options);
        return new TesseractOcr(Options.Create(options), Options.Create(new LanguageOptions { Languages = [.. languages] }), NullLogger<TesseractOcr>.Instance);
    }

    private static Task<Document> ReadPdf(string path, TesseractOcr ocr, string? name = null) =>
        new PdfReader(NullLogger<PdfReader>.Instance, ocr).ReadAsync(new DocumentSource(path, name ?? Path.GetFileName(path)), CancellationToken.None);

    /// <summary>A born-digital A4 page with <see cref="KnownLines"/> in 16-point Helvetica, 40 points apart.</summary>
    internal static string TextPdf(TempDir dir, string name = "text.pdf")
    {
        var pdf = new WinAnsiPdf();
        for (var i = 0; i < KnownLines.Length; i++)
        {
            pdf.Text(KnownLines[i], 72, 720 - (40 * i), 16);
        }
        var path = dir.File(name);
        pdf.Save(path);
        return path;
    }

    /// <summary>The page of <see cref="TextPdf"/> rendered at 150 dpi and written back as a PDF without a text layer.</summary>
    private static string ScannedTextPdf(TempDir dir)
    {
        var scan = dir.File("scan.pdf");
        ScanImages.ImagePdf(scan, 150, ScanImages.Render(TextPdf(dir), 150));
        return scan;
    }

    public static TheoryData<int, int> Scans() => new() { { 0, 150 }, { 0, 300 }, { 90, 150 }, { 90, 300 }, { 180, 150 }, { 180, 300 } };

    [Theory]
    [MemberData(nameof(Scans))]
    public async Task Known_words_of_a_scanned_page_are_found_with_their_page_and_box(int rotation, int dpi)
    {
        using var dir = new TempDir();
        var text = TextPdf(dir);
        var born = await ReadPdf(text, Ocr());
        var scan = dir.File("scan.pdf");
        ScanImages.ImagePdf(scan, dpi, ScanImages.Render(text, dpi).Rotate(rotation));

        var document = await ReadPdf(scan, Ocr());

        Assert.DoesNotContain(document.Notices, n => n.Code is "no-text-layer" or OcrPass.FailedNotice);
        Assert.Contains(document.Notices, n => n.Code == OcrPass.ReadNotice);
        var words = Assert.Single(document.PageWords);
        Assert.Equal(1, words.Page);
        foreach (var expected in born.PageWords.Single().Words)
        {
            var found = words.Words.Where(w => w.Text == expected.Text).ToList();
            Assert.True(found.Count > 0, $"'{expected.Text}' not read at {rotation}° and {dpi} dpi; read: {string.Join(' ', words.Words.Select(w => w.Text))}");
            // Where the word stands on the turned page: the born-digital box's centre turned with it.
            var (x, y) = Turn(Centre(expected.Box), rotation, 595, 842);
            var nearest = found.MinBy(w => Distance(Centre(w.Box), (x, y)))!;
            Assert.True(Distance(Centre(nearest.Box), (x, y)) < 8,
                $"'{expected.Text}' at {Centre(nearest.Box)}, expected near ({x:0}, {y:0}) at {rotation}° and {dpi} dpi");
            Assert.NotNull(nearest.Confidence);
        }
        Assert.Contains(KnownLines[1], string.Join(' ', document.Pages));
        Assert.All(document.Blocks, b => Assert.Equal(1, b.Location.Page));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(-3)]
    [InlineData(6)]
    [InlineData(-6)]
    public async Task A_page_scanned_askew_is_read_with_its_words_in_place(double degrees)
    {
        using var dir = new TempDir();
        var text = TextPdf(dir);
        var born = await ReadPdf(text, Ocr());
        var scan = dir.File("askew.pdf");
        ScanImages.ImagePdf(scan, 300, ScanImages.Render(text, 300).Skew(degrees));

        var document = await ReadPdf(scan, Ocr());

        var words = Assert.Single(document.PageWords).Words;
        foreach (var expected in born.PageWords.Single().Words)
        {
            var found = words.Where(w => w.Text == expected.Text).ToList();
            Assert.True(found.Count > 0, $"'{expected.Text}' not read at {degrees}°; read: {string.Join(' ', words.Select(w => w.Text))}");
            // The word's centre turned about the page's centre with the scan (page y grows upwards, image y downwards).
            var (sin, cos) = Math.SinCos(degrees * Math.PI / 180);
            var (dx, dy) = (Centre(expected.Box).X - (595 / 2.0), Centre(expected.Box).Y - (842 / 2.0));
            var (x, y) = ((595 / 2.0) + (dx * cos) - (dy * sin), (842 / 2.0) + (dx * sin) + (dy * cos));
            var nearest = found.MinBy(w => Distance(Centre(w.Box), (x, y)))!;
            Assert.True(Distance(Centre(nearest.Box), (x, y)) < 12,
                $"'{expected.Text}' at {Centre(nearest.Box)}, expected near ({x:0}, {y:0}) at {degrees}°");
        }
        Assert.Contains(KnownLines[2], string.Join(' ', document.Pages));
        var read = Assert.Single(document.Notices, n => n.Code == OcrPass.ReadNotice);
        var said = System.Text.RegularExpressions.Regex.Match(read.Message, @"Straightened first: page 1 \(askew by ([0-9.]+)°\)");
        Assert.True(said.Success, read.Message);
        Assert.InRange(double.Parse(said.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), Math.Abs(degrees) - 0.3, Math.Abs(degrees) + 0.3);
    }

    private static (double X, double Y) Centre(PageBox box) => ((box.Left + box.Right) / 2, (box.Bottom + box.Top) / 2);

    private static double Distance((double X, double Y) a, (double X, double Y) b) => Math.Sqrt(((a.X - b.X) * (a.X - b.X)) + ((a.Y - b.Y) * (a.Y - b.Y)));

    /// <summary>A point of a page (origin bottom left) after the page is turned clockwise.</summary>
    private static (double X, double Y) Turn((double X, double Y) point, int degrees, double width, double height) => degrees switch
    {
        0 => point,
        90 => (point.Y, width - point.X),
        180 => (width - point.X, height - point.Y),
        _ => throw new ArgumentOutOfRangeException(nameof(degrees)),
    };

    [Fact]
    public async Task A_page_with_a_text_layer_is_not_recognised_again()
    {
        using var dir = new TempDir();
        var document = await ReadPdf(TextPdf(dir), Ocr());

        Assert.DoesNotContain(document.Notices, n => n.Source == OcrPass.NoticeSource);
        Assert.All(document.PageWords.Single().Words, w => Assert.Null(w.Confidence));
    }

    [Fact]
    public async Task Without_tesseract_a_scan_completes_with_the_notice_and_how_to_install_it()
    {
        using var dir = new TempDir();
        var scan = ScannedTextPdf(dir);

        var document = await ReadPdf(scan, Ocr(o => o.TesseractPath = dir.File("no such folder/tesseract")));

        Assert.Contains(document.Notices, n => n.Code == "no-text-layer");
        var unavailable = Assert.Single(document.Notices, n => n.Code == OcrPass.UnavailableNotice);
        Assert.Contains("apt-get install tesseract-ocr tesseract-ocr-eng", unavailable.Message);
        Assert.Contains("'scan.pdf'", unavailable.Message);
        Assert.Empty(document.Blocks);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task A_page_that_takes_too_long_is_named_in_a_notice_and_its_process_killed()
    {
        using var dir = new TempDir();
        // A Tesseract that lists its languages and then hangs on every page, in a child of its own (a tree to kill),
        // sleeping for a time no other process sleeps for.
        var tool = dir.File("hanging tesseract");
        var sleep = $"600.{Random.Shared.Next(100_000, 999_999)}";
        await File.WriteAllTextAsync(tool, $"#!/bin/sh\nif [ \"$1\" = \"--list-langs\" ]; then echo 'List of available languages (1):'; echo eng; exit 0; fi\nsleep {sleep}\n");
        File.SetUnixFileMode(tool, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite);
        var scan = dir.File("it's \"scanned\" ü.pdf");
        ScanImages.ImagePdf(scan, 150, ScanImages.Render(TextPdf(dir), 150));

        var document = await ReadPdf(scan, Ocr(o => { o.TesseractPath = tool; o.PageTimeout = TimeSpan.FromSeconds(1); }));

        var failed = Assert.Single(document.Notices, n => n.Code == OcrPass.FailedNotice);
        Assert.Contains("Page 1 of 'it's \"scanned\" ü.pdf'", failed.Message);
        Assert.Contains("longer than 1 s", failed.Message);
        Assert.DoesNotContain(dir.Path, failed.Message);
        // Killed, not left behind: no process runs the tool from the test's own folder any more.
        Assert.DoesNotContain(Directory.EnumerateDirectories("/proc").Select(CommandLine), c => c.Contains(dir.Path) || c.Contains(sleep));
    }

    private static string CommandLine(string process)
    {
        try
        {
            return File.ReadAllText(Path.Combine(process, "cmdline")).Replace('\0', ' ');
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return string.Empty; // not a process, or one that ended meanwhile
        }
    }

    [Fact]
    public async Task A_process_over_its_memory_limit_fails_the_page_not_the_document()
    {
        using var dir = new TempDir();
        var scan = ScannedTextPdf(dir);

        var document = await ReadPdf(scan, Ocr(o => o.MemoryLimitMegabytes = 64));

        var failed = Assert.Single(document.Notices, n => n.Code == OcrPass.FailedNotice);
        Assert.Contains("Page 1 of 'scan.pdf' could not be read with OCR", failed.Message);
        Assert.Contains(document.Notices, n => n.Code == "no-text-layer");
    }

    [Fact]
    public async Task A_language_without_traineddata_is_named_and_the_installed_ones_read()
    {
        using var dir = new TempDir();
        var scan = ScannedTextPdf(dir);

        // Klingon has no traineddata in any Debian package.
        var document = await ReadPdf(scan, Ocr(o => o.Languages = ["en", "tlh"]));

        var missing = Assert.Single(document.Notices, n => n.Code == OcrPass.LanguageMissingNotice);
        Assert.Contains("tlh", missing.Message);
        Assert.Contains("It is read in eng", missing.Message);
        Assert.Contains(document.PageWords.Single().Words, w => w.Text == "Bristol");
    }

    [Fact]
    public async Task Words_below_the_confidence_threshold_are_named_in_a_notice()
    {
        using var dir = new TempDir();
        var scan = ScannedTextPdf(dir);

        var strict = await ReadPdf(scan, Ocr(o => o.LowConfidence = 100));
        var lenient = await ReadPdf(scan, Ocr(o => o.LowConfidence = 0));

        var words = strict.PageWords.Single().Words;
        var unsure = words.Count(w => w.Confidence < 100);
        Assert.True(unsure > 0, "Tesseract is never fully sure of a scan");
        var notice = Assert.Single(strict.Notices, n => n.Code == OcrPass.LowConfidenceNotice);
        Assert.StartsWith($"{unsure} of {words.Count} word(s) OCR read on 'scan.pdf' are unsure (confidence below 100), on page(s) 1:", notice.Message);
        Assert.DoesNotContain(lenient.Notices, n => n.Code == OcrPass.LowConfidenceNotice);
    }

    [Fact]
    public async Task Only_the_first_MaxPages_pages_are_recognised_and_the_rest_named()
    {
        using var dir = new TempDir();
        var page = ScanImages.Render(TextPdf(dir), 100);
        var scan = dir.File("scan.pdf");
        ScanImages.ImagePdf(scan, 100, page, page);

        var document = await ReadPdf(scan, Ocr(o => o.MaxPages = 1));

        Assert.Equal([1], document.PageWords.Where(p => p.Words.Count > 0).Select(p => p.Page));
        var skipped = Assert.Single(document.Notices, n => n.Code == OcrPass.PageLimitNotice);
        Assert.Contains("Page(s) 2 of 'scan.pdf'", skipped.Message);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task A_scan_at_the_resolution_asked_for_is_read_from_its_own_image_without_rendering()
    {
        using var dir = new TempDir();
        // A pdftoppm that fails every page: only a page read from its own image can be recognised.
        var tool = dir.File("failing pdftoppm");
        await File.WriteAllTextAsync(tool, "#!/bin/sh\necho 'cannot render' >&2\nexit 1\n");
        File.SetUnixFileMode(tool, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite);
        var text = TextPdf(dir);
        var sharp = dir.File("sharp.pdf");
        ScanImages.ImagePdf(sharp, 300, ScanImages.Render(text, 300));
        var coarse = dir.File("coarse.pdf");
        ScanImages.ImagePdf(coarse, 150, ScanImages.Render(text, 150));
        // A scanner's JPEG page: the stream decoded here to gray pixels, not rendered.
        var jpegFile = dir.File("page.jpg");
        ScanImages.RenderFile(text, 300, "jpeg", jpegFile);
        var page = ScanImages.Render(text, 300);
        var jpeg = dir.File("jpeg.pdf");
        ScanImages.ImageStreamPdf(jpeg, page.Width * 72.0 / 300, page.Height * 72.0 / 300,
            $"/Width {page.Width} /Height {page.Height} /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode", File.ReadAllBytes(jpegFile));

        var read = await ReadPdf(sharp, Ocr(o => { o.PdftoppmPath = tool; o.Dpi = 300; }));
        var fromJpeg = await ReadPdf(jpeg, Ocr(o => { o.PdftoppmPath = tool; o.Dpi = 300; }));
        var rendered = await ReadPdf(coarse, Ocr(o => { o.PdftoppmPath = tool; o.Dpi = 300; }));

        Assert.DoesNotContain(read.Notices, n => n.Code == OcrPass.FailedNotice);
        Assert.Contains(read.PageWords.Single().Words, w => w.Text == "Bristol" && w.Confidence is not null);
        Assert.DoesNotContain(fromJpeg.Notices, n => n.Code == OcrPass.FailedNotice);
        Assert.Contains(fromJpeg.PageWords.Single().Words, w => w.Text == "Thursday" && w.Confidence is not null);
        // The 150-dpi scan is rendered at 300 dpi, so the failing pdftoppm is what it meets.
        var failed = Assert.Single(rendered.Notices, n => n.Code == OcrPass.FailedNotice);
        Assert.Contains("could not be rendered", failed.Message);
    }
}
