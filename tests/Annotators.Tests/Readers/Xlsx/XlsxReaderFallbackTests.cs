using Annotate.Annotators.Documents;
using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Readers;
using Annotate.Annotators.Readers.Xlsx;
using System.Text.Json.Nodes;
using Annotate.Annotators.Tests.Support;
using Annotate.Annotators.Writers.Json;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.Tests.Readers.Xlsx;

/// <summary>
/// Workbooks Excel and LibreOffice open but ClosedXML 0.95 throws on, and the odd things real producers write:
/// each must be read, with the right values, and say which reader read it.
/// </summary>
public sealed class XlsxReaderFallbackTests : IDisposable
{
    // Streamed rows are read from the file when enumerated, so it lives as long as the test.
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static readonly string[] Strings = ["Name", "Amount", "Tea", "Coffee"];

    /// <summary>Name | Amount | When (date style 1) over two rows, with shared strings and full references.</summary>
    private const string TeaAndCoffee =
        "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c><c r=\"C1\" t=\"inlineStr\"><is><t>When</t></is></c></row>"
        + "<row r=\"2\"><c r=\"A2\" t=\"s\"><v>2</v></c><c r=\"B2\"><v>12.5</v></c><c r=\"C2\" s=\"1\"><v>45292</v></c></row>"
        + "<row r=\"3\"><c r=\"A3\" t=\"s\"><v>3</v></c><c r=\"B3\"><v>7</v></c><c r=\"C3\" s=\"1\"><v>45293</v></c></row>";

    private static RawWorkbook Basic(string sheetName = "Data", bool withRelationshipId = true) => new()
    {
        Sheets = [new RawSheet(sheetName, TeaAndCoffee, withRelationshipId)],
        SharedStrings = Strings,
        // Excel writes a print area for most sheets; it names the sheet, quoted when the name needs it.
        WorkbookExtra = $"<definedNames><definedName name=\"_xlnm.Print_Area\" localSheetId=\"0\">'{sheetName.Replace("'", "''", StringComparison.Ordinal)}'!$A$1:$C$3</definedName></definedNames>",
    };

    /// <summary>Small workbooks read whole with ClosedXML first, as configured with a size (streamed by default).</summary>
    private static readonly ReaderOptions WholeFirst = new() { StreamingWorkbookBytes = WholeUpToBytes };

    private const long WholeUpToBytes = 16L * 1024 * 1024;

    private Document Read(RawWorkbook workbook, bool forceStreaming = false, string name = "odd.xlsx")
    {
        var path = _dir.File(Guid.NewGuid().ToString("N") + ".xlsx");
        workbook.Save(path);
        var options = forceStreaming ? new ReaderOptions { StreamingWorkbookBytes = 0 } : WholeFirst;
        return new XlsxReader(Options.Create(options)).ReadAsync(new DocumentSource(path, name), CancellationToken.None).GetAwaiter().GetResult();
    }

    private static void AssertTeaAndCoffee(Document document, string sheetName = "Data", bool dates = true)
    {
        var table = Assert.Single(document.Blocks.OfType<TableBlock>(), t => t.Location.Sheet == sheetName);
        Assert.Equal(["Name", "Amount", "When"], table.Columns);
        var rows = table.Rows.ToList();
        Assert.Equal([2L, 3L], rows.Select(r => r.Number));
        Assert.Equal(["Tea", "Coffee"], rows.Select(r => r.Cells[0].Text));
        Assert.Equal([12.5, 7d], rows.Select(r => r.Cells[1].Number!.Value));
        if (dates)
        {
            Assert.Equal([new DateTime(2024, 1, 1), new DateTime(2024, 1, 2)], rows.Select(r => r.Cells[2].DateTime!.Value));
        }
    }

