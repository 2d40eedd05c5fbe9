using System.Text;
using Annotate.Annotators.Readers.Pdf;
using Annotate.Annotators.Tests.KeyValues;
using Annotate.Annotators.Tests.Support;
using UglyToad.PdfPig;
using UglyToad.PdfPig.PdfFonts;
using UglyToad.PdfPig.Writer;

namespace Annotate.Annotators.Tests.Readers.Pdf;

public class PdfFontSharingTests
{
    private static readonly ParsingOptions Parsing = new() { UseLenientParsing = true, SkipMissingFonts = true };

    /// <summary>The corpus PDFs whose fonts are all loaded once per content (google-doc-document.pdf draws emoji in Type 3 fonts, which are not shared).</summary>
    [Theory]
    [InlineData("pdflatex-4-pages.pdf")]
    [InlineData("pdflatex-outline.pdf")]
    [InlineData("multicolumn.pdf")]
    [InlineData("minimal-document.pdf")]
    [InlineData("002-trivial-libre-office-writer.pdf")]
    public void The_fonts_of_every_part_of_a_merged_pdf_are_loaded_once_and_read_the_same(string file)
    {
        var part = File.ReadAllBytes(TestFiles.Corpus("pdf/" + file));
        using var single = PdfDocument.Open(part, Parsing);
        var pagesPerPart = single.NumberOfPages;
        var fontsOfOnePart = Pages(single).SelectMany(p => p).Select(g => g.FontDetails).Distinct(ReferenceEqualityComparer.Instance).Count();

        // Every part's fonts are objects of their own in the merged file.
        using var merged = PdfDocument.Open(PdfMerger.Merge(new List<byte[]> { part, part, part }), Parsing);
        var pages = Pages(merged);

        Assert.Equal(3 * pagesPerPart, pages.Count);
        Assert.Equal(fontsOfOnePart, pages.SelectMany(p => p).Select(g => g.FontDetails).Distinct(ReferenceEqualityComparer.Instance).Count());
        for (var page = 0; page < pagesPerPart; page++)
        {
            foreach (var copy in new[] { page + pagesPerPart, page + (2 * pagesPerPart) })
            {
                Assert.Equal(Describe(pages[page]), Describe(pages[copy]));
                Assert.Equal(pages[page].Select(g => g.FontDetails), pages[copy].Select(g => g.FontDetails), ReferenceEqualityComparer.Instance);
            }
        }
    }

    [Fact]
    public void Fonts_that_differ_in_one_entry_are_loaded_apart()
    {
        // The same byte under WinAnsi is é, under MacRoman È: a font handed over by its name alone would read both as é.
        var (first, second) = ReadBothPages(
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /MacRomanEncoding >>");

        Assert.Equal("é", first.Text);
        Assert.Equal("È", second.Text);
        Assert.NotSame(first.Font, second.Font);
    }

    [Fact]
    public void Fonts_of_equal_content_that_refer_to_objects_of_equal_content_are_shared()
    {
        var (first, second) = ReadBothPages(
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding 8 0 R /Self 4 0 R >>",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding 9 0 R /Self 5 0 R >>",
            "<< /Type /Encoding /BaseEncoding /WinAnsiEncoding /Differences [233 /Egrave] >>",
            "<< /Type /Encoding /BaseEncoding /WinAnsiEncoding /Differences [233 /Egrave] >>");

        Assert.Equal("È", first.Text);
        Assert.Equal("È", second.Text);
        Assert.Same(first.Font, second.Font);
    }

    [Fact]
    public void Fonts_that_refer_to_objects_of_different_content_are_loaded_apart()
    {
        var (first, second) = ReadBothPages(
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding 8 0 R >>",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding 9 0 R >>",
            "<< /Type /Encoding /BaseEncoding /WinAnsiEncoding /Differences [233 /Egrave] >>",
            "<< /Type /Encoding /BaseEncoding /WinAnsiEncoding /Differences [233 /Eacute] >>");

        Assert.Equal("È", first.Text);
        Assert.Equal("É", second.Text);
        Assert.NotSame(first.Font, second.Font);
    }

    [Fact]
    public void A_font_nested_too_deep_to_key_is_loaded_as_pdfpig_loads_it()
    {
        var deep = new string('[', 40) + new string(']', 40);
        var (first, second) = ReadBothPages(
            $"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding /Deep {deep} >>",
            $"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding /Deep {deep} >>");

        Assert.Equal("é", first.Text);
        Assert.Equal("é", second.Text);
        Assert.NotSame(first.Font, second.Font);
    }

    [Fact]
    public void A_font_whose_objects_share_each_other_exponentially_is_not_walked_to_the_end()
    {
        // Object 8 refers six times to 9, 9 six times to 10, ...: 6^8 paths through 9 objects, none deeper than the depth
        // bound. Keying walks paths, so it must give up within its budget (and leave the fonts to PdfPig) rather than
        // walk them all.
        const int Levels = 8;
        var chain = Enumerable.Range(0, Levels).Select(i => "[" + string.Join(' ', Enumerable.Repeat($"{9 + i} 0 R", 6)) + "]").Append("[1 2 3]").ToArray();
        var (first, second) = ReadBothPages(
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding /Tree 8 0 R >>",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding /Tree 8 0 R >>",
            chain);

        Assert.Equal("é", first.Text);
        Assert.Equal("é", second.Text);
        Assert.NotSame(first.Font, second.Font);
    }

    private sealed record FirstGlyph(string Text, FontDetails? Font);

    /// <summary>
    /// A two-page PDF, page 1 in font object 4, page 2 in font object 5, each showing byte 0xE9; objects 8 on as given.
    /// </summary>
    private static (FirstGlyph First, FirstGlyph Second) ReadBothPages(string font4, string font5, params string[] more)
    {
        using var dir = new TempDir();
        var path = dir.File("fonts.pdf");
        var content = "BT /F1 12 Tf 72 720 Td (\\351) Tj ET";
        WinAnsiPdf.Write(path,
        [
            Ascii("<< /Type /Catalog /Pages 2 0 R >>"),
            Ascii("<< /Type /Pages /Kids [3 0 R 6 0 R] /Count 2 >>"),
            Ascii("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 7 0 R >>"),
            Ascii(font4),
            Ascii(font5),
            Ascii("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 7 0 R >>"),
            [.. Ascii($"<< /Length {content.Length} >>\nstream\n"), .. Ascii(content), .. Ascii("\nendstream")],
            .. more.Select(Ascii),
        ]);
        using var pdf = PdfDocument.Open(path, Parsing);
        var pages = Pages(pdf);
        return (new FirstGlyph(pages[0][0].Value, pages[0][0].FontDetails), new FirstGlyph(pages[1][0].Value, pages[1][0].FontDetails));
    }

    /// <summary>Each page's glyphs (copied: the reader hands every page of a document the same list).</summary>
    private static List<List<PdfGlyph>> Pages(PdfDocument pdf) =>
        [.. Enumerable.Range(1, pdf.NumberOfPages).Select(number => PdfGlyphs.Page(pdf, number).Glyphs.ToList())];

    private static string Describe(List<PdfGlyph> glyphs)
    {
        var text = new StringBuilder();
        foreach (var glyph in glyphs)
        {
            text.Append(glyph.Value).Append(' ').Append(glyph.BoundingBox).Append(' ').Append(glyph.Width).Append(' ').Append(glyph.FontName).Append('\n');
        }
        return text.ToString();
    }

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);
}
