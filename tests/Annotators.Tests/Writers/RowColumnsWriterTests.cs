using System.IO.Compression;
using System.Text;
using System.Xml.Linq;
using Annotate.Annotators.Annotations;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Tests.Readers.Xlsx;
using Annotate.Annotators.Tests.Support;
using Annotate.Annotators.Writers;
using ClosedXML.Excel;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Validation;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.Tests.Writers;

public class RowColumnsWriterTests
{
    private static readonly string[] Fields = ["Category", "Note"];

    public static TheoryData<bool> BothPaths => new() { false, true };

    [Theory]
    [MemberData(nameof(BothPaths))]
    public void Row_fields_become_bold_headed_columns_right_of_the_table_and_original_cells_stay(bool packageCopy)
    {
        using var dir = new TempDir();
        var source = dir.File("items.xlsx");
        TestWorkbooks.FromRows(source, "Items", ["Date", "Item", "Amount"], ["2024-01-01", "Rent", -500], ["2024-01-02", "Salary", 3000], ["2024-01-03", "Coffee", -4.5]);
        var document = XlsxReaderTests.Read(source, streamed: packageCopy);
        var annotations = WithRows(document, "Items", (2, "expense", "monthly"), (3, "income", null), (4, "expense", "small"));

        var output = WriteWorkbook(dir, document, annotations, source, packageCopy);

        using var original = new XLWorkbook(source);
        using var annotated = new XLWorkbook(output);
        var sheet = annotated.Worksheet("Items");
        foreach (var cell in original.Worksheet("Items").CellsUsed())
        {
            Assert.Equal(cell.Value, sheet.Cell(cell.Address.ToString()).Value);
        }
        Assert.Equal("Category", sheet.Cell("D1").GetString());
        Assert.Equal("Note", sheet.Cell("E1").GetString());
        Assert.True(sheet.Cell("D1").Style.Font.Bold);
        Assert.True(sheet.Cell("E1").Style.Font.Bold);
        Assert.Equal(["expense", "income", "expense"], new[] { "D2", "D3", "D4" }.Select(a => sheet.Cell(a).GetString()));
        Assert.Equal(["monthly", "", "small"], new[] { "E2", "E3", "E4" }.Select(a => sheet.Cell(a).GetString()));
        Assert.Equal("D1:E4", sheet.Range("D1", "E4").RangeAddress.ToString());
        Assert.Equal(4 * 5 - 1, sheet.CellsUsed().Count());

        var listed = annotated.Worksheet("Annotations").RowsUsed().Select(r => r.Cells(1, 5).Select(c => c.GetString()).ToList()).ToList();
        Assert.Contains(listed, r => r[0] == "Note" && r[1] == "Row fields Category, Note of table 'Items' (3 rows) are in columns D:E of sheet 'Items'.");
        var header = listed.FindIndex(r => r.SequenceEqual(["Sheet", "Table", "Row", "Category", "Note"]));
        Assert.True(header > 0);
        Assert.Equal(["Items", "Items", "2", "expense", "monthly"], listed[header + 1]);
        Assert.Equal(["Items", "Items", "4", "expense", "small"], listed[header + 3]);
        AssertValid(output);
    }