    private static void AssertReadByFallback(Document document)
    {
        Assert.Equal(XlsxReader.StreamingReaderName, document.Properties.Reader);
        var notice = Assert.Single(document.Notices, n => n.Code == XlsxReader.FallbackNotice);
        Assert.Contains("'odd.xlsx'", notice.Message);
        Assert.Contains("ClosedXML", notice.Message);
        Assert.All(document.Sheets, s => Assert.True(s.Streamed));
    }

    [Fact]
    public void A_cells_attributes_are_read_in_any_order_and_one_of_another_namespace_is_not_taken_for_them()
    {
        // Attributes reordered, and an r:r / r:s / r:t beside them (the worksheet declares xmlns:r) naming another cell,
        // style and type: the cells are still A-C of rows 1-3 with their own types and styles.
        var sheet = TeaAndCoffee
            .Replace("<c r=\"A2\" t=\"s\">", "<c r:r=\"Z9\" t=\"s\" r:t=\"b\" r=\"A2\">", StringComparison.Ordinal)
            .Replace("<c r=\"C2\" s=\"1\">", "<c s=\"1\" r:s=\"0\" r=\"C2\">", StringComparison.Ordinal)
            .Replace("<c r=\"B3\">", "<c r:t=\"s\" r=\"B3\" r:r=\"A1\">", StringComparison.Ordinal);

        var document = Read(Basic() with { Sheets = [new RawSheet("Data", sheet)] }, forceStreaming: true);

        AssertTeaAndCoffee(document);
        Assert.Equal(XlsxReader.StreamingReaderName, document.Properties.Reader);
    }

    [Fact]
    public async Task A_plain_workbook_is_streamed_by_default_without_a_notice()
    {
        var path = _dir.File("plain.xlsx");
        Basic().Save(path);

        var document = await new XlsxReader(Options.Create(new ReaderOptions())).ReadAsync(new DocumentSource(path, "plain.xlsx"), CancellationToken.None);

        AssertTeaAndCoffee(document);
        Assert.Equal(XlsxReader.StreamingReaderName, document.Properties.Reader);
        Assert.DoesNotContain(document.Notices, n => n.Code == XlsxReader.FallbackNotice);
    }

    [Fact]
    public void A_plain_workbook_is_read_by_closedxml_when_configured_and_says_so()
    {
        var document = Read(Basic());

        AssertTeaAndCoffee(document);
        Assert.Equal(XlsxReader.ClosedXmlReaderName, document.Properties.Reader);
        Assert.DoesNotContain(document.Notices, n => n.Code == XlsxReader.FallbackNotice);
    }

    [Fact]
    public void Workbook_with_a_picture_is_read_by_the_streaming_reader_when_closedxml_cannot_load_it()
    {
        var workbook = PictureWorkbook();

        var document = Read(workbook);

        AssertTeaAndCoffee(document);
        AssertReadByFallback(document);
    }

    [Fact]
    public void Workbook_with_a_pivot_table_is_read_by_the_streaming_reader_when_closedxml_cannot_load_it()
    {
        var workbook = PivotWorkbook();

        var document = Read(workbook);

        AssertTeaAndCoffee(document);
        var pivotTable = Assert.Single(document.Blocks.OfType<TableBlock>(), t => t.Location.Sheet == "Pivot");
        Assert.Equal(["Row Labels", "Sum of Amount"], pivotTable.Columns);
        Assert.Equal([7d, 12.5, 19.5], pivotTable.Rows.Select(r => r.Cells[1].Number!.Value));
        AssertReadByFallback(document);
    }

    [Fact]
    public void Workbook_with_an_empty_stylesheet_is_read_by_the_streaming_reader_when_closedxml_cannot_load_it()
    {
        var document = Read(Basic() with { Styles = " " });

        AssertTeaAndCoffee(document, dates: false);
        Assert.Equal([45292d, 45293d], document.Blocks.OfType<TableBlock>().Single().Rows.Select(r => r.Cells[2].Number!.Value));
        AssertReadByFallback(document);
    }

