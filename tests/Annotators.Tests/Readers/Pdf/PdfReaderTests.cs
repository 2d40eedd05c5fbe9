using Annotate.Annotators.Documents;
using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Readers;
using Annotate.Annotators.Readers.Pdf;
using Annotate.Annotators.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace Annotate.Annotators.Tests.Readers.Pdf;

public class PdfReaderTests
{
    private readonly PdfReader _reader = new(NullLogger<PdfReader>.Instance);

    private Task<Document> ReadCorpus(string file) =>
        _reader.ReadAsync(new DocumentSource(TestFiles.Corpus(file), Path.GetFileName(file)), CancellationToken.None);

    [Fact]
    public async Task Two_column_pages_are_read_column_by_column()
    {
        var document = await ReadCorpus("pdf/multicolumn.pdf");

        var page = document.Pages[0];
        var leftColumnEnd = page.IndexOf("Pellentesque cursus luctus mauris.", StringComparison.Ordinal);
        var rightColumnStart = page.IndexOf("pellentesque ante. Phasellus adipiscing semper elit.", StringComparison.Ordinal);
        Assert.True(leftColumnEnd >= 0, "the end of the left column is on page 1");
        Assert.True(rightColumnStart >= 0, "the start of the right column is on page 1");
        Assert.True(leftColumnEnd < rightColumnStart, "the left column is read before the right one");
        // Lines of one column follow each other instead of alternating with the other column's lines.
        Assert.Contains("Sed diam turpis, molestie vitae, placerat a, molestie nec, leo.", page);
        Assert.Contains("Lorem ipsum dolor sit amet, consectetuer adipiscing elit.", page);
        Assert.True(page.IndexOf("nissim rutrum.", StringComparison.Ordinal) < page.IndexOf("Quisque ullamcorper placerat ipsum.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Title_is_a_heading_and_text_blocks_carry_their_pages()
    {
        var document = await ReadCorpus("pdf/multicolumn.pdf");

        var title = Assert.IsType<HeadingBlock>(document.Blocks[0]);
        Assert.Equal("Two-Column Document with Lorem Ipsum", title.Content);
        Assert.Equal(1, title.Level);
        Assert.Equal(1, title.Location.Page);
        Assert.Contains(document.Blocks, b => b is HeadingBlock { Content: "Abstract" });
        Assert.Equal([1, 2, 3], document.Blocks.Select(b => b.Location.Page ?? 0).Distinct().Order());
        Assert.Equal(Enumerable.Range(0, document.Blocks.Count), document.Blocks.Select(b => b.Location.Block ?? -1));
        Assert.Equal(3, document.Pages.Count);
        Assert.DoesNotContain(document.Blocks, b => b.Text == "1"); // the page number is not content
    }

    [Fact]
    public async Task Document_information_is_read_with_parsed_dates()
    {
        var document = await ReadCorpus("pdf/multicolumn.pdf");

        Assert.Equal(3, document.Properties.PageCount);
        Assert.Equal("pdfTeX-1.40.21", document.Properties.Producer);
        Assert.Equal("TeX", document.Properties.Creator);
        Assert.Equal(new DateTimeOffset(2024, 1, 3, 8, 38, 26, TimeSpan.Zero), document.Properties.Created);
        Assert.Equal(new DateTimeOffset(2024, 1, 3, 8, 38, 26, TimeSpan.Zero), document.Properties.Modified);
        Assert.Empty(document.Notices);
    }

    [Fact]
    public async Task Bookmarks_become_the_outline_with_levels_and_pages()
    {
        var document = await ReadCorpus("pdf/pdflatex-outline.pdf");

        Assert.Equal(9, document.Outline.Count);
        Assert.Equal(new OutlineEntry("Foo", 1, 2), document.Outline[0]);
        Assert.Equal(new OutlineEntry("Bar", 1, 3), document.Outline[4]);
        Assert.Equal(new OutlineEntry("Baz", 1, 4), document.Outline[8]);
        // Numbered section headings are one heading, not a number and a heading.
        Assert.Contains(document.Blocks, b => b is HeadingBlock { Content: "1 Foo" } h && h.Location.Page == 2);
    }

    [Fact]
    public async Task Every_corpus_page_has_text()
    {
        var document = await ReadCorpus("pdf/pdflatex-4-pages.pdf");

        Assert.Equal(4, document.Pages.Count);
        Assert.All(document.Pages, page => Assert.Contains("text", page));
        Assert.Contains("Hello, here is some text without a meaning.", document.Pages[0]);
    }

    [Fact]
    public async Task Generated_report_yields_headings_paragraphs_lists_and_properties()
    {
        using var dir = new TempDir();
        var builder = new PdfDocumentBuilder();
        builder.DocumentInformation.Title = "Quarterly report";
        builder.DocumentInformation.Author = "Jane Controller";
        builder.DocumentInformation.Subject = "Q1 figures";
        builder.DocumentInformation.Keywords = "finance, report";
        builder.DocumentInformation.CreationDate = "D:20240315120000+01'00'";
        var regular = builder.AddStandard14Font(Standard14Font.Helvetica);
        var page = builder.AddPage(595, 842);
        page.AddText("Quarterly report", 24, new PdfPoint(72, 760), regular);
        var y = 720.0;
        foreach (var line in new[]
                 {
                     "Revenue grew in every region during the first quarter of the year,",
                     "driven by strong demand for the new product line in Europe and Asia.",
                     "Costs stayed flat because the new plant started on schedule.",
                 })
        {
            page.AddText(line, 11, new PdfPoint(72, y), regular);
            y -= 14;
        }
        y -= 20;
        foreach (var item in new[] { "• Revenue up 12 percent", "• Margin up 2 points", "• Headcount unchanged" })
        {
            page.AddText(item, 11, new PdfPoint(72, y), regular);
            y -= 14;
        }
        File.WriteAllBytes(dir.File("report.pdf"), builder.Build());

        var document = await _reader.ReadAsync(new DocumentSource(dir.File("report.pdf"), "report.pdf"), CancellationToken.None);

        Assert.Equal(new HeadingBlock(1, "Quarterly report") { Location = new SourceLocation { Page = 1, Block = 0 } }, document.Blocks[0]);
        var paragraph = Assert.IsType<ParagraphBlock>(document.Blocks[1]);
        Assert.StartsWith("Revenue grew in every region", paragraph.Content);
        Assert.EndsWith("started on schedule.", paragraph.Content);
        var list = Assert.IsType<ListBlock>(document.Blocks[2]);
        Assert.False(list.Ordered);
        Assert.Equal(["Revenue up 12 percent", "Margin up 2 points", "Headcount unchanged"], list.Items);
        Assert.Equal("Quarterly report", document.Properties.Title);
        Assert.Equal("Jane Controller", document.Properties.Author);
        Assert.Equal("Q1 figures", document.Properties.Subject);
        Assert.Equal("finance, report", document.Properties.Keywords);
        Assert.Equal(new DateTimeOffset(2024, 3, 15, 12, 0, 0, TimeSpan.FromHours(1)), document.Properties.Created);
    }

    [Fact]
    public async Task Pdf_without_a_text_layer_completes_with_a_notice()
    {
        using var dir = new TempDir();
        var builder = new PdfDocumentBuilder();
        for (var i = 0; i < 2; i++)
        {
            var page = builder.AddPage(595, 842);
            page.DrawRectangle(new PdfPoint(50, 50), 400, 600, 2, fill: true);
        }
        File.WriteAllBytes(dir.File("scan.pdf"), builder.Build());

        var document = await _reader.ReadAsync(new DocumentSource(dir.File("scan.pdf"), "scan.pdf"), CancellationToken.None);

        var notice = Assert.Single(document.Notices);
        Assert.Equal("no-text-layer", notice.Code);
        Assert.Equal("pdf", notice.Source);
        Assert.Contains("scan.pdf", notice.Message);
        Assert.Empty(document.Blocks);
        Assert.Equal(["", ""], document.Pages);
        Assert.Equal(2, document.Properties.PageCount);
    }

    [Fact]
    public async Task Password_protected_pdf_fails_as_encrypted()
    {
        using var dir = new TempDir();
        var bytes = EncryptedPdf.Create("secret", "owner-secret", "Confidential salary list");
        File.WriteAllBytes(dir.File("locked.pdf"), bytes);
        // The file is genuinely encrypted: it opens, and shows its text, with the password only.
        using (var withPassword = PdfDocument.Open(bytes, new ParsingOptions { Password = "secret" }))
        {
            Assert.Contains("Confidential salary list", withPassword.GetPage(1).Text);
        }

        var ex = await Assert.ThrowsAsync<AnnotationException>(() =>
            _reader.ReadAsync(new DocumentSource(dir.File("locked.pdf"), "locked.pdf"), CancellationToken.None));

        Assert.Equal(FailureReason.Encrypted, ex.Reason);
        Assert.StartsWith("'locked.pdf' is password-protected", ex.Message);
    }

    [Fact]
    public async Task Truncated_pdf_fails_as_corrupt_naming_the_file()
    {
        using var dir = new TempDir();
        var bytes = File.ReadAllBytes(TestFiles.Corpus("pdf/multicolumn.pdf"));
        File.WriteAllBytes(dir.File("cut.pdf"), bytes[..(bytes.Length / 3)]);

        var ex = await Assert.ThrowsAsync<AnnotationException>(() =>
            _reader.ReadAsync(new DocumentSource(dir.File("cut.pdf"), "cut.pdf"), CancellationToken.None));

        Assert.Equal(FailureReason.Corrupt, ex.Reason);
        Assert.Contains("'cut.pdf'", ex.Message);
    }

    [Fact]
    public async Task Garbage_after_a_pdf_header_fails_as_corrupt()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("fake.pdf"), "%PDF-1.7\nthis is not really a PDF at all\n");

        var ex = await Assert.ThrowsAsync<AnnotationException>(() =>
            _reader.ReadAsync(new DocumentSource(dir.File("fake.pdf"), "fake.pdf"), CancellationToken.None));

        Assert.Equal(FailureReason.Corrupt, ex.Reason);
        Assert.Contains("'fake.pdf'", ex.Message);
    }

    [Fact]
    public async Task Cancellation_stops_the_reader()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            _reader.ReadAsync(new DocumentSource(TestFiles.Corpus("pdf/pdflatex-4-pages.pdf"), "x.pdf"), cancelled.Token));
    }
}
