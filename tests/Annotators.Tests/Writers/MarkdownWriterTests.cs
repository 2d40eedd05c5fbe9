using Annotate.Annotators.Annotations;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Readers;
using Annotate.Annotators.Readers.Pdf;
using Annotate.Annotators.Tests.Support;
using Annotate.Annotators.Writers;
using Annotate.Annotators.Writers.Markdown;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.Tests.Writers;

public class MarkdownWriterTests
{
    private static MarkdownWriter Writer(int maxTableRows = 1000) =>
        new(Options.Create(new MarkdownWriterOptions { MaxTableRows = maxTableRows }));

    private static async Task<string> Render(Document document, int maxTableRows = 1000)
    {
        using var text = new StringWriter { NewLine = "\n" };
        await Writer(maxTableRows).WriteAsync(document, text, CancellationToken.None);
        return text.ToString();
    }

    private static TableBlock Table(string name, int rows, SourceLocation? location = null) => new()
    {
        Name = name,
        Columns = ["Item", "Amount"],
        HasHeaderRow = true,
        Rows = new InMemoryRows(Enumerable.Range(1, rows)
            .Select(i => new TableRow(i + 1, [CellValue.FromText($"Item {i}"), CellValue.FromNumber(i * 1.5)]))
            .ToList()),
        Location = location ?? new SourceLocation(),
    };

    [Fact]
    public async Task Document_is_rewritten_as_clean_markdown()
    {
        var document = new Document
        {
            FileName = "memo.docx",
            Format = SourceFormat.Docx,
            Properties = new DocumentProperties { Title = "Project memo" },
            Blocks =
            [
                new HeadingBlock(1, "Project memo"),
                new ParagraphBlock("The pilot ran *well* in two plants."),
                new HeadingBlock(2, "Next steps"),
                new ListBlock(true, ["Approve budget", "Hire two\ntechnicians"]),
                new ListBlock(false, ["Lower scrap"]),
                new TableBlock
                {
                    Columns = ["Plant", "Note"],
                    Rows = new InMemoryRows([new TableRow(2, [CellValue.FromText("Linz"), CellValue.FromText("a | b\nc")])]),
                },
                new ParagraphBlock("# not a heading\n1. not a list"),
            ],
        };

        var markdown = await Render(document);

        Assert.Equal("""
            # Project memo

            The pilot ran \*well\* in two plants.

            ## Next steps

            1. Approve budget
            2. Hire two
               technicians

            - Lower scrap

            | Plant | Note |
            | --- | --- |
            | Linz | a \| b c |

            \# not a heading
            1\. not a list

            """.ReplaceLineEndings("\n"), markdown);
    }

    [Fact]
    public async Task First_heading_is_the_title_when_the_properties_have_none()
    {
        var document = new Document
        {
            FileName = "notes.md",
            Format = SourceFormat.Markdown,
            Blocks = [new HeadingBlock(2, "Notes"), new ParagraphBlock("Text.")],
        };

        Assert.Equal("# Notes\n\nText.\n", await Render(document));
    }

    [Fact]
    public async Task Large_tables_are_cut_with_a_line_saying_how_many_rows_were_left_out()
    {
        var document = new Document { FileName = "big.csv", Format = SourceFormat.Csv, Blocks = [Table("big", 10)] };

        var markdown = await Render(document, maxTableRows: 3);

        Assert.Contains("| Item 3 | 4.5 |", markdown);
        Assert.DoesNotContain("Item 4", markdown);
        Assert.Contains("_7 more rows left out (the first 3 are shown); the full data is in the CSV/xlsx outputs._", markdown);
    }

    [Fact]
    public async Task Streamed_tables_of_unknown_size_are_cut_too()
    {
        var rows = new StreamedRows(() => Enumerable.Range(1, 5).Select(i => new TableRow(i, [CellValue.FromNumber(i)])), count: null);
        var table = new TableBlock { Columns = ["N"], Rows = rows };
        var document = new Document { FileName = "s.csv", Format = SourceFormat.Csv, Blocks = [table] };

        var markdown = await Render(document, maxTableRows: 2);

        Assert.Contains("_3 more rows left out (the first 2 are shown)", markdown);
    }

    [Fact]
    public async Task Workbooks_get_one_section_per_sheet_with_hidden_sheets_marked()
    {
        var document = new Document
        {
            FileName = "book.xlsx",
            Format = SourceFormat.Xlsx,
            Sheets =
            [
                new SheetInfo { Name = "Sales", Index = 1 },
                new SheetInfo { Name = "Lookup", Index = 2, Hidden = true },
            ],
            Blocks =
            [
                Table("Sales", 1, SourceLocation.InSheet("Sales", "A1:B2")),
                Table("Rates", 1, SourceLocation.InSheet("Lookup", "A1:B2")),
            ],
        };

        var markdown = await Render(document);

        var sales = markdown.IndexOf("## Sheet: Sales\n", StringComparison.Ordinal);
        var lookup = markdown.IndexOf("## Sheet: Lookup (hidden)\n", StringComparison.Ordinal);
        Assert.True(sales >= 0 && lookup > sales);
        Assert.Contains("### Table: Rates", markdown);
        Assert.DoesNotContain("### Table: Sales", markdown);
        Assert.Equal(2, markdown.Split("| Item 1 | 1.5 |").Length - 1);
    }

    [Fact]
    public async Task Corpus_pdf_is_written_with_page_markers_between_pages()
    {
        using var dir = new TempDir();
        var source = new DocumentSource(TestFiles.Corpus("pdf/multicolumn.pdf"), "multicolumn.pdf");
        var document = await new PdfReader(NullLogger<PdfReader>.Instance).ReadAsync(source, CancellationToken.None);
        var writer = Writer();

        var outputs = await writer.WriteAsync(new OutputContext("doc-1", document, new AnnotationSet(), source, dir.Path), CancellationToken.None);

        var output = Assert.Single(outputs);
        Assert.Equal(new WrittenOutput("content.md", "markdown", "text/markdown", new FileInfo(dir.File("content.md")).Length), output);
        var markdown = await File.ReadAllTextAsync(dir.File("content.md"));
        Assert.StartsWith("# Two-Column Document with Lorem Ipsum\n\n<!-- page 1 -->\n", markdown);
        var page2 = markdown.IndexOf("<!-- page 2 -->", StringComparison.Ordinal);
        var page3 = markdown.IndexOf("<!-- page 3 -->", StringComparison.Ordinal);
        Assert.True(page2 > 0 && page3 > page2);
        Assert.True(markdown.IndexOf("Pellentesque cursus luctus mauris.", StringComparison.Ordinal) < markdown.IndexOf("pellentesque ante.", StringComparison.Ordinal));
        Assert.True(markdown.IndexOf("pellentesque ante.", StringComparison.Ordinal) < page2);
        Assert.Equal(1, markdown.Split("Two-Column Document with Lorem Ipsum").Length - 1);
        Assert.True(writer.AppliesTo(document));
    }

    [Fact]
    public async Task Scanned_pdf_keeps_its_notice_and_page_markers()
    {
        var document = new Document
        {
            FileName = "scan.pdf",
            Format = SourceFormat.Pdf,
            Pages = ["", ""],
            Notices = [new Notice("no-text-layer", "'scan.pdf' has 2 page(s) but no text layer.") { Source = "pdf" }],
        };

        Assert.Equal("<!-- no-text-layer: 'scan.pdf' has 2 page(s) but no text layer. -->\n\n<!-- page 1 -->\n\n<!-- page 2 -->\n", await Render(document));
    }
}
