using Annotate.Annotators.Documents;
using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Readers;
using Annotate.Annotators.Readers.Docx;
using Annotate.Annotators.Tests.Support;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using Microsoft.Extensions.Options;
using Document = Annotate.Annotators.Documents.Document;
using Word = DocumentFormat.OpenXml.Wordprocessing;

namespace Annotate.Annotators.Tests.Readers.Docx;

public class DocxReaderTests
{
    private readonly DocxReader _reader = new(Options.Create(new ReaderOptions()));

    [Fact]
    public async Task Headings_paragraphs_lists_and_tables_are_read_in_order()
    {
        using var dir = new TempDir();
        var path = dir.File("memo.docx");
        WriteMemo(path);

        var document = await Read(path, "memo.docx");

        Assert.Collection(document.Blocks,
            b => Assert.Equal(new HeadingBlock(1, "Project memo"), b with { Location = new SourceLocation() }),
            b => Assert.Equal(new HeadingBlock(1, "Background"), b with { Location = new SourceLocation() }),
            b => Assert.Equal("The pilot ran from March to June in two plants.", Assert.IsType<ParagraphBlock>(b).Content),
            b =>
            {
                var list = Assert.IsType<ListBlock>(b);
                Assert.False(list.Ordered);
                Assert.Equal(["Lower scrap rate", "Shorter set-up times"], list.Items);
            },
            b => Assert.Equal(new HeadingBlock(2, "Next steps"), b with { Location = new SourceLocation() }),
            b =>
            {
                var list = Assert.IsType<ListBlock>(b);
                Assert.True(list.Ordered);
                Assert.Equal(["Approve budget", "Hire two technicians"], list.Items);
            },
            b =>
            {
                var table = Assert.IsType<TableBlock>(b);
                Assert.True(table.HasHeaderRow);
                Assert.Equal(["Plant", "Scrap rate", "Start"], table.Columns);
                var rows = table.Rows.ToList();
                Assert.Equal(2, rows.Count);
                Assert.Equal(2, rows[0].Number);
                Assert.Equal("Linz", rows[0].Cells[0].Text);
                Assert.Equal(CellKind.Number, rows[0].Cells[1].Kind);
                Assert.Equal(0.042, rows[0].Cells[1].Number);
                Assert.Equal(new DateTime(2024, 3, 1), rows[0].Cells[2].DateTime);
            },
            b => Assert.Equal("Outline level makes this a heading too", Assert.IsType<HeadingBlock>(b).Content));
        Assert.Equal(Enumerable.Range(0, document.Blocks.Count), document.Blocks.Select(b => b.Location.Block ?? -1));
        Assert.Equal(["Project memo", "Background", "Next steps", "Outline level makes this a heading too"], document.Outline.Select(o => o.Title));
    }

    [Fact]
    public async Task Core_properties_are_read()
    {
        using var dir = new TempDir();
        var path = dir.File("memo.docx");
        WriteMemo(path);

        var document = await Read(path, "memo.docx");

        Assert.Equal("Pilot results", document.Properties.Title);
        Assert.Equal("Maria Huber", document.Properties.Author);
        Assert.Equal("Production", document.Properties.Subject);
        Assert.Equal("pilot; scrap", document.Properties.Keywords);
        Assert.Equal(new DateTimeOffset(2024, 7, 1, 9, 30, 0, TimeSpan.Zero), document.Properties.Created);
        Assert.Equal(new DateTimeOffset(2024, 7, 2, 10, 0, 0, TimeSpan.Zero), document.Properties.Modified);
        Assert.Equal(SourceFormat.Docx, document.Format);
    }

    [Fact]
    public async Task Truncated_docx_fails_as_corrupt_naming_the_file()
    {
        using var dir = new TempDir();
        WriteMemo(dir.File("memo.docx"));
        var bytes = File.ReadAllBytes(dir.File("memo.docx"));
        File.WriteAllBytes(dir.File("cut.docx"), bytes[..(bytes.Length / 2)]);

        var ex = await Assert.ThrowsAsync<AnnotationException>(() => Read(dir.File("cut.docx"), "cut.docx"));

        Assert.Equal(FailureReason.Corrupt, ex.Reason);
        Assert.Contains("'cut.docx'", ex.Message);
    }