    [Theory]
    [MemberData(nameof(BothPaths))]
    public void Columns_go_after_the_used_range_when_the_space_beside_the_table_is_taken(bool packageCopy)
    {
        using var dir = new TempDir();
        var source = dir.File("taken.xlsx");
        using (var workbook = new XLWorkbook())
        {
            var items = workbook.AddWorksheet("Items");
            items.Cell("A1").Value = "Item";
            items.Cell("B1").Value = "Amount";
            items.Cell("A2").Value = "Rent";
            items.Cell("B2").Value = -500;
            items.Cell("A3").Value = "Salary";
            items.Cell("B3").Value = 3000;
            // A merged note right of the table, over its rows, and a remark further right.
            items.Cell("D2").Value = "checked";
            items.Range("D2:D3").Merge();
            items.Cell("F9").Value = "remark";
            workbook.SaveAs(source);
        }
        var document = XlsxReaderTests.Read(source, streamed: packageCopy);
        var annotations = WithRows(document, "Items", (2, "expense", "rent"), (3, "income", "pay"));

        var output = WriteWorkbook(dir, document, annotations, source, packageCopy);

        using var annotated = new XLWorkbook(output);
        var sheet = annotated.Worksheet("Items");
        Assert.Equal("checked", sheet.Cell("D2").GetString());
        Assert.True(sheet.Range("D2:D3").IsMerged());
        Assert.Equal("remark", sheet.Cell("F9").GetString());
        Assert.True(sheet.Cell("C1").IsEmpty());
        Assert.Equal(["Category", "Note"], new[] { "G1", "H1" }.Select(a => sheet.Cell(a).GetString()));
        Assert.Equal(["expense", "rent", "income", "pay"], new[] { "G2", "H2", "G3", "H3" }.Select(a => sheet.Cell(a).GetString()));
        AssertValid(output);
    }

    [Theory]
    [MemberData(nameof(BothPaths))]
    public void An_excel_table_is_left_as_it_is_and_the_columns_follow_it(bool packageCopy)
    {
        using var dir = new TempDir();
        var source = dir.File("table.xlsx");
        using (var workbook = new XLWorkbook())
        {
            var data = workbook.AddWorksheet("Data");
            data.Cell("B2").Value = "Item";
            data.Cell("C2").Value = "Amount";
            data.Cell("B3").Value = "Rent";
            data.Cell("C3").Value = -500;
            data.Cell("B4").Value = "Salary";
            data.Cell("C4").Value = 3000;
            data.Range("B2:C4").CreateTable("Money");
            workbook.SaveAs(source);
        }
        var document = XlsxReaderTests.Read(source, streamed: packageCopy);
        var annotations = WithRows(document, "Data", (3, "expense", null), (4, "income", null));

        var output = WriteWorkbook(dir, document, annotations, source, packageCopy);

        using var annotated = new XLWorkbook(output);
        var sheet = annotated.Worksheet("Data");
        var table = Assert.Single(sheet.Tables);
        Assert.Equal("Money", table.Name);
        Assert.Equal("B2:C4", table.RangeAddress.ToString());
        Assert.Equal(["Category", "Note", "expense", "income"], new[] { "D2", "E2", "D3", "D4" }.Select(a => sheet.Cell(a).GetString()));
        Assert.True(sheet.Cell("E3").IsEmpty());
        AssertValid(output);
    }

    [Fact]
    public void The_streaming_path_keeps_cells_in_column_order_when_a_row_has_cells_further_right()
    {
        using var dir = new TempDir();
        var source = dir.File("wide.xlsx");
        TestWorkbooks.FromRows(source, "Items", ["Item", "Amount"], ["Rent", -500, null, null, null, null, "x"], ["Salary", 3000]);
        // The table is columns A:B whatever the reader makes of the stray cell in G2: the writer goes by the document model.
        var read = XlsxReaderTests.Read(source, streamed: true);
        var index = read.Blocks.ToList().FindIndex(b => b is TableBlock t && t.Location.Sheet == "Items");
        var table = (TableBlock)read.Blocks[index] with
        {
            Columns = ["Item", "Amount"],
            FirstColumn = 1,
            FirstRow = 1,
            HasHeaderRow = true,
        };
        var document = read with { Blocks = [.. read.Blocks.Take(index), table, .. read.Blocks.Skip(index + 1)] };
        var annotations = WithRows(document, "Items", (2, "expense", "rent"), (3, "income", "pay"));

        var output = WriteWorkbook(dir, document, annotations, source, packageCopy: true);

        var sheetXml = SheetXml(output, "xl/worksheets/sheet1.xml");
        XNamespace ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
        foreach (var row in sheetXml.Descendants(ns + "row"))
        {
            var columns = row.Elements(ns + "c").Select(c => CellReferences.ColumnNumber((string)c.Attribute("r")!)).ToList();
            Assert.Equal(columns.Order(), columns);
            Assert.Equal(columns.Distinct().Count(), columns.Count);
        }
        Assert.Equal(["A2", "B2", "C2", "D2", "G2"], sheetXml.Descendants(ns + "row").ElementAt(1).Elements(ns + "c").Select(c => (string)c.Attribute("r")!));
        Assert.Equal("A1:G3", (string)sheetXml.Descendants(ns + "dimension").Single().Attribute("ref")!);
        using var annotated = new XLWorkbook(output);
        var sheet = annotated.Worksheet("Items");
        Assert.Equal(["Category", "Note", "expense", "rent", "x"], new[] { "C1", "D1", "C2", "D2", "G2" }.Select(a => sheet.Cell(a).GetString()));
        AssertValid(output);
    }

