using Annotate.Annotators.Ocr;
using Annotate.Annotators.Tests.Support;

namespace Annotate.Annotators.Tests.Ocr;

/// <summary>The skew of a page rendered by the real pdftoppm and turned in the test, measured and taken out again.</summary>
public class DeskewTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(-4.5)]
    [InlineData(8)]
    public void The_angle_a_page_was_turned_by_is_measured(double degrees)
    {
        using var dir = new TempDir();
        var page = ScanImages.Render(OcrReaderTests.TextPdf(dir), 150).Skew(degrees);

        var measured = Deskew.Measure(page.Pixels, page.Width, page.Height);

        // Skew turns the page so its lines slope by the opposite angle in image rows (counted downwards).
        Assert.InRange(measured, -degrees - 0.3, -degrees + 0.3);
    }

    [Fact]
    public void A_blank_page_and_a_dark_picture_are_left_as_they_are()
    {
        var blank = Enumerable.Repeat((byte)255, 600 * 800).ToArray();
        var dark = Enumerable.Repeat((byte)20, 600 * 800).ToArray();

        Assert.Equal(0, Deskew.Measure(blank, 600, 800));
        Assert.Equal(0, Deskew.Measure(dark, 600, 800));
    }

    [Fact]
    public void A_straightened_page_measures_straight_and_its_boxes_go_back_onto_the_page_as_scanned()
    {
        using var dir = new TempDir();
        var page = ScanImages.Render(OcrReaderTests.TextPdf(dir), 150).Skew(5);
        var slope = Deskew.Measure(page.Pixels, page.Width, page.Height);

        var straight = Deskew.Straighten(page.Pixels, page.Width, page.Height, slope);

        Assert.Equal(0, Deskew.Measure(straight, page.Width, page.Height));
        // A box at the straightened page's centre stays there; one to the right of it moves up or down with the slope.
        var words = new OcrPage(1, page.Width, page.Height,
        [
            new OcrWord("centre", (page.Width / 2) - 10, (page.Height / 2) - 5, 20, 10, 90, 1, 1, 1),
            new OcrWord("right", (page.Width / 2) + 290, (page.Height / 2) - 5, 20, 10, 90, 1, 1, 1),
        ]);
        var back = Deskew.OnScannedPage(words, slope).Words;
        Assert.InRange(back[0].Left + (back[0].Width / 2.0), (page.Width / 2.0) - 2, (page.Width / 2.0) + 2);
        var rise = (back[1].Top + (back[1].Height / 2.0)) - (page.Height / 2.0);
        Assert.InRange(rise, (300 * Math.Tan(slope * Math.PI / 180)) - 3, (300 * Math.Tan(slope * Math.PI / 180)) + 3);
    }

    [Fact]
    public void A_file_that_is_not_an_8_bit_pgm_is_not_touched()
    {
        using var dir = new TempDir();
        var path = dir.File("page.pgm");
        var bytes = "P5\n4 4\n65535\n"u8.ToArray().Concat(new byte[32]).ToArray();
        File.WriteAllBytes(path, bytes);

        Assert.Equal(0, Deskew.StraightenFile(path, 60_000_000));
        Assert.Equal(bytes, File.ReadAllBytes(path));
    }
}
