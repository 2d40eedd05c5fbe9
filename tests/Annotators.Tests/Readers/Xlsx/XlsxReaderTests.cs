using Annotate.Annotators.Documents;
using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Readers;
using Annotate.Annotators.Readers.Xlsx;
using Annotate.Annotators.Tests.Support;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.Tests.Readers.Xlsx;

public class XlsxReaderTests
{
    public static TheoryData<bool> BothPaths => new() { false, true };

    internal static XlsxReader Reader(bool streamed) =>
        new(Options.Create(new ReaderOptions { StreamingWorkbookBytes = streamed ? 0 : long.MaxValue }));

    internal static Document Read(string path, bool streamed, string? name = null) =>
        Reader(streamed).ReadAsync(new DocumentSource(path, name ?? Path.GetFileName(path)), CancellationToken.None).GetAwaiter().GetResult();

    [Theory]
    [MemberData(nameof(BothPaths))]
    public void Excel_tables_become_table_blocks_with_their_names_headers_and_ranges(bool streamed)
    {
        var document = Read(TestFiles.Corpus("xlsx/UsingTables.xlsx"), streamed);

        var tables = document.Blocks.OfType<TableBlock>().ToList();
        Assert.Equal(["Table1", "Headers", "Table2"], tables.Select(t => t.Name));
        var people = tables[0];
        Assert.Equal(["FName", "LName", "Outcast", "DOB", "Income", "Age"], people.Columns);
        Assert.True(people.HasHeaderRow);
        Assert.Equal(2, people.FirstColumn);
        Assert.Equal(2, people.FirstRow);
        Assert.Equal("B2:G6", people.Location.Cell);
        Assert.Equal("Contacts Table", people.Location.Sheet);
        // The totals row (row 6) is not data.
        var rows = people.Rows.ToList();
        Assert.Equal([3L, 4L, 5L], rows.Select(r => r.Number));
        Assert.Equal(3, people.Rows.Count);
        Assert.Equal(CellKind.Boolean, rows[0].Cells[2].Kind);
        Assert.Equal(CellKind.DateTime, rows[0].Cells[3].Kind);
        Assert.Equal(new DateTime(1919, 1, 21), rows[0].Cells[3].DateTime);
        Assert.Equal(2000d, rows[0].Cells[4].Number);
        Assert.Equal(CellValue.Empty, rows[0].Cells[5] with { Formula = null });
        Assert.Equal("B3", people.CellReference(0, rows[0].Number));
    }

    [Theory]
    [MemberData(nameof(BothPaths))]
    public void Each_sheet_gets_a_heading_before_its_tables(bool streamed)
    {
        var document = Read(TestFiles.Corpus("xlsx/RegularAutoFilter.xlsx"), streamed);

        Assert.Equal(5, document.Sheets.Count);
        var headings = document.Blocks.OfType<HeadingBlock>().ToList();
        Assert.Equal(document.Sheets.Select(s => s.Name), headings.Select(h => h.Content));
        Assert.All(headings, h => Assert.Equal(2, h.Level));
        for (var i = 0; i < document.Blocks.Count; i++)
        {
            Assert.Equal(i, document.Blocks[i].Location.Block);
            Assert.NotNull(document.Blocks[i].Location.Sheet);
        }
        var first = Assert.IsType<HeadingBlock>(document.Blocks[0]);
        var table = Assert.IsType<TableBlock>(document.Blocks[1]);
        Assert.Equal(first.Content, table.Location.Sheet);
    }

    [Theory]
    [MemberData(nameof(BothPaths))]
    public void Dates_in_the_corpus_are_typed_as_dates(bool streamed)
    {
        var document = Read(TestFiles.Corpus("xlsx/DateTimeGroupAutoFilter.xlsx"), streamed);

        var table = Assert.Single(document.Blocks.OfType<TableBlock>());
        Assert.True(table.HasHeaderRow);
        var values = table.Rows.Select(r => r.Cells[0]).ToList();
        Assert.NotEmpty(values);
        Assert.All(values, v => Assert.Equal(CellKind.DateTime, v.Kind));
    }

    [Theory]
    [MemberData(nameof(BothPaths))]
    public void Generated_ledger_is_read_with_types_hidden_sheets_merges_and_header_detection(bool streamed)
    {
        using var dir = new TempDir();
        TestWorkbooks.Ledger(dir.File("ledger.xlsx"));

        var document = Read(dir.File("ledger.xlsx"), streamed);

        Assert.Equal(["Ledger", "Secret", "Raw", "Empty"], document.Sheets.Select(s => s.Name));
        Assert.Equal([false, true, false, false], document.Sheets.Select(s => s.Hidden));
        Assert.All(document.Sheets, s => Assert.Equal(streamed, s.Streamed));
        var ledgerSheet = document.Sheets[0];
        Assert.Equal("A1:F5", ledgerSheet.Dimension);
        Assert.Equal(4, ledgerSheet.RowCount);
        Assert.Equal(6, ledgerSheet.ColumnCount);
        Assert.Equal(["B5:C5"], ledgerSheet.MergedRanges);
        Assert.Null(document.Sheets[3].Dimension);

        var ledger = document.Blocks.OfType<TableBlock>().Single(t => t.Name == "Ledger");
        Assert.True(ledger.HasHeaderRow);
        Assert.Equal(["Date", "Customer", "Amount", "Paid", "Customer_2", "Column6"], ledger.Columns);
        Assert.Equal(["B5:C5"], ledger.MergedRanges);
        var rows = ledger.Rows.ToList();
        Assert.Equal([2L, 3L, 5L], rows.Select(r => r.Number));
        Assert.Equal(new DateTime(2024, 3, 1), rows[0].Cells[0].DateTime);
        Assert.Equal("2024-03-02T14:30:00", rows[1].Cells[0].Text);
        Assert.Equal(1250.5, rows[0].Cells[2].Number);
        Assert.Equal(true, rows[0].Cells[3].Boolean);
        Assert.Equal(false, rows[1].Cells[3].Boolean);
        Assert.True(rows[0].Cells[5].IsEmpty);
        Assert.Equal("Merged note", rows[2].Cells[1].Text);
        Assert.True(rows[2].Cells[2].IsEmpty);

        var raw = document.Blocks.OfType<TableBlock>().Single(t => t.Name == "Raw");
        Assert.False(raw.HasHeaderRow);
        Assert.Equal(["Column1", "Column2"], raw.Columns);
        Assert.Equal(2, raw.FirstColumn);
        Assert.Equal(2, raw.FirstRow);
        Assert.Equal("B2:C3", raw.Location.Cell);
        Assert.Equal(["alpha", "gamma"], raw.Rows.Select(r => r.Cells[0].Text));

        Assert.DoesNotContain(document.Blocks.OfType<TableBlock>(), t => t.Location.Sheet == "Empty");
        Assert.Contains(document.Blocks.OfType<HeadingBlock>(), h => h.Content == "Empty");
    }