    [Fact]
    public void A_large_sheet_is_rewritten_by_streaming_with_its_dimension_widened()
    {
        using var dir = new TempDir();
        var source = dir.File("big.xlsx");
        TestWorkbooks.Large(source, 3000);
        var document = XlsxReaderTests.Read(source, streamed: true);
        var rows = Enumerable.Range(2, 10).Select(n => ((long)n, n % 2 == 0 ? "income" : "expense", (string?)("row " + n))).ToArray();
        var annotations = WithRows(document, "Big", rows);

        var output = WriteWorkbook(dir, document, annotations, source, packageCopy: true);

        XNamespace ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
        var sheetXml = SheetXml(output, "xl/worksheets/sheet1.xml");
        var dataRows = sheetXml.Descendants(ns + "row").ToList();
        Assert.Equal(3001, dataRows.Count);
        Assert.Equal(["A2", "B2", "C2", "D2", "E2"], dataRows[1].Elements(ns + "c").Select(c => (string)c.Attribute("r")!));
        Assert.Equal(["A12", "B12", "C12"], dataRows[11].Elements(ns + "c").Select(c => (string)c.Attribute("r")!));
        using var annotated = new XLWorkbook(output);
        var sheet = annotated.Worksheet("Big");
        Assert.Equal("Category", sheet.Cell("D1").GetString());
        Assert.Equal("income", sheet.Cell("D2").GetString());
        Assert.Equal("row 11", sheet.Cell("E11").GetString());
        Assert.Equal(1500.0, sheet.Cell("C3001").GetDouble());
        Assert.True(sheet.Cell("D12").IsEmpty());
    }

