using System.Globalization;
using System.IO.Compression;
using System.Text;
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

/// <summary>
/// Documents built to crash, hang or balloon the reader. Each is generated here; the deep ones overflowed the stack of
/// the old reader (which kills the test host), so these tests passing is the proof that they no longer do.
/// </summary>
public class HostileDocxTests
{
    private const string W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

    [Theory]
    [InlineData(20_000)]
    [InlineData(10_000)]
    [InlineData(1_000)]
    public async Task Tables_nested_thousands_deep_fail_as_corrupt_saying_how_deep(int levels)
    {
        using var dir = new TempDir();
        var path = dir.File("deep.docx");
        WriteRawDocx(path, body =>
        {
            for (var i = 0; i < levels; i++)
            {
                body.Write("<w:tbl><w:tr><w:tc>");
            }
            body.Write("<w:p><w:r><w:t>inside</w:t></w:r></w:p>");
            for (var i = 0; i < levels; i++)
            {
                body.Write("</w:tc></w:tr></w:tbl>");
            }
        });

        var ex = await Assert.ThrowsAsync<AnnotationException>(() => Read(path, "deep.docx"));

        Assert.Equal(FailureReason.Corrupt, ex.Reason);
        Assert.StartsWith("'deep.docx'", ex.Message);
        // w:document, w:body, three per table level, then w:p/w:r/w:t.
        var depth = (2 + (3 * levels) + 3).ToString("N0", CultureInfo.InvariantCulture);
        Assert.Contains($"nests elements {depth} deep; the limit is 256", ex.Message);
        Assert.DoesNotContain(dir.Path, ex.Message);
    }

    [Fact]
    public async Task Truncated_deep_nesting_still_fails_for_its_depth()
    {
        using var dir = new TempDir();
        var path = dir.File("cut.docx");
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            WriteMinimalPackageParts(zip);
            using var writer = new StreamWriter(zip.CreateEntry("word/document.xml").Open());
            writer.Write($"<w:document xmlns:w=\"{W}\"><w:body>");
            for (var i = 0; i < 1_000; i++)
            {
                writer.Write("<w:tbl><w:tr><w:tc>");
            }
            // The closing tags never come.
        }

        var ex = await Assert.ThrowsAsync<AnnotationException>(() => Read(path, "cut.docx"));

