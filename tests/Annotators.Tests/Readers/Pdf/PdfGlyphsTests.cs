using Annotate.Annotators.Readers;
using Annotate.Annotators.Readers.Pdf;
using Annotate.Annotators.Tests.Ocr;
using Annotate.Annotators.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace Annotate.Annotators.Tests.Readers.Pdf;

public class PdfGlyphsTests
{
    private static readonly ParsingOptions Parsing = new() { UseLenientParsing = true, SkipMissingFonts = true };

    [Theory]
    [MemberData(nameof(PdfPageReaderTests.CorpusPdfs), MemberType = typeof(PdfPageReaderTests))]
    public void A_corpus_page_has_the_glyphs_pdfpig_makes_letters_of(string file)
    {
        var bytes = File.ReadAllBytes(TestFiles.Corpus("pdf/" + file));

        var glyphs = AssertSameAsLetters(bytes);

        Assert.True(glyphs > 0, $"{file} has text");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(90)]
    [InlineData(180)]
    [InlineData(270)]
    public void A_turned_page_has_the_glyphs_pdfpig_makes_letters_of(int degrees)
    {
        var builder = new PdfDocumentBuilder();
        var font = builder.AddStandard14Font(Standard14Font.Helvetica);
        var bold = builder.AddStandard14Font(Standard14Font.HelveticaBold);
        var page = builder.AddPage(842, 595);
        page.SetRotation(new PageRotationDegrees(degrees));
        page.AddText("A bold heading", 16, new PdfPoint(60, 520), bold);
        page.AddText("Upright words in a line of body text.", 11, new PdfPoint(60, 490), font);

        Assert.True(AssertSameAsLetters(builder.Build()) > 40);
    }

    [Fact]
    public void Text_turned_by_its_matrix_has_the_glyphs_pdfpig_makes_letters_of()
    {
        using var dir = new TempDir();
        var path = dir.File("turned-text.pdf");
        // Going up, upside down, going down and at an angle that is not a right one.
        var content = "BT /F1 10 Tf 0 1 -1 0 300 300 Tm (Going up) Tj ET BT /F1 10 Tf -1 0 0 -1 400 200 Tm (Upside down) Tj ET "
            + "BT /F1 10 Tf 0 -1 1 0 100 700 Tm (Going down) Tj ET BT /F1 10 Tf 0.8 0.6 -0.6 0.8 100 100 Tm (At an angle) Tj ET";
        KeyValues.WinAnsiPdf.Write(path,
        [
            Ascii("<< /Type /Catalog /Pages 2 0 R >>"),
            Ascii("<< /Type /Pages /Kids [3 0 R] /Count 1 >>"),
            Ascii("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>"),
            Ascii("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"),
            [.. Ascii($"<< /Length {content.Length} >>\nstream\n"), .. Ascii(content), .. Ascii("\nendstream")],
        ]);

        Assert.Equal(40, AssertSameAsLetters(File.ReadAllBytes(path)));
        using var pdf = PdfDocument.Open(path, Parsing);
        Assert.Equal(
            [TextOrientation.Rotate270, TextOrientation.Rotate180, TextOrientation.Rotate90, TextOrientation.Other],
            PdfGlyphs.Page(pdf, 1).Glyphs.Select(g => g.TextOrientation).Distinct());
    }

    private static byte[] Ascii(string text) => System.Text.Encoding.ASCII.GetBytes(text);

    [Fact]
    public void A_page_turned_by_its_rotate_entry_has_pdfpig_s_size_and_image_area()
    {
        using var dir = new TempDir();
        var path = dir.File("turned.pdf");
        var pixels = new byte[8 * 4];
        ScanImages.ImageStreamPdf(path, 300, 500, "/Width 8 /Height 4 /ColorSpace /DeviceGray /BitsPerComponent 8", pixels,
            content: "q 200 0 0 100 20 30 cm /Im1 Do Q q 50 0 0 40 250 400 cm /Im1 Do Q", pageEntries: "/Rotate 90");
        using var pdf = PdfDocument.Open(path, Parsing);

        var page = PdfGlyphs.Page(pdf, 1);
        var letters = pdf.GetPage(1);

        Assert.Equal((letters.Width, letters.Height), (page.Width, page.Height));
        Assert.Equal((500.0, 300.0), (page.Width, page.Height));
        Assert.Equal(2, page.NumberOfImages);
        Assert.Equal(letters.NumberOfImages, page.NumberOfImages);
        Assert.Equal(letters.GetImages().Sum(i => Math.Abs(i.BoundingBox.Width * i.BoundingBox.Height)), page.ImageArea, 6);
        Assert.Equal((200 * 100) + (50 * 40), page.ImageArea, 6);
    }

    [Fact]
    public async Task An_image_pdfpig_cannot_describe_still_leaves_its_page_readable()
    {
        // No /BitsPerComponent: PdfPig's image object throws when it is made, which used to fail the whole document
        // although its place on the page (all the layout needs) is known.
        using var dir = new TempDir();
        var path = dir.File("odd-image.pdf");
        ScanImages.ImageStreamPdf(path, 300, 500, "/Width 8 /Height 4 /ColorSpace /DeviceGray", new byte[32],
            content: "q 200 0 0 100 20 30 cm /Im1 Do Q");
        using (var pdf = PdfDocument.Open(path, Parsing))
        {
            Assert.ThrowsAny<Exception>(() => pdf.GetPage(1).GetImages().ToList());
        }

        var document = await new PdfReader(NullLogger<PdfReader>.Instance).ReadAsync(new DocumentSource(path, "odd-image.pdf"), CancellationToken.None);

        Assert.Single(document.Pages);
    }

    /// <summary>Every page's glyphs against PdfPig's letters, field by field; the number of glyphs.</summary>
    private static int AssertSameAsLetters(byte[] bytes)
    {
        using var pdf = PdfDocument.Open(bytes, Parsing);
        var total = 0;
        for (var number = 1; number <= pdf.NumberOfPages; number++)
        {
            var letters = pdf.GetPage(number);
            var page = PdfGlyphs.Page(pdf, number);
            Assert.Equal(letters.Letters.Count, page.Glyphs.Count);
            for (var i = 0; i < page.Glyphs.Count; i++)
            {
                var (letter, glyph) = (letters.Letters[i], page.Glyphs[i]);
                Assert.Equal(letter.Value, glyph.Value);
                Assert.Equal(letter.BoundingBox, glyph.BoundingBox);
                Assert.Equal(letter.StartBaseLine, glyph.StartBaseLine);
                Assert.Equal(letter.EndBaseLine, glyph.EndBaseLine);
                Assert.Equal(letter.Width, glyph.Width);
                Assert.Equal(letter.PointSize, glyph.PointSize);
                Assert.Equal(letter.TextOrientation, glyph.TextOrientation);
                Assert.Equal(letter.FontName, glyph.FontName);
                Assert.Equal(letter.FontDetails?.IsBold, glyph.FontDetails?.IsBold);
            }
            Assert.Equal((letters.Width, letters.Height, letters.NumberOfImages), (page.Width, page.Height, page.NumberOfImages));
            total += page.Glyphs.Count;
        }
        return total;
    }
}
