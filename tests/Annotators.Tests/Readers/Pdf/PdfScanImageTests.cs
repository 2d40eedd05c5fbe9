using System.Text;
using Annotate.Annotators.Readers.Pdf;
using Annotate.Annotators.Tests.Ocr;
using Annotate.Annotators.Tests.Support;
using UglyToad.PdfPig;

namespace Annotate.Annotators.Tests.Readers.Pdf;

/// <summary>
/// A scanned page's own image handed to Tesseract instead of a rendering: taken only when it shows exactly what
/// pdftoppm would render at about the asked resolution, and then byte for byte the pixels the file stores.
/// </summary>
public class PdfScanImageTests
{
    private const int Dpi = 300;

    private static PdfScanImageFile? TryWrite(string pdf, TempDir dir, double dpi = Dpi, bool grayOnly = false)
    {
        using var document = PdfDocument.Open(pdf);
        // A folder of its own per call, as each OCR pass has.
        return PdfScanImage.TryWrite(document.GetPage(1), dpi, 60_000_000, Directory.CreateDirectory(dir.File(Guid.NewGuid().ToString("N"))).FullName, grayOnly);
    }

    private static (GrayImage Image, double Width, double Height) Scan(TempDir dir, int dpi = Dpi)
    {
        var image = ScanImages.Render(OcrReaderTests.TextPdf(dir), dpi);
        return (image, image.Width * 72.0 / dpi, image.Height * 72.0 / dpi);
    }

    private static string GrayEntries(GrayImage image) =>
        $"/Width {image.Width} /Height {image.Height} /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode";

    [Fact]
    public void A_gray_scan_at_the_resolution_asked_for_is_written_as_the_pixels_it_stores()
    {
        using var dir = new TempDir();
        var (image, width, height) = Scan(dir);
        var pdf = dir.File("scan.pdf");
        ScanImages.ImageStreamPdf(pdf, width, height, GrayEntries(image), ScanImages.Deflate(image.Pixels));

        var written = TryWrite(pdf, dir);

        Assert.NotNull(written);
        Assert.EndsWith(".pgm", written.Path);
        Assert.InRange(written.Dpi, Dpi - 1, Dpi + 1);
        Assert.NotNull(TryWrite(pdf, dir, grayOnly: true));
        var header = Encoding.ASCII.GetBytes($"P5\n{image.Width} {image.Height}\n255\n");
        var bytes = File.ReadAllBytes(written.Path);
        Assert.Equal(header, bytes[..header.Length]);
        Assert.Equal(image.Pixels, bytes[header.Length..]);
    }

    [Fact]
    public void A_jpeg_scan_is_taken_as_stored_and_rgb_samples_only_without_deskew()
    {
        using var dir = new TempDir();
        var (image, width, height) = Scan(dir);
        var jpeg = dir.File("page.jpg");
        ScanImages.RenderFile(OcrReaderTests.TextPdf(dir, "again.pdf"), Dpi, "jpeg", jpeg);
        var pdf = dir.File("scan.pdf");
        ScanImages.ImageStreamPdf(pdf, width, height,
            $"/Width {image.Width} /Height {image.Height} /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode", File.ReadAllBytes(jpeg));
        var rgb = dir.File("rgb.pdf");
        ScanImages.ImageStreamPdf(rgb, width, height,
            $"/Width {image.Width} /Height {image.Height} /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /FlateDecode",
            ScanImages.Deflate(image.Pixels.SelectMany(p => new[] { p, p, p }).ToArray()));

        // The JPEG stream as the scanner stored it, with deskew on too (OCR then decodes it to gray pixels).
        Assert.Equal(File.ReadAllBytes(jpeg), File.ReadAllBytes(TryWrite(pdf, dir)!.Path));
        Assert.EndsWith(".jpg", TryWrite(pdf, dir, grayOnly: true)?.Path);
        var written = TryWrite(rgb, dir);
        Assert.EndsWith(".ppm", written?.Path);
        Assert.Equal(image.Pixels.Length * 3, File.ReadAllBytes(written!.Path).Length - $"P6\n{image.Width} {image.Height}\n255\n".Length);
        // Pages are straightened in gray pixels: with deskew on, RGB samples are rendered to them.
        Assert.Null(TryWrite(rgb, dir, grayOnly: true));
    }