    [Theory]
    [InlineData("blue")]
    [InlineData("")]
    [InlineData("FFGG0000")]
    public void Workbook_with_a_colour_closedxml_cannot_parse_is_read_by_the_streaming_reader(string rgb)
    {
        var styles = RawWorkbook.DefaultStyles.Replace("<sz val=\"11\"/>", $"<sz val=\"11\"/><color rgb=\"{rgb}\"/>", StringComparison.Ordinal);

        var document = Read(Basic() with { Styles = styles });

        AssertTeaAndCoffee(document);
        AssertReadByFallback(document);
    }

    [Fact]
    public void Sheet_listed_without_a_relationship_id_is_read_from_its_worksheet_part()
    {
        var document = Read(Basic(withRelationshipId: false));

        AssertTeaAndCoffee(document);
        AssertReadByFallback(document);
    }

    [Fact]
    public void Sheet_name_with_an_exclamation_mark_is_read()
    {
        var document = Read(Basic(sheetName: "Q1!Sales"));

        AssertTeaAndCoffee(document, sheetName: "Q1!Sales");
        Assert.Equal(["Q1!Sales"], document.Sheets.Select(s => s.Name));
        AssertReadByFallback(document);
    }

    public static TheoryData<bool> BothPaths => new() { false, true };

    [Theory]
    [MemberData(nameof(BothPaths))]
    public void Workbook_without_styles_part_is_read(bool forceStreaming)
    {
        var document = Read(Basic() with { Styles = null }, forceStreaming);

        AssertTeaAndCoffee(document, dates: false);
        Assert.Equal([45292d, 45293d], document.Blocks.OfType<TableBlock>().Single().Rows.Select(r => r.Cells[2].Number!.Value));
    }

    [Theory]
    [MemberData(nameof(BothPaths))]
    public void Zero_byte_styles_part_is_read_as_no_styles(bool forceStreaming)
    {
        var document = Read(Basic() with { Styles = "" }, forceStreaming);

        AssertTeaAndCoffee(document, dates: false);
    }

    private const string InlineTeaAndCoffee =
        "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>Name</t></is></c><c r=\"B1\" t=\"inlineStr\"><is><r><t>Amo</t></r><r><rPr><b/></rPr><t>unt</t></r></is></c><c r=\"C1\" t=\"inlineStr\"><is><t>When</t></is></c></row>"
        + "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>Tea</t></is></c><c r=\"B2\"><v>12.5</v></c><c r=\"C2\" s=\"1\"><v>45292</v></c></row>"
        + "<row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><t>Coffee</t></is></c><c r=\"B3\"><v>7</v></c><c r=\"C3\" s=\"1\"><v>45293</v></c></row>";

    [Theory]
    [MemberData(nameof(BothPaths))]
    public void Inline_strings_without_a_shared_strings_part_are_read(bool forceStreaming)
    {
        var document = Read(new RawWorkbook { Sheets = [new RawSheet("Data", InlineTeaAndCoffee)] }, forceStreaming);

        AssertTeaAndCoffee(document);
    }

    [Theory]
    [MemberData(nameof(BothPaths))]
    public void Zero_byte_shared_strings_part_is_read_as_no_strings(bool forceStreaming)
    {
        var document = Read(new RawWorkbook { Sheets = [new RawSheet("Data", InlineTeaAndCoffee)], SharedStringsXml = "" }, forceStreaming);

        AssertTeaAndCoffee(document);
    }

    [Theory]
    [MemberData(nameof(BothPaths))]
    public void Cells_and_rows_without_references_take_their_position_from_their_order(bool forceStreaming)
    {
        const string sheet =
            "<row><c t=\"s\"><v>0</v></c><c t=\"s\"><v>1</v></c><c t=\"inlineStr\"><is><t>When</t></is></c></row>"
            + "<row><c t=\"s\"><v>2</v></c><c><v>12.5</v></c><c s=\"1\"><v>45292</v></c></row>"
            + "<row><c t=\"s\"><v>3</v></c><c><v>7</v></c><c s=\"1\"><v>45293</v></c></row>";

        var document = Read(Basic() with { Sheets = [new RawSheet("Data", sheet)] }, forceStreaming);

        AssertTeaAndCoffee(document);
        Assert.Equal("A1:C3", Assert.Single(document.Sheets).Dimension);
    }

