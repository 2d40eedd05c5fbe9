using System.Text;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Readers;
using Annotate.Annotators.Readers.Xlsx;
using Annotate.Annotators.Tests.Support;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.Tests.Readers.Xlsx;

/// <summary>
/// Hostile workbooks: what inflates beyond the limits is refused with the numbers, what Excel could not hold is cut
/// with a notice, and the reading path is chosen by what the workbook inflates to. Memory itself is measured in
/// bench/Annotate.Bench (<c>hostile</c>), not here.
/// </summary>
public sealed class XlsxLimitsTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private Document Read(RawWorkbook workbook, ReaderOptions options, string name = "hostile.xlsx")
    {
        var path = _dir.File(Guid.NewGuid().ToString("N") + ".xlsx");
        workbook.Save(path);
        return new XlsxReader(Options.Create(options)).ReadAsync(new DocumentSource(path, name), CancellationToken.None).GetAwaiter().GetResult();
    }

    [Fact]
    public void Workbook_inflating_past_the_limit_fails_too_large_with_the_numbers()
    {
        var padding = new string(' ', 3 * 1024 * 1024);
        var workbook = new RawWorkbook { Sheets = [new RawSheet("Data", "<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>" + padding)] };

        var ex = Assert.Throws<AnnotationException>(() => Read(workbook, new ReaderOptions { MaxUncompressedBytes = 2 * 1024 * 1024 }));

        Assert.Equal(FailureReason.TooLarge, ex.Reason);
        Assert.Contains("'hostile.xlsx'", ex.Message);
        Assert.Contains("over the limit of 2,097,152 bytes", ex.Message);
        Assert.Contains("MaxUncompressedBytes", ex.Message);
    }

    [Fact]
    public void Part_compressed_like_a_bomb_fails_too_large_with_its_ratio()
    {
        // 4 MiB of one letter deflates about 1,000:1, as the 1.5 GB shared string did.
        var workbook = new RawWorkbook
        {
            Sheets = [new RawSheet("Data", "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row>")],
            SharedStrings = [new string('a', 4 * 1024 * 1024)],
        };

        var ex = Assert.Throws<AnnotationException>(() => Read(workbook, new ReaderOptions { MaxCompressionRatio = 200 }));

        Assert.Equal(FailureReason.TooLarge, ex.Reason);
        Assert.Contains("'xl/sharedStrings.xml'", ex.Message);
        Assert.Contains("4,194,", ex.Message);
        Assert.Contains("over the limit of 200:1", ex.Message);
    }

    public static TheoryData<bool> BothPaths => new() { false, true };

    [Theory]
    [MemberData(nameof(BothPaths))]
    public void Text_longer_than_an_excel_cell_is_cut_to_its_limit_with_a_notice(bool streamed)
    {
        var shared = string.Concat(Enumerable.Range(0, 20_000).Select(i => (char)('a' + (i % 26)) + "bcd "));
        var inline = new string('x', 40_000);
        var sheet =
            "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>Note</t></is></c></row>"
            + "<row r=\"2\"><c r=\"A2\" t=\"s\"><v>0</v></c></row>"
            + "<row r=\"3\"><c r=\"A3\" t=\"s\"><v>0</v></c></row>"
            + $"<row r=\"4\"><c r=\"A4\" t=\"inlineStr\"><is><t>{inline}</t></is></c></row>"
            + "<row r=\"5\"><c r=\"A5\" t=\"inlineStr\"><is><t>short</t></is></c></row>";
        var options = new ReaderOptions { StreamingWorkbookBytes = streamed ? 0 : long.MaxValue };

        var document = Read(new RawWorkbook { Sheets = [new RawSheet("Data", sheet)], SharedStrings = [shared] }, options);

        var rows = Assert.Single(document.Blocks.OfType<TableBlock>()).Rows.ToList();
        // All text, so the first row is data too.
        Assert.Equal([4, 32_767, 32_767, 32_767, 5], rows.Select(r => r.Cells[0].Text.Length));
        Assert.Equal(shared[..32_767], rows[1].Cells[0].Text);
        Assert.Equal(inline[..32_767], rows[3].Cells[0].Text);
        var notice = Assert.Single(document.Notices, n => n.Code == StreamingWorkbookLoader.TruncatedNotice);
        Assert.Contains("'hostile.xlsx'", notice.Message);
        Assert.Contains("of 3 cell(s)", notice.Message);
        Assert.Contains("32,767", notice.Message);
    }

    [Fact]
    public async Task Small_file_of_identical_rows_is_streamed_because_of_what_it_inflates_to()
    {
        // Rows without references compress hundreds of times: 60,000 of them are a few KB on disk, MBs inflated.
        var rows = new StringBuilder("<row><c t=\"inlineStr\"><is><t>Item</t></is></c><c t=\"inlineStr\"><is><t>Qty</t></is></c></row>");
        for (var i = 0; i < 60_000; i++)
        {
            rows.Append("<row><c t=\"s\"><v>0</v></c><c><v>1</v></c></row>");
        }
        var path = _dir.File("rows.xlsx");
        new RawWorkbook { Sheets = [new RawSheet("Data", rows.ToString())], SharedStrings = ["widget"] }.Save(path);
        var info = ZipPackageLimits.Check(new DocumentSource(path, "rows.xlsx"), new ReaderOptions());
        var threshold = 1024 * 1024;
        Assert.True(new FileInfo(path).Length < threshold && info.UncompressedBytes > threshold, "the file is small, its parts are not");

        var document = await new XlsxReader(Options.Create(new ReaderOptions { StreamingWorkbookBytes = threshold }))
            .ReadAsync(new DocumentSource(path, "rows.xlsx"), CancellationToken.None);

        Assert.True(Assert.Single(document.Sheets).Streamed);
        Assert.Equal(XlsxReader.StreamingReaderName, document.Properties.Reader);
        var table = Assert.Single(document.Blocks.OfType<TableBlock>());
        Assert.IsType<StreamedRows>(table.Rows);
        Assert.Equal(60_000, table.Rows.Count);
        Assert.Equal(60_001, table.Rows.Last().Number);
        Assert.Equal("widget", table.Rows.Last().Cells[0].Text);
    }

    [Fact]
    public void Cells_past_the_last_excel_column_are_left_out()
    {
        const string sheet =
            "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>Name</t></is></c><c r=\"ZZZZZZZ1\" t=\"inlineStr\"><is><t>far</t></is></c></row>"
            + "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>Tea</t></is></c></row>";

        var document = Read(new RawWorkbook { Sheets = [new RawSheet("Data", sheet)] }, new ReaderOptions { StreamingWorkbookBytes = 0 });

        Assert.Equal("A1:A2", Assert.Single(document.Sheets).Dimension);
    }

    private static readonly ReaderOptions RatioCheckOff = new() { MaxCompressionRatio = int.MaxValue, StreamingWorkbookBytes = 0 };

    [Fact]
    public void Attribute_longer_than_any_xml_token_fails_too_large_before_it_is_held()
    {
        var sheet = $"<row r=\"1\"><c r=\"A1\" s=\"{new string('7', 17 * 1024 * 1024)}\"><v>1</v></c></row>";

        var ex = Assert.Throws<AnnotationException>(() => Read(new RawWorkbook { Sheets = [new RawSheet("Data", sheet)] }, RatioCheckOff));

        Assert.Equal(FailureReason.TooLarge, ex.Reason);
        Assert.Contains("'hostile.xlsx'", ex.Message);
        Assert.Contains("'xl/worksheets/sheet1.xml'", ex.Message);
        Assert.Contains("16,777,216 bytes", ex.Message);
    }

    [Fact]
    public void Whitespace_run_longer_than_any_xml_token_fails_too_large()
    {
        var sheet = "<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>" + new string(' ', 17 * 1024 * 1024) + "<row r=\"2\"><c r=\"A2\"><v>2</v></c></row>";

        var ex = Assert.Throws<AnnotationException>(() => Read(new RawWorkbook { Sheets = [new RawSheet("Data", sheet)] }, RatioCheckOff));

        Assert.Equal(FailureReason.TooLarge, ex.Reason);
        Assert.Contains("single XML tag, text or comment", ex.Message);
    }

    [Fact]
    public void Row_holding_more_text_than_the_row_limit_is_cut_with_a_notice()
    {
        // 70 cells of 32,767 characters: 2.29 M characters in one row.
        var cell = new string('y', BoundedXmlText.MaxCellCharacters);
        var row = string.Concat(Enumerable.Range(1, 70).Select(c => $"<c r=\"{CellReferences.ColumnName(c)}1\" t=\"inlineStr\"><is><t>{cell}</t></is></c>"));

        var document = Read(new RawWorkbook { Sheets = [new RawSheet("Data", $"<row r=\"1\">{row}</row>")] }, RatioCheckOff);

        var table = Assert.Single(document.Blocks.OfType<TableBlock>());
        var cells = Assert.Single(table.Rows).Cells;
        Assert.Equal(StreamingCellReader.MaxRowCharacters, cells.Sum(c => c.Text.Length));
        Assert.Equal(65, cells.Count(c => !c.IsEmpty)); // 64 whole cells, then 64 characters of the 65th
        var notice = Assert.Single(document.Notices, n => n.Code == StreamingWorkbookLoader.TruncatedNotice);
        Assert.Contains("of 6 cell(s)", notice.Message); // the 65th cut short, the 5 after it emptied
    }

    [Fact]
    public void Formulas_past_the_row_limit_are_cut_and_the_values_after_them_still_arrive()
    {
        // 70 cells each holding a 32,767-character formula and the value 1, then the number 42: 2.29 M characters of
        // formulas in one row, which the reader keeps to MaxRowCharacters instead of holding them all while it parses.
        var formula = new string('y', BoundedXmlText.MaxCellCharacters);
        var row = string.Concat(Enumerable.Range(1, 70).Select(c => $"<c r=\"{CellReferences.ColumnName(c)}1\"><f>{formula}</f><v>1</v></c>"))
            + "<c r=\"BS1\"><v>42</v></c>";

        var document = Read(new RawWorkbook { Sheets = [new RawSheet("Data", $"<row r=\"1\">{row}</row>")] }, RatioCheckOff);

        var table = Assert.Single(document.Blocks.OfType<TableBlock>());
        var cells = Assert.Single(table.Rows).Cells;
        Assert.Equal(71, cells.Count(c => c.Kind == CellKind.Number));
        Assert.Equal(70, cells.Count(c => c.Number == 1));
        Assert.Equal(42, cells[^1].Number);
        Assert.Equal(StreamingCellReader.MaxRowCharacters, cells.Sum(c => (long)(c.Formula?.Length ?? 0)));
        var notice = Assert.Single(document.Notices, n => n.Code == StreamingWorkbookLoader.TruncatedNotice);
        Assert.Contains("of 6 cell(s)", notice.Message); // the 65th formula cut short, the 5 after it emptied
    }

    [Fact]
    public void Numbers_count_toward_the_row_limit_by_the_length_of_their_text()
    {
        // 100 numbers of 7 characters ("1234.25"), then 64 cells of 32,767 characters: the 64th keeps what the
        // numbers and the 63 before it leave of MaxRowCharacters, 700 characters fewer than without the numbers.
        var numbers = string.Concat(Enumerable.Range(1, 100).Select(c => $"<c r=\"{CellReferences.ColumnName(c)}1\"><v>1234.25</v></c>"));
        var cell = new string('y', BoundedXmlText.MaxCellCharacters);
        var texts = string.Concat(Enumerable.Range(101, 64).Select(c => $"<c r=\"{CellReferences.ColumnName(c)}1\" t=\"inlineStr\"><is><t>{cell}</t></is></c>"));

        var document = Read(new RawWorkbook { Sheets = [new RawSheet("Data", $"<row r=\"1\">{numbers}{texts}</row>")] }, RatioCheckOff);

        var cells = Assert.Single(Assert.Single(document.Blocks.OfType<TableBlock>()).Rows).Cells;
        Assert.Equal(StreamingCellReader.MaxRowCharacters, cells.Sum(c => c.Text.Length));
        Assert.Equal(StreamingCellReader.MaxRowCharacters - 700 - (63 * BoundedXmlText.MaxCellCharacters), cells[^1].Text.Length);
        Assert.All(cells.Take(100), c => Assert.Equal("1234.25", c.Text));
    }
}