        Assert.Equal(FailureReason.Corrupt, ex.Reason);
        Assert.Contains("nests elements at least 3,002 deep; the limit is 256", ex.Message);
    }

    [Fact]
    public async Task Depth_limit_is_configurable()
    {
        using var dir = new TempDir();
        var path = dir.File("nested.docx");
        WriteNestedTables(path, levels: 5);

        var ex = await Assert.ThrowsAsync<AnnotationException>(() => Read(path, "nested.docx", new ReaderOptions { MaxDocxXmlDepth = 16 }));

        Assert.Equal(FailureReason.Corrupt, ex.Reason);
        Assert.Contains("the limit is 16", ex.Message);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(40)]
    public async Task Nested_tables_within_the_limit_read_every_level_in_document_order(int levels)
    {
        using var dir = new TempDir();
        var path = dir.File("nested.docx");
        WriteNestedTables(path, levels);

        var document = await Read(path, "nested.docx");

        var tables = document.Blocks.OfType<TableBlock>().ToList();
        Assert.Equal(levels, tables.Count);
        for (var level = 1; level <= levels; level++)
        {
            var table = tables[level - 1];
            Assert.Equal($"Table{level}", table.Name);
            Assert.Equal([$"Level {level} name", $"Level {level} note"], table.Columns);
            var row = Assert.Single(table.Rows);
            Assert.Equal($"Level {level} value", row.Cells[0].Text);
            Assert.Equal($"Level {level} remark", row.Cells[1].Text);
        }
        Assert.Equal("After the tables", Assert.IsType<ParagraphBlock>(document.Blocks[^1]).Content);
    }

    [Fact]
    public async Task Whitespace_bomb_fails_as_too_large_before_it_is_inflated()
    {
        using var dir = new TempDir();
        var path = dir.File("spaces.docx");
        var spaces = new string(' ', 1024 * 1024);
        WriteRawDocx(path, body =>
        {
            body.Write("<w:p><w:r><w:t xml:space=\"preserve\">");
            for (var i = 0; i < 64; i++)
            {
                body.Write(spaces);
            }
            body.Write("</w:t></w:r></w:p>");
        });

        var ex = await Assert.ThrowsAsync<AnnotationException>(() => Read(path, "spaces.docx"));

        Assert.Equal(FailureReason.TooLarge, ex.Reason);
        Assert.StartsWith("'spaces.docx' is refused", ex.Message);
        Assert.Contains("word/document.xml", ex.Message);
        Assert.Contains("MaxCompressionRatio", ex.Message);
    }

    [Fact]
    public async Task Body_larger_than_MaxDocxPartBytes_fails_as_too_large_while_it_is_read()
    {
        using var dir = new TempDir();
        var path = dir.File("long.docx");
        WriteRawDocx(path, body => WriteVariedParagraphs(body, paragraphs: 20_000));
        Assert.True(new FileInfo(path).Length < 1024 * 1024); // small on disk, so only the inflated size can trip the limit

        var ex = await Assert.ThrowsAsync<AnnotationException>(() => Read(path, "long.docx", new ReaderOptions { MaxDocxPartBytes = 256 * 1024 }));

        Assert.Equal(FailureReason.TooLarge, ex.Reason);
        Assert.Contains("'/word/document.xml' inflates past 262,144 bytes (Annotate:Readers:MaxDocxPartBytes)", ex.Message);
    }

    [Fact]
    public async Task Body_is_streamed_so_only_a_single_block_is_held_to_MaxDocxBlockBytes()
    {
        using var dir = new TempDir();
        var path = dir.File("many.docx");
        WriteRawDocx(path, body => WriteVariedParagraphs(body, paragraphs: 20_000));
        var options = new ReaderOptions { MaxDocxBlockBytes = 64 * 1024 };

        var document = await Read(path, "many.docx", options);

        Assert.Equal(20_000, document.Blocks.Count);
        Assert.Equal("Paragraph 19999 of the report, line 19999 mentions figure 79996.", Assert.IsType<ParagraphBlock>(document.Blocks[^1]).Content);

        var big = dir.File("big.docx");
        WriteRawDocx(big, body =>
        {
            body.Write("<w:p>");
            for (var i = 0; i < 10_000; i++)
            {
                body.Write($"<w:r><w:t>Run {i} of one paragraph. </w:t></w:r>");
            }
            body.Write("</w:p>");
        });
        var ex = await Assert.ThrowsAsync<AnnotationException>(() => Read(big, "big.docx", options));
        Assert.Equal(FailureReason.TooLarge, ex.Reason);
        Assert.Contains("a single paragraph or table of its part '/word/document.xml' spans more than 65,536 bytes of XML (Annotate:Readers:MaxDocxBlockBytes)", ex.Message);
    }

    [Fact]
    public async Task Deeply_nested_styles_part_fails_as_corrupt_before_the_SDK_loads_it()
    {
        using var dir = new TempDir();
        var path = dir.File("styles.docx");
        using (var word = WordprocessingDocument.Create(path, WordprocessingDocumentType.Document))
        {
            var main = word.AddMainDocumentPart();
            main.Document = new Word.Document(new Body(new Paragraph(new Run(new Word.Text("Hello")))));
            var styles = main.AddNewPart<StyleDefinitionsPart>();
            using var writer = new StreamWriter(styles.GetStream(FileMode.Create, FileAccess.Write));
            writer.Write($"<w:styles xmlns:w=\"{W}\">");
            writer.Write(string.Concat(Enumerable.Repeat("<w:style><w:name>", 5_000)));
            writer.Write(string.Concat(Enumerable.Repeat("</w:name></w:style>", 5_000)));
            writer.Write("</w:styles>");
        }

        var ex = await Assert.ThrowsAsync<AnnotationException>(() => Read(path, "styles.docx"));

        Assert.Equal(FailureReason.Corrupt, ex.Reason);
        Assert.Contains("its part '/word/styles.xml' nests elements 10,001 deep", ex.Message);
    }

    [Fact]
    public async Task Oversized_core_properties_part_fails_as_too_large_before_it_is_parsed()
    {
        using var dir = new TempDir();
        var path = dir.File("props.docx");
        using (var word = WordprocessingDocument.Create(path, WordprocessingDocumentType.Document))
        {
            var main = word.AddMainDocumentPart();
            main.Document = new Word.Document(new Body(new Paragraph(new Run(new Word.Text("Hello")))));
            var core = word.AddCoreFilePropertiesPart();
            using var writer = new StreamWriter(core.GetStream(FileMode.Create, FileAccess.Write));
            writer.Write("<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>");
            for (var i = 0; i < 20_000; i++)
            {
                writer.Write($"title {i} ");
            }
            writer.Write("</dc:title></cp:coreProperties>");
        }

        var ex = await Assert.ThrowsAsync<AnnotationException>(() => Read(path, "props.docx", new ReaderOptions { MaxDocxBlockBytes = 64 * 1024 }));

        Assert.Equal(FailureReason.TooLarge, ex.Reason);
        Assert.Contains("its part '/docProps/core.xml' inflates past 65,536 bytes (Annotate:Readers:MaxDocxBlockBytes)", ex.Message);
    }

    [Fact]
    public async Task Oversized_relationships_part_fails_as_too_large_before_the_package_opens()
    {
        using var dir = new TempDir();
        var path = dir.File("links.docx");
        WriteRawDocx(path, body => body.Write("<w:p><w:r><w:t>Links</w:t></w:r></w:p>"), documentRelationships: 5_000);

        var ex = await Assert.ThrowsAsync<AnnotationException>(() => Read(path, "links.docx", new ReaderOptions { MaxDocxBlockBytes = 64 * 1024 }));

        Assert.Equal(FailureReason.TooLarge, ex.Reason);
        Assert.Contains("'word/_rels/document.xml.rels' inflates past 65,536 bytes (Annotate:Readers:MaxDocxBlockBytes)", ex.Message);
    }

    [Fact]
    public async Task Table_cells_beyond_MaxDocxTableCells_fail_as_too_large()
    {
        using var dir = new TempDir();
        var path = dir.File("wide.docx");
        // One wide header row pads each of the thousand one-cell rows below it to 400 cells.
        WriteRawDocx(path, body =>
        {
            body.Write("<w:tbl><w:tr>");
            for (var i = 0; i < 400; i++)
            {
                body.Write($"<w:tc><w:p><w:r><w:t>H{i}</w:t></w:r></w:p></w:tc>");
            }
            body.Write("</w:tr>");
            for (var i = 0; i < 1_000; i++)
            {
                body.Write($"<w:tr><w:tc><w:p><w:r><w:t>{i}</w:t></w:r></w:p></w:tc></w:tr>");
            }
            body.Write("</w:tbl>");
        });

        var ex = await Assert.ThrowsAsync<AnnotationException>(() => Read(path, "wide.docx", new ReaderOptions { MaxDocxTableCells = 100_000 }));

        Assert.Equal(FailureReason.TooLarge, ex.Reason);
        Assert.Contains("its tables hold more than 100,000 cells (Annotate:Readers:MaxDocxTableCells)", ex.Message);
    }

    [Fact]
    public async Task Grid_span_is_clamped_to_Words_63_columns()
    {
        using var dir = new TempDir();
        var path = dir.File("span.docx");
        WriteRawDocx(path, body => body.Write(
            "<w:tbl><w:tr><w:tc><w:tcPr><w:gridSpan w:val=\"2000000000\"/></w:tcPr><w:p><w:r><w:t>Wide</w:t></w:r></w:p></w:tc></w:tr>"
            + "<w:tr><w:tc><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"));

        var document = await Read(path, "span.docx");

        var table = Assert.IsType<TableBlock>(Assert.Single(document.Blocks));
        Assert.Equal(63, table.Columns.Count);
        Assert.Equal("Wide", table.Columns[0]);
    }

    private static Task<Document> Read(string path, string name, ReaderOptions? options = null) =>
        new DocxReader(Options.Create(options ?? new ReaderOptions())).ReadAsync(new DocumentSource(path, name), CancellationToken.None);

    private static void WriteVariedParagraphs(TextWriter body, int paragraphs)
    {
        for (var i = 0; i < paragraphs; i++)
        {
            body.Write($"<w:p><w:r><w:t>Paragraph {i} of the report, line {i} mentions figure {i * 4}.</w:t></w:r></w:p>");
        }
    }

    /// <summary>Tables nested in the first cell of each other, each with a header row and one data row.</summary>
    private static void WriteNestedTables(string path, int levels)
    {
        using var word = WordprocessingDocument.Create(path, WordprocessingDocumentType.Document);
        var main = word.AddMainDocumentPart();
        Word.Table? inner = null;
        for (var level = levels; level >= 1; level--)
        {
            var valueCell = new TableCell(Text($"Level {level} value"));
            if (inner is not null)
            {
                valueCell.Append(inner, Text(string.Empty));
            }
            inner = new Word.Table(
                new Word.TableRow(new TableCell(Text($"Level {level} name")), new TableCell(Text($"Level {level} note"))),
                new Word.TableRow(valueCell, new TableCell(Text($"Level {level} remark"))));
        }
        main.Document = new Word.Document(new Body(inner!, Text("After the tables")));

        static Paragraph Text(string text) => new(new Run(new Word.Text(text)));
    }

    /// <summary>A minimal package written byte by byte, so the body can be anything, however malformed or large.</summary>
    private static void WriteRawDocx(string path, Action<TextWriter> writeBody, int documentRelationships = 0)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        WriteMinimalPackageParts(zip);
        if (documentRelationships > 0)
        {
            Entry(zip, "word/_rels/document.xml.rels", w =>
            {
                w.Write("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">");
                for (var i = 0; i < documentRelationships; i++)
                {
                    w.Write($"<Relationship Id=\"rId{i}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink\" Target=\"https://example.com/{i}\" TargetMode=\"External\"/>");
                }
                w.Write("</Relationships>");
            });
        }
        Entry(zip, "word/document.xml", w =>
        {
            w.Write($"<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document xmlns:w=\"{W}\"><w:body>");
            writeBody(w);
            w.Write("</w:body></w:document>");
        });
    }

    /// <summary>The content types and package relationships that make word/document.xml the main document.</summary>
    private static void WriteMinimalPackageParts(ZipArchive zip)
    {
        Entry(zip, "[Content_Types].xml", w => w.Write(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
            + "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
            + "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
            + "<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>"));
        Entry(zip, "_rels/.rels", w => w.Write(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
            + "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/></Relationships>"));
    }

    private static void Entry(ZipArchive zip, string name, Action<TextWriter> write)
    {
        using var writer = new StreamWriter(zip.CreateEntry(name, CompressionLevel.Optimal).Open(), new UTF8Encoding(false));
        write(writer);
    }
}