    [Fact]
    public void Cells_after_a_referenced_cell_continue_from_its_column()
    {
        const string sheet =
            "<row r=\"4\"><c r=\"C4\" t=\"s\"><v>0</v></c><c t=\"s\"><v>1</v></c></row>"
            + "<row><c r=\"C5\" t=\"s\"><v>2</v></c><c><v>12.5</v></c></row>";

        var document = Read(Basic() with { Sheets = [new RawSheet("Data", sheet)] }, forceStreaming: true);

        var table = Assert.Single(document.Blocks.OfType<TableBlock>());
        Assert.Equal("C4:D5", table.Location.Cell);
        Assert.Equal(["Name", "Amount"], table.Columns);
        var row = Assert.Single(table.Rows);
        Assert.Equal(5, row.Number);
        Assert.Equal(12.5, row.Cells[1].Number);
    }

    [Theory]
    [MemberData(nameof(BothPaths))]
    public void Strict_open_xml_workbook_is_read(bool forceStreaming)
    {
        var document = Read(Basic() with { Strict = true }, forceStreaming);

        AssertTeaAndCoffee(document);
        if (forceStreaming)
        {
            Assert.Equal(XlsxReader.StreamingReaderName, document.Properties.Reader);
        }
    }

    [Fact]
    public void Package_no_reader_can_open_fails_as_corrupt_saying_what_was_tried()
    {
        var workbook = Basic() with
        {
            Sheets = [new RawSheet("Data", "<row r=\"1\"><c r=\"A1\"><v>1</v></c></row><row r=\"2\"><c r=\"A2\"")],
        };

        var ex = Assert.Throws<AnnotationException>(() => Read(workbook, name: "broken.xlsx"));

        Assert.Equal(FailureReason.Corrupt, ex.Reason);
        Assert.Contains("'broken.xlsx'", ex.Message);
        Assert.Contains("ClosedXML", ex.Message);
        Assert.Contains("streaming reader", ex.Message);
        Assert.DoesNotContain(Path.GetTempPath(), ex.Message);
    }

    public static TheoryData<string> OddWorkbooks => new()
    {
        "picture", "pivot", "empty-stylesheet", "colour", "no-relationship-id", "exclamation", "strict", "no-styles", "inline-without-shared-strings",
    };

