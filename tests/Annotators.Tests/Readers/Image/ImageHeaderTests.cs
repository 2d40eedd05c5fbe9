using Annotate.Annotators.Documents;
using Annotate.Annotators.Readers;
using Annotate.Annotators.Readers.Image;
using Annotate.Annotators.Tests.Ocr;
using Annotate.Annotators.Tests.Support;

namespace Annotate.Annotators.Tests.Readers.Image;

/// <summary>Image files told by their magic bytes, and their page sizes read from the header of files pdftoppm wrote.</summary>
public class ImageHeaderTests
{
    [Theory]
    [InlineData("png", SourceFormat.Png)]
    [InlineData("jpeg", SourceFormat.Jpeg)]
    public void A_rendered_image_is_detected_and_its_size_read_without_decoding(string kind, SourceFormat format)
    {
        using var dir = new TempDir();
        var text = OcrReaderTests.TextPdf(dir);
        var image = dir.File("page." + kind);
        // 100 dpi, named like a PDF: the bytes decide.
        ScanImages.RenderFile(text, 100, kind, image);
        var expected = ScanImages.Render(text, 100);

        Assert.Equal(format, new FormatDetector().Detect(new DocumentSource(image, "page.pdf")));
        using var stream = File.OpenRead(image);
        var size = Assert.Single(ImageHeader.Read(stream, format, "page." + kind, 10));
        Assert.Equal((expected.Width, expected.Height), (size.Width, size.Height));
    }

    [Fact]
    public void Each_page_of_a_tiff_has_its_own_size()
    {
        using var dir = new TempDir();
        var page = ScanImages.Render(OcrReaderTests.TextPdf(dir), 40);
        var turned = page.Rotate(90);
        var tiff = dir.File("pages.tif");
        ScanImages.Tiff(tiff, page, turned);

        Assert.Equal(SourceFormat.Tiff, new FormatDetector().Detect(new DocumentSource(tiff, "pages.tif")));
        using var stream = File.OpenRead(tiff);
        var sizes = ImageHeader.Read(stream, SourceFormat.Tiff, "pages.tif", 10);
        Assert.Equal([(page.Width, page.Height), (page.Height, page.Width)], sizes.Select(s => (s.Width, s.Height)));
    }

    [Fact]
    public void A_truncated_header_is_corrupt_and_named()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("cut.jpg"), [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, (byte)'J']);
        using var stream = File.OpenRead(dir.File("cut.jpg"));

        var failure = Assert.Throws<Annotate.Annotators.Pipeline.AnnotationException>(() => ImageHeader.Read(stream, SourceFormat.Jpeg, "cut.jpg", 10));

        Assert.Equal(Annotate.Annotators.Pipeline.FailureReason.Corrupt, failure.Reason);
        Assert.Contains("'cut.jpg'", failure.Message);
    }
}
