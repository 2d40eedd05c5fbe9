using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Readers;
using Annotate.Annotators.Readers.Pdf;
using Annotate.Annotators.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace Annotate.Annotators.Tests.Readers.Pdf;

public partial class DamagedPdfTests
{
    private const int PageCount = 4;

    /// <summary>A PDF of four pages, each saying which page it is.</summary>
    private static byte[] FourPages()
    {
        var builder = new PdfDocumentBuilder();
        var font = builder.AddStandard14Font(Standard14Font.Helvetica);
        for (var i = 1; i <= PageCount; i++)
        {
            var page = builder.AddPage(595, 842);
            page.AddText($"This is the text of page number {i} of the damaged report.", 12, new PdfPoint(72, 760), font);
        }
        return builder.Build();
    }

    /// <summary>The bytes with their cross-reference table damaged in the named way; the objects themselves are intact.</summary>
    private static byte[] Damage(byte[] pdf, string damage)
    {
        // Latin-1 maps every byte to one char and back, so binary streams survive the round trip.
        var text = Encoding.Latin1.GetString(pdf);
        var xref = text.LastIndexOf("\nxref", StringComparison.Ordinal) + 1;
        Assert.True(xref > 0, "the generated PDF has a classic cross-reference table");
        text = damage switch
        {
            // Every in-use entry points 7 bytes before its object.
            "offsets shifted" => XrefEntry().Replace(text, m => (long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) - 7).ToString("D10", CultureInfo.InvariantCulture) + " 00000 n", int.MaxValue, xref),
            // startxref points into the middle of the file.
            "startxref wrong" => StartXref().Replace(text, "startxref\n" + (xref / 2).ToString(CultureInfo.InvariantCulture)),
            // The table is blanked out; startxref points at spaces.
            "table erased" => text[..xref] + new string(' ', text.IndexOf("trailer", xref, StringComparison.Ordinal) - xref) + text[text.IndexOf("trailer", xref, StringComparison.Ordinal)..],
            // Both: offsets off and startxref past the end.
            "offsets and startxref" => StartXref().Replace(
                XrefEntry().Replace(text, m => (long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) + 11).ToString("D10", CultureInfo.InvariantCulture) + " 00000 n", int.MaxValue, xref),
                "startxref\n" + (text.Length * 2).ToString(CultureInfo.InvariantCulture)),
            _ => throw new ArgumentOutOfRangeException(nameof(damage), damage, null),
        };
        return Encoding.Latin1.GetBytes(text);
    }

    [GeneratedRegex(@"(\d{10}) 00000 n")]
    private static partial Regex XrefEntry();

    [GeneratedRegex(@"startxref\s+\d+")]
    private static partial Regex StartXref();

    /// <summary>The file read into memory (the default), then read from the file: a repair must work on both.</summary>
    private static async Task<Document[]> Read(byte[] bytes)
    {
        using var dir = new TempDir();
        await File.WriteAllBytesAsync(dir.File("damaged.pdf"), bytes);
        var source = new DocumentSource(dir.File("damaged.pdf"), "damaged.pdf");
        var fromFile = new PdfReader(NullLogger<PdfReader>.Instance, options: Options.Create(new ReaderOptions { PdfInMemoryMaxBytes = 0 }));
        return [
            await new PdfReader(NullLogger<PdfReader>.Instance).ReadAsync(source, CancellationToken.None),
            await fromFile.ReadAsync(source, CancellationToken.None),
        ];
    }

    [Theory]
    [InlineData("offsets shifted")]
    [InlineData("startxref wrong")]
    [InlineData("table erased")]
    [InlineData("offsets and startxref")]
    public async Task A_damaged_cross_reference_table_still_yields_every_page_and_says_the_count_is_uncertain(string damage)
    {
        foreach (var document in await Read(Damage(FourPages(), damage)))
        {
            for (var i = 1; i <= PageCount; i++)
            {
                Assert.Contains(document.Blocks, b => b.Location.Page == i && b.Text.Contains($"page number {i} of", StringComparison.Ordinal));
            }
            Assert.Equal(PageCount, document.Pages.Count);
            Assert.DoesNotContain(document.Notices, n => n.Code == "no-text-layer");
            var notice = Assert.Single(document.Notices, n => n.Code == "page-count-uncertain");
            Assert.Contains("'damaged.pdf'", notice.Message, StringComparison.Ordinal);
            Assert.Null(document.Properties.PageCount);
        }
    }

    [Fact]
    public async Task An_unreachable_page_tree_is_rebuilt_from_the_page_objects()
    {
        // The page tree object's header is gone, so its cross-reference entry points at nothing; PdfPig then makes up
        // one empty page, which used to be reported as a one-page scan.
        var text = Encoding.Latin1.GetString(FourPages());
        var header = Regex.Match(text, @"\n(\d+) 0 obj\s*<<\s*/Type /Pages");
        Assert.True(header.Success, "the generated PDF has a page tree object");
        var damaged = text[..(header.Index + 1)] + new string('#', header.Groups[1].Length + 6) + text[(header.Index + 1 + header.Groups[1].Length + 6)..];

        foreach (var document in await Read(Encoding.Latin1.GetBytes(damaged)))
        {
            // The page objects are intact: a page tree rebuilt from them yields every page's text, as poppler's repair does.
            for (var i = 1; i <= PageCount; i++)
            {
                Assert.Contains(document.Blocks, b => b.Location.Page == i && b.Text.Contains($"page number {i} of", StringComparison.Ordinal));
            }
            var notice = Assert.Single(document.Notices, n => n.Code == "page-count-uncertain");
            Assert.Contains("'damaged.pdf'", notice.Message, StringComparison.Ordinal);
            Assert.Null(document.Properties.PageCount);
            Assert.DoesNotContain(document.Notices, n => n.Code == "no-text-layer");
        }
    }

    [Theory]
    [InlineData("pdf/002-trivial-libre-office-writer.pdf")]
    [InlineData("pdf/google-doc-document.pdf")]
    [InlineData("pdf/minimal-document.pdf")]
    [InlineData("pdf/multicolumn.pdf")]
    [InlineData("pdf/pdflatex-4-pages.pdf")]
    [InlineData("pdf/pdflatex-outline.pdf")]
    public async Task Intact_corpus_pdfs_state_their_page_count_without_doubt(string file)
    {
        var document = await new PdfReader(NullLogger<PdfReader>.Instance).ReadAsync(new DocumentSource(TestFiles.Corpus(file), Path.GetFileName(file)), CancellationToken.None);

        Assert.Equal(document.Pages.Count, document.Properties.PageCount);
        Assert.DoesNotContain(document.Notices, n => n.Code == "page-count-uncertain");
    }

    [Fact]
    public async Task An_intact_pdf_states_its_page_count_without_a_notice()
    {
        foreach (var document in await Read(FourPages()))
        {
            Assert.Equal(PageCount, document.Properties.PageCount);
            Assert.DoesNotContain(document.Notices, n => n.Code == "page-count-uncertain");
        }
    }
}