    private static RawWorkbook Odd(string name) => name switch
    {
        "picture" => PictureWorkbook(),
        "pivot" => PivotWorkbook(),
        "empty-stylesheet" => Basic() with { Styles = " " },
        "colour" => Basic() with { Styles = RawWorkbook.DefaultStyles.Replace("<sz val=\"11\"/>", "<sz val=\"11\"/><color rgb=\"blue\"/>", StringComparison.Ordinal) },
        "no-relationship-id" => Basic(withRelationshipId: false),
        "exclamation" => Basic(sheetName: "Q1!Sales"),
        "strict" => Basic() with { Strict = true },
        "no-styles" => Basic() with { Styles = null },
        "inline-without-shared-strings" => new RawWorkbook { Sheets = [new RawSheet("Data", InlineTeaAndCoffee)] },
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(OddWorkbooks))]
    public async Task Odd_workbook_goes_through_the_whole_pipeline_and_annotations_json_says_which_reader_read_it(string workbook)
    {
        var path = _dir.File(workbook + ".xlsx");
        Odd(workbook).Save(path);
        var result = await Pipeline(WholeUpToBytes).RunAsync(new AnnotationRequest
        {
            DocumentId = "odd-" + workbook,
            Source = new DocumentSource(path, workbook + ".xlsx"),
            OutputDirectory = _dir.File("out-" + workbook),
        }, CancellationToken.None);

        Assert.Contains(result.Outputs, o => o.Name == "annotated.xlsx");
        var json = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(_dir.File("out-" + workbook), "annotations.json")))!;
        var errors = AnnotationsSchema.Validate(json);
        Assert.True(errors.Count == 0, string.Join('\n', errors));
        Assert.Equal(result.Document.Properties.Reader, (string?)json["properties"]!["reader"]);
        Assert.Contains((string?)json["properties"]!["reader"], new[] { XlsxReader.ClosedXmlReaderName, XlsxReader.StreamingReaderName });
        var fellBack = json["notices"]!.AsArray().Any(n => (string?)n!["code"] == XlsxReader.FallbackNotice);
        Assert.Equal(result.Document.Properties.Reader == XlsxReader.StreamingReaderName, fellBack);
        Assert.Contains(json["columns"]!.AsArray(), c => (string?)c!["header"] == "Amount");
    }

    public static TheoryData<string> CorpusWorkbooks =>
        new(Directory.GetFiles(Path.Combine(TestFiles.Shared, "corpus", "xlsx"), "*.xlsx").Select(p => Path.GetFileName(p)).Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(CorpusWorkbooks))]
    public async Task Every_corpus_workbook_is_read_by_closedxml_and_by_the_streaming_reader(string workbook)
    {
        var source = new DocumentSource(TestFiles.Corpus("xlsx/" + workbook), workbook);

        var whole = await new XlsxReader(Options.Create(WholeFirst)).ReadAsync(source, CancellationToken.None);
        var streamed = await new XlsxReader(Options.Create(new ReaderOptions { StreamingWorkbookBytes = 0 })).ReadAsync(source, CancellationToken.None);

        // None of the corpus needs the fallback: it is for what ClosedXML cannot read.
        Assert.Equal(XlsxReader.ClosedXmlReaderName, whole.Properties.Reader);
        Assert.DoesNotContain(whole.Notices, n => n.Code == XlsxReader.FallbackNotice);
        Assert.Equal(XlsxReader.StreamingReaderName, streamed.Properties.Reader);
        Assert.NotEmpty(whole.Blocks.OfType<TableBlock>());
        Assert.Equal(whole.Blocks.OfType<TableBlock>().Select(t => t.Rows.Count), streamed.Blocks.OfType<TableBlock>().Select(t => t.Rows.Count));
    }

    [Theory]
    [MemberData(nameof(CorpusWorkbooks))]
    public async Task Every_corpus_workbook_gives_the_same_annotations_and_outputs_through_either_reader(string workbook)
    {
        // What lets every workbook be streamed by default: nothing a user reads changes but which reader read it.
        var source = TestFiles.Corpus("xlsx/" + workbook);
        var outputs = new List<string>();
        foreach (var streamingAbove in new[] { WholeUpToBytes, 0 })
        {
            var folder = _dir.File($"out-{streamingAbove}-{workbook}");
            var result = await Pipeline(streamingAbove).RunAsync(new AnnotationRequest
            {
                DocumentId = "same-" + workbook,
                Source = new DocumentSource(source, workbook),
                OutputDirectory = folder,
            }, CancellationToken.None);
            Assert.Equal(streamingAbove == 0 ? XlsxReader.StreamingReaderName : XlsxReader.ClosedXmlReaderName, result.Document.Properties.Reader);
            outputs.Add(folder);
        }

        var (whole, streamed) = (outputs[0], outputs[1]);
        // Less what differs from run to run or names the reader: times, the reader, whether streamed.
        string[] runDetails = ["durationMs", "generatedAt", "reader", "streamed"];
        Assert.Equal(AnnotationsJsonText.Without(await File.ReadAllTextAsync(Path.Combine(whole, "annotations.json")), runDetails),
            AnnotationsJsonText.Without(await File.ReadAllTextAsync(Path.Combine(streamed, "annotations.json")), runDetails));
        var csvFiles = Directory.GetFiles(whole, "*.csv").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(csvFiles);
        Assert.Equal(csvFiles, Directory.GetFiles(streamed, "*.csv").Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (var name in csvFiles.Append("content.md"))
        {
            Assert.Equal(await File.ReadAllTextAsync(Path.Combine(whole, name!)), await File.ReadAllTextAsync(Path.Combine(streamed, name!)));
        }
        using var annotated = new ClosedXML.Excel.XLWorkbook(Path.Combine(streamed, "annotated.xlsx"));
        Assert.Contains(annotated.Worksheets, w => w.Name == "Annotations");
    }

    /// <summary>The engine with workbooks up to <paramref name="streamingWorkbookBytes"/> read whole by ClosedXML first (0: none).</summary>
    private static IDocumentPipeline Pipeline(long streamingWorkbookBytes) => TestPipeline.Create(new Dictionary<string, string?>
    {
        ["Annotate:Readers:StreamingWorkbookBytes"] = streamingWorkbookBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
    });

    private static RawWorkbook PictureWorkbook()
    {
        var drawing =
            "<xdr:wsDr xmlns:xdr=\"http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing\" xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
            + "<xdr:oneCellAnchor><xdr:from><xdr:col>4</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>1</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:ext cx=\"952500\" cy=\"952500\"/>"
            + "<xdr:pic><xdr:nvPicPr><xdr:cNvPr id=\"2\" name=\"Picture 1\"/><xdr:cNvPicPr><a:picLocks noChangeAspect=\"1\"/></xdr:cNvPicPr></xdr:nvPicPr>"
            + "<xdr:blipFill><a:blip r:embed=\"rId1\"/><a:stretch><a:fillRect/></a:stretch></xdr:blipFill>"
            + "<xdr:spPr><a:xfrm><a:off x=\"0\" y=\"0\"/><a:ext cx=\"952500\" cy=\"952500\"/></a:xfrm><a:prstGeom prst=\"rect\"><a:avLst/></a:prstGeom></xdr:spPr></xdr:pic>"
            + "<xdr:clientData/></xdr:oneCellAnchor></xdr:wsDr>";
        return Basic() with
        {
            Sheets = [new RawSheet("Data", TeaAndCoffee, AfterSheetData: "<drawing r:id=\"rId1\"/>",
                Relationships: "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/drawing\" Target=\"../drawings/drawing1.xml\"/>")],
            ContentTypes = "<Override PartName=\"/xl/drawings/drawing1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.drawing+xml\"/>",
            Extra = new Dictionary<string, byte[]>
            {
                ["xl/drawings/drawing1.xml"] = Utf8(drawing),
                ["xl/drawings/_rels/drawing1.xml.rels"] = Utf8(RawWorkbook.Rels("<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/image\" Target=\"../media/image1.png\"/>")),
                ["xl/media/image1.png"] = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="),
            },
        };
    }

    private static RawWorkbook PivotWorkbook()
    {
        const string main = RawWorkbook.MainNamespace;
        const string rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
        var cache =
            $"<pivotCacheDefinition xmlns=\"{main}\" xmlns:r=\"{rel}\" r:id=\"rId1\" refreshOnLoad=\"1\" recordCount=\"2\">"
            + "<cacheSource type=\"worksheet\"><worksheetSource name=\"Sales\"/></cacheSource><cacheFields count=\"2\">"
            + "<cacheField name=\"Name\" numFmtId=\"0\"><sharedItems count=\"2\"><s v=\"Tea\"/><s v=\"Coffee\"/></sharedItems></cacheField>"
            + "<cacheField name=\"Amount\" numFmtId=\"0\"><sharedItems containsSemiMixedTypes=\"0\" containsString=\"0\" containsNumber=\"1\" minValue=\"7\" maxValue=\"12.5\"/></cacheField>"
            + "</cacheFields></pivotCacheDefinition>";
        var records = $"<pivotCacheRecords xmlns=\"{main}\" count=\"2\"><r><x v=\"0\"/><n v=\"12.5\"/></r><r><x v=\"1\"/><n v=\"7\"/></r></pivotCacheRecords>";
        var pivot =
            $"<pivotTableDefinition xmlns=\"{main}\" name=\"PivotTable1\" cacheId=\"1\" dataCaption=\"Values\" updatedVersion=\"6\" minRefreshableVersion=\"3\" createdVersion=\"6\" indent=\"0\" outline=\"1\" outlineData=\"1\">"
            + "<location ref=\"A1:B4\" firstHeaderRow=\"1\" firstDataRow=\"1\" firstDataCol=\"1\"/>"
            + "<pivotFields count=\"2\"><pivotField axis=\"axisRow\" showAll=\"0\"><items count=\"3\"><item x=\"0\"/><item x=\"1\"/><item t=\"default\"/></items></pivotField><pivotField dataField=\"1\" showAll=\"0\"/></pivotFields>"
            + "<rowFields count=\"1\"><field x=\"0\"/></rowFields><rowItems count=\"3\"><i><x/></i><i><x v=\"1\"/></i><i t=\"grand\"><x/></i></rowItems><colItems count=\"1\"><i/></colItems>"
            + "<dataFields count=\"1\"><dataField name=\"Sum of Amount\" fld=\"1\" baseField=\"0\" baseItem=\"0\"/></dataFields></pivotTableDefinition>";
        const string pivotSheet =
            "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>Row Labels</t></is></c><c r=\"B1\" t=\"inlineStr\"><is><t>Sum of Amount</t></is></c></row>"
            + "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>Coffee</t></is></c><c r=\"B2\"><v>7</v></c></row>"
            + "<row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><t>Tea</t></is></c><c r=\"B3\"><v>12.5</v></c></row>"
            + "<row r=\"4\"><c r=\"A4\" t=\"inlineStr\"><is><t>Grand Total</t></is></c><c r=\"B4\"><v>19.5</v></c></row>";
        return Basic() with
        {
            Sheets =
            [
                new RawSheet("Data", TeaAndCoffee),
                new RawSheet("Pivot", pivotSheet, Relationships: "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/pivotTable\" Target=\"../pivotTables/pivotTable1.xml\"/>"),
            ],
            WorkbookExtra = "<definedNames><definedName name=\"Sales\">Data!$A$1:$B$3</definedName></definedNames><pivotCaches><pivotCache cacheId=\"1\" r:id=\"rIdPivot\"/></pivotCaches>",
            WorkbookRelationships = "<Relationship Id=\"rIdPivot\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/pivotCacheDefinition\" Target=\"pivotCache/pivotCacheDefinition1.xml\"/>",
            ContentTypes =
                "<Override PartName=\"/xl/pivotCache/pivotCacheDefinition1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.pivotCacheDefinition+xml\"/>"
                + "<Override PartName=\"/xl/pivotCache/pivotCacheRecords1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.pivotCacheRecords+xml\"/>"
                + "<Override PartName=\"/xl/pivotTables/pivotTable1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.pivotTable+xml\"/>",
            Extra = new Dictionary<string, byte[]>
            {
                ["xl/pivotCache/pivotCacheDefinition1.xml"] = Utf8(cache),
                ["xl/pivotCache/_rels/pivotCacheDefinition1.xml.rels"] = Utf8(RawWorkbook.Rels("<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/pivotCacheRecords\" Target=\"pivotCacheRecords1.xml\"/>")),
                ["xl/pivotCache/pivotCacheRecords1.xml"] = Utf8(records),
                ["xl/pivotTables/pivotTable1.xml"] = Utf8(pivot),
                ["xl/pivotTables/_rels/pivotTable1.xml.rels"] = Utf8(RawWorkbook.Rels("<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/pivotCacheDefinition\" Target=\"../pivotCache/pivotCacheDefinition1.xml\"/>")),
            },
        };
    }

    private static byte[] Utf8(string text) => System.Text.Encoding.UTF8.GetBytes(text);
}
