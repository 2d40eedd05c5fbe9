using System.Globalization;
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

    [Fact]
    public void Fonts_whose_streams_differ_are_loaded_apart_and_those_whose_streams_are_equal_are_shared()
    {
        // Each font has a ToUnicode stream of its own (PdfPig's standard fonts read their text from their encoding, so
        // only the sharing tells the streams apart here).
        static string Map(char letter)
        {
            var cmap = "/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Test def 1 begincodespacerange <00> <FF> "
                + $"endcodespacerange 1 beginbfchar <E9> <{(int)letter:X4}> endbfchar endcmap CMapName currentdict /CMap defineresource pop end end";
            return $"<< /Length {cmap.Length} >>\nstream\n{cmap}\nendstream";
        }
        const string Font = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding /ToUnicode {0} 0 R >>";

        var (a, b) = ReadBothPages(string.Format(CultureInfo.InvariantCulture, Font, 8), string.Format(CultureInfo.InvariantCulture, Font, 9), Map('A'), Map('B'));
        var (c, d) = ReadBothPages(string.Format(CultureInfo.InvariantCulture, Font, 8), string.Format(CultureInfo.InvariantCulture, Font, 9), Map('C'), Map('C'));

        Assert.NotSame(a.Font, b.Font);
        Assert.Same(c.Font, d.Font);
        Assert.All(new[] { a, b, c, d }, glyph => Assert.Equal("é", glyph.Text));
    }

    [Fact]
    public void Past_the_document_s_keying_budget_later_fonts_are_loaded_as_pdfpig_loads_them()
    {
        // 25 equal fonts, each referring to one array of 190,000 numbers: keying each walks the array, and after about
        // twenty the document's budget is spent, so the last ones are loaded per object rather than walked again.
        const int PageCount = 25;
        using var dir = new TempDir();
        var path = dir.File("many-fonts.pdf");
        var content = "BT /F1 12 Tf 72 720 Td (\\351) Tj ET";
        var objects = new List<byte[]>
        {
            Ascii("<< /Type /Catalog /Pages 2 0 R >>"),
            Ascii($"<< /Type /Pages /Kids [{string.Join(' ', Enumerable.Range(0, PageCount).Select(i => $"{5 + i} 0 R"))}] /Count {PageCount} >>"),
            Ascii($"<< /Length {content.Length} >>\nstream\n{content}\nendstream"),
            Ascii("[" + string.Join(' ', Enumerable.Repeat("1", 190_000)) + "]"),
        };
        objects.AddRange(Enumerable.Range(0, PageCount).Select(i =>
            Ascii($"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 {5 + PageCount + i} 0 R >> >> /Contents 3 0 R >>")));
        objects.AddRange(Enumerable.Range(0, PageCount).Select(_ =>
            Ascii("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding /Big 4 0 R >>")));
        WinAnsiPdf.Write(path, objects);

        using var pdf = PdfDocument.Open(path, Parsing);
        var fonts = Pages(pdf).Select(glyphs => glyphs[0].FontDetails).ToList();

        Assert.All(fonts.Take(15), font => Assert.Same(fonts[0], font));
        Assert.NotSame(fonts[0], fonts[^1]);
        Assert.All(fonts, font => Assert.Equal("Helvetica", font?.Name));
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