    [Fact]
    public async Task Zip_without_a_word_document_fails_as_corrupt()
    {
        using var dir = new TempDir();
        using (var zip = System.IO.Compression.ZipFile.Open(dir.File("x.docx"), System.IO.Compression.ZipArchiveMode.Create))
        {
            using var writer = new StreamWriter(zip.CreateEntry("word/document.xml").Open());
            writer.Write("<not-really/>");
        }

        var ex = await Assert.ThrowsAsync<AnnotationException>(() => Read(dir.File("x.docx"), "x.docx"));

        Assert.Equal(FailureReason.Corrupt, ex.Reason);
        Assert.Contains("'x.docx'", ex.Message);
    }

    private Task<Document> Read(string path, string name) => _reader.ReadAsync(new DocumentSource(path, name), CancellationToken.None);

    private static void WriteMemo(string path)
    {
        using var word = WordprocessingDocument.Create(path, WordprocessingDocumentType.Document);
        var main = word.AddMainDocumentPart();
        AddStyles(main);
        AddNumbering(main);
        main.Document = new Word.Document(new Body(
            Styled("Title", "Project memo"),
            Styled("Heading1", "Background"),
            new Paragraph(new Run(new Word.Text("The pilot ran from March to June in two plants."))),
            new Paragraph(),
            ListItem(1, "Lower scrap rate"),
            ListItem(1, "Shorter set-up times"),
            Styled("Heading2", "Next steps"),
            ListItem(2, "Approve budget"),
            ListItem(2, "Hire two technicians"),
            new Table(
                Row("Plant", "Scrap rate", "Start"),
                Row("Linz", "0.042", "2024-03-01"),
                Row("Graz", "0.051", "2024-04-15")),
            new Paragraph(
                new ParagraphProperties(new OutlineLevel { Val = 2 }),
                new Run(new Word.Text("Outline level makes this a heading too")))));

        word.PackageProperties.Title = "Pilot results";
        word.PackageProperties.Creator = "Maria Huber";
        word.PackageProperties.Subject = "Production";
        word.PackageProperties.Keywords = "pilot; scrap";
        word.PackageProperties.Created = new DateTime(2024, 7, 1, 9, 30, 0, DateTimeKind.Utc);
        word.PackageProperties.Modified = new DateTime(2024, 7, 2, 10, 0, 0, DateTimeKind.Utc);
    }

    private static Paragraph Styled(string style, string text) =>
        new(new ParagraphProperties(new ParagraphStyleId { Val = style }), new Run(new Word.Text(text)));

    private static Paragraph ListItem(int numberingId, string text) =>
        new(new ParagraphProperties(new NumberingProperties(new NumberingLevelReference { Val = 0 }, new NumberingId { Val = numberingId })),
            new Run(new Word.Text(text)));

    private static Word.TableRow Row(params string[] cells) =>
        new(cells.Select(c => new TableCell(new Paragraph(new Run(new Word.Text(c))))));

    private static void AddStyles(MainDocumentPart main)
    {
        var styles = main.AddNewPart<StyleDefinitionsPart>();
        styles.Styles = new Styles(
            new Style(new StyleName { Val = "Title" }) { Type = StyleValues.Paragraph, StyleId = "Title" },
            new Style(new StyleName { Val = "heading 1" }) { Type = StyleValues.Paragraph, StyleId = "Heading1" },
            new Style(new StyleName { Val = "heading 2" }) { Type = StyleValues.Paragraph, StyleId = "Heading2" });
    }

    private static void AddNumbering(MainDocumentPart main)
    {
        var numbering = main.AddNewPart<NumberingDefinitionsPart>();
        numbering.Numbering = new Numbering(
            new AbstractNum(new Level(new NumberingFormat { Val = NumberFormatValues.Bullet }, new LevelText { Val = "•" }) { LevelIndex = 0 }) { AbstractNumberId = 10 },
            new AbstractNum(new Level(new NumberingFormat { Val = NumberFormatValues.Decimal }, new LevelText { Val = "%1." }) { LevelIndex = 0 }) { AbstractNumberId = 20 },
            new NumberingInstance(new AbstractNumId { Val = 10 }) { NumberID = 1 },
            new NumberingInstance(new AbstractNumId { Val = 20 }) { NumberID = 2 });
    }
}