    [Fact]
    public void A_one_bit_fax_scan_is_written_as_a_bitmap_with_black_as_one()
    {
        using var dir = new TempDir();
        var (image, width, height) = Scan(dir);
        var rowBytes = (image.Width + 7) / 8;
        // PDF's 1-bit gray: 0 black, 1 white.
        var bits = new byte[rowBytes * image.Height];
        for (var y = 0; y < image.Height; y++)
        {
            for (var x = 0; x < image.Width; x++)
            {
                if (image.Pixels[(y * image.Width) + x] >= 128)
                {
                    bits[(y * rowBytes) + (x / 8)] |= (byte)(0x80 >> (x % 8));
                }
            }
        }
        var pdf = dir.File("fax.pdf");
        ScanImages.ImageStreamPdf(pdf, width, height,
            $"/Width {image.Width} /Height {image.Height} /ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /FlateDecode", ScanImages.Deflate(bits));

        var written = TryWrite(pdf, dir);

        Assert.NotNull(written);
        Assert.EndsWith(".pbm", written.Path);
        var header = Encoding.ASCII.GetBytes($"P4\n{image.Width} {image.Height}\n");
        var bytes = File.ReadAllBytes(written.Path);
        Assert.Equal(header, bytes[..header.Length]);
        Assert.Equal(bits.Select(b => (byte)~b).ToArray(), bytes[header.Length..]);
    }

    public static TheoryData<string, string, string> Rendered() => new()
    {
        // A page turned by /Rotate: the viewer shows it turned, the image is stored upright.
        { "turned page", "q {w} 0 0 {h} 0 0 cm /Im1 Do Q", "/Rotate 90" },
        // Drawn upside down (mirrored vertically): the stored rows are the other way round from the page.
        { "mirrored", "q {w} 0 0 -{h} 0 {h} cm /Im1 Do Q", "" },
        // Over the lower half of the page only.
        { "half the page", "q {w} 0 0 {h} 0 0 cm 1 0 0 0.5 0 0 cm /Im1 Do Q", "" },
        // Two images on one page.
        { "two images", "q {w} 0 0 {h} 0 0 cm /Im1 Do Q q 10 0 0 10 0 0 cm /Im1 Do Q", "" },
    };

    [Theory]
    [MemberData(nameof(Rendered))]
    public void A_page_whose_image_is_not_the_page_as_shown_is_rendered(string what, string content, string pageEntries)
    {
        using var dir = new TempDir();
        var (image, width, height) = Scan(dir);
        var pdf = dir.File("scan.pdf");
        ScanImages.ImageStreamPdf(pdf, width, height, GrayEntries(image), ScanImages.Deflate(image.Pixels), content, pageEntries);

        Assert.True(TryWrite(pdf, dir) is null, what);
    }

    [Theory]
    [InlineData("/Decode [1 0]")]
    [InlineData("/DecodeParms << /Predictor 15 /Columns 8 >>")]
    [InlineData("/ImageMask true")]
    public void An_image_whose_samples_are_not_its_pixels_is_rendered(string entry)
    {
        using var dir = new TempDir();
        var (image, width, height) = Scan(dir);
        var pdf = dir.File("scan.pdf");
        ScanImages.ImageStreamPdf(pdf, width, height, GrayEntries(image) + " " + entry, ScanImages.Deflate(image.Pixels));

        Assert.Null(TryWrite(pdf, dir));
    }

    [Fact]
    public void A_scan_far_below_the_resolution_asked_for_is_rendered_at_it()
    {
        using var dir = new TempDir();
        var (image, width, height) = Scan(dir, 150);
        var pdf = dir.File("scan.pdf");
        ScanImages.ImageStreamPdf(pdf, width, height, GrayEntries(image), ScanImages.Deflate(image.Pixels));

        Assert.Null(TryWrite(pdf, dir, dpi: 300));
        Assert.NotNull(TryWrite(pdf, dir, dpi: 150));
    }

    [Fact]
    public void Stored_bytes_that_do_not_fill_the_image_are_rendered()
    {
        using var dir = new TempDir();
        var (image, width, height) = Scan(dir);
        var pdf = dir.File("short.pdf");
        ScanImages.ImageStreamPdf(pdf, width, height, GrayEntries(image), ScanImages.Deflate(image.Pixels[..(image.Pixels.Length / 2)]));

        Assert.Null(TryWrite(pdf, dir));
    }

    [Fact]
    public void A_stream_that_inflates_past_the_image_is_rendered_and_not_inflated_whole()
    {
        using var dir = new TempDir();
        var (image, width, height) = Scan(dir);
        var bomb = new byte[image.Pixels.Length * 8];
        var pdf = dir.File("bomb.pdf");
        ScanImages.ImageStreamPdf(pdf, width, height, GrayEntries(image), ScanImages.Deflate(bomb));

        Assert.Null(TryWrite(pdf, dir));
        Assert.Empty(Directory.EnumerateFiles(dir.Path, "page-*", SearchOption.AllDirectories));
    }

    [Fact]
    public void Samples_stored_without_a_filter_are_written_as_they_are()
    {
        using var dir = new TempDir();
        var (image, width, height) = Scan(dir);
        var pdf = dir.File("raw.pdf");
        ScanImages.ImageStreamPdf(pdf, width, height,
            $"/Width {image.Width} /Height {image.Height} /ColorSpace /DeviceGray /BitsPerComponent 8", image.Pixels);

        var written = TryWrite(pdf, dir);

        Assert.NotNull(written);
        Assert.Equal(image.Pixels, File.ReadAllBytes(written.Path)[^image.Pixels.Length..]);
    }
}