    [Fact]
    public async Task Csv_source_gets_the_row_fields_beside_the_data_sheet_columns()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("contacts.csv"), "unused by this writer");
        var document = WriterFixtures.CsvDocument();
        var annotations = WithRows(document, null, (2, "other", "greets"), (4, "other", null));
        var context = WriterFixtures.Context(document, annotations, dir.File("contacts.csv"), dir.File("out"));

        var written = Assert.Single(await Writer(packageCopy: false).WriteAsync(context, CancellationToken.None));

        var output = Path.Combine(context.OutputDirectory, written.Name);
        using var workbook = new XLWorkbook(output);
        var data = workbook.Worksheet("Data");
        Assert.Equal(["Name", "Note", "Category", "Note"], new[] { "A1", "E1", "F1", "G1" }.Select(a => data.Cell(a).GetString()));
        Assert.True(data.Cell("F1").Style.Font.Bold);
        Assert.Equal(["other", "greets", "", "", "other", ""], new[] { "F2", "G2", "F3", "G3", "F4", "G4" }.Select(a => data.Cell(a).GetString()));
        Assert.Equal(9.5, data.Cell("C2").GetDouble());
        AssertValid(output);
    }

    [Fact]
    public async Task Csv_tables_get_the_row_fields_as_extra_columns()
    {
        using var dir = new TempDir();
        var document = WriterFixtures.CsvDocument();
        var annotations = WithRows(document, null, (2, "other", "greets, then \"leaves\""), (4, "income", null));
        var context = WriterFixtures.Context(document, annotations, dir.File("contacts.csv"), dir.File("out"));

        var written = Assert.Single(await new CsvTablesWriter().WriteAsync(context, CancellationToken.None));

        var lines = File.ReadAllText(Path.Combine(context.OutputDirectory, written.Name), Encoding.UTF8).Split("\r\n");
        Assert.Equal("Name,Joined,Score,Active,Note,Category,Note", lines[0]);
        Assert.EndsWith("then left\",other,\"greets, then \"\"leaves\"\"\"", lines[1], StringComparison.Ordinal);
        Assert.Equal("Bo,2023-05-18T08:15:00,-1,false,,,", lines[2]);
        Assert.Equal("\" Zoë \",,1E+21,,ok,income,", lines[3]);
    }

    [Fact]
    public async Task Without_row_annotations_the_csv_has_only_the_table_columns()
    {
        using var dir = new TempDir();
        var context = WriterFixtures.Context(WriterFixtures.CsvDocument(), new AnnotationSet(), dir.File("contacts.csv"), dir.File("out"));

        var written = Assert.Single(await new CsvTablesWriter().WriteAsync(context, CancellationToken.None));

        Assert.StartsWith("Name,Joined,Score,Active,Note\r\n", File.ReadAllText(Path.Combine(context.OutputDirectory, written.Name)), StringComparison.Ordinal);
    }

    internal static AnnotationSet WithRows(Document document, string? sheet, params (long Row, string Category, string? Note)[] rows)
    {
        var index = document.Blocks.Select((b, i) => (b, i)).First(p => p.b is TableBlock t && t.Location.Sheet == sheet).i;
        var table = (TableBlock)document.Blocks[index];
        var annotations = new AnnotationSet
        {
            Rows = new RowAnnotations
            {
                Fields = Fields,
                Provenance = new ModelProvenance("stories", "abc", "spreadsheet-rows", "0123456789abcdef", "rows-1"),
                Annotator = "rows",
            },
        };
        var tableRows = new TableRowAnnotations { Sheet = sheet, Table = table.Name, Block = index };
        foreach (var (row, category, note) in rows)
        {
            tableRows.Rows[row] = new Dictionary<string, string?> { ["Category"] = category, ["Note"] = note };
        }
        annotations.Rows.Tables.Add(tableRows);
        return annotations;
    }

    private static AnnotatedWorkbookWriter Writer(bool packageCopy) =>
        new(Options.Create(new Annotate.Annotators.Readers.ReaderOptions { StreamingWorkbookBytes = packageCopy ? 0 : long.MaxValue }), NullLogger<AnnotatedWorkbookWriter>.Instance);

    private static string WriteWorkbook(TempDir dir, Document document, AnnotationSet annotations, string source, bool packageCopy)
    {
        var context = WriterFixtures.Context(document, annotations, source, dir.File("out"));
        var written = Assert.Single(Writer(packageCopy).WriteAsync(context, CancellationToken.None).GetAwaiter().GetResult());
        return Path.Combine(context.OutputDirectory, written.Name);
    }

    private static XDocument SheetXml(string workbook, string entry)
    {
        using var archive = ZipFile.OpenRead(workbook);
        using var stream = archive.GetEntry(entry)!.Open();
        return XDocument.Load(stream);
    }

    private static void AssertValid(string workbook)
    {
        using var package = SpreadsheetDocument.Open(workbook, isEditable: false);
        var errors = new OpenXmlValidator().Validate(package).Select(e => $"{e.Path?.XPath}: {e.Description}").ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }
}