    [Theory]
    [MemberData(nameof(BothPaths))]
    public void Formulas_are_read_by_their_cached_values_with_the_formula_kept(bool streamed)
    {
        using var dir = new TempDir();
        TestWorkbooks.Formulas(dir.File("calc.xlsx"));

        var document = Read(dir.File("calc.xlsx"), streamed);

        var table = Assert.Single(document.Blocks.OfType<TableBlock>());
        Assert.True(table.HasHeaderRow);
        Assert.Equal(["Item", "Value"], table.Columns);
        var byLabel = table.Rows.ToDictionary(r => r.Cells[0].Text, r => r.Cells[1]);
        Assert.Equal(CellKind.Error, byLabel["Item"].Kind);
        Assert.Equal("#DIV/0!", byLabel["Item"].Text);
        Assert.Equal("1/0", byLabel["Item"].Formula);
        Assert.Equal(5d, byLabel["sum"].Number);
        Assert.Equal("2+3", byLabel["sum"].Formula);
        Assert.Equal(new DateTime(2020, 1, 2), byLabel["date"].DateTime);
        Assert.Equal("abc", byLabel["concat"].Text);
        Assert.Equal(CellKind.Text, byLabel["concat"].Kind);
        Assert.Equal(true, byLabel["truth"].Boolean);
        Assert.Equal(new DateTime(2020, 1, 2, 12, 0, 0), byLabel["stamp"].DateTime);
        Assert.Equal(CellKind.Number, byLabel["duration"].Kind);
        Assert.Equal(CellKind.DateTime, byLabel["time"].Kind);
        Assert.Equal(new TimeSpan(18, 0, 0), byLabel["time"].DateTime!.Value.TimeOfDay);
        Assert.Equal("Rich text", table.Rows.Last().Cells[0].Text);
        Assert.True(table.Rows.Last().Cells[1].IsEmpty, "a formula without a cached value has no value");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Text_only_first_row_over_numbers_is_a_header_and_numbers_only_have_none(bool streamed)
    {
        using var dir = new TempDir();
        TestWorkbooks.FromRows(dir.File("h.xlsx"), "Prices", ["Product", "", "Product"], ["Tea", 3.5, "x"], ["Coffee", 4, "y"]);
        TestWorkbooks.FromRows(dir.File("n.xlsx"), "Numbers", [1, 2], [3, 4]);

        var withHeader = Assert.Single(Read(dir.File("h.xlsx"), streamed).Blocks.OfType<TableBlock>());
        var without = Assert.Single(Read(dir.File("n.xlsx"), streamed).Blocks.OfType<TableBlock>());

        Assert.True(withHeader.HasHeaderRow);
        Assert.Equal(["Product", "Column2", "Product_2"], withHeader.Columns);
        Assert.Equal(2, withHeader.Rows.Count);
        Assert.False(without.HasHeaderRow);
        Assert.Equal(["Column1", "Column2"], without.Columns);
        Assert.Equal([1L, 2L], without.Rows.Select(r => r.Number));
    }

    [Theory]
    [MemberData(nameof(BothPaths))]
    public void Truncated_workbook_fails_as_corrupt_naming_the_file(bool streamed)
    {
        using var dir = new TempDir();
        var bytes = File.ReadAllBytes(TestFiles.Corpus("xlsx/UsingTables.xlsx"));
        File.WriteAllBytes(dir.File("cut.xlsx"), bytes[..(bytes.Length * 2 / 3)]);

        var ex = Assert.Throws<AnnotationException>(() => Read(dir.File("cut.xlsx"), streamed, "Quarterly report.xlsx"));

        Assert.Equal(FailureReason.Corrupt, ex.Reason);
        Assert.Contains("'Quarterly report.xlsx'", ex.Message);
    }

    [Theory]
    [MemberData(nameof(BothPaths))]
    public void Zip_without_a_workbook_part_fails_as_corrupt(bool streamed)
    {
        using var dir = new TempDir();
        using (var zip = System.IO.Compression.ZipFile.Open(dir.File("x.xlsx"), System.IO.Compression.ZipArchiveMode.Create))
        {
            using var writer = new StreamWriter(zip.CreateEntry("xl/workbook.xml").Open());
            writer.Write("<not-a-workbook");
        }

        var ex = Assert.Throws<AnnotationException>(() => Read(dir.File("x.xlsx"), streamed));

        Assert.Equal(FailureReason.Corrupt, ex.Reason);
        Assert.Contains("'x.xlsx'", ex.Message);
    }
}
