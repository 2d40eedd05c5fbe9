using Annotate.Annotators.Documents;
using Annotate.Annotators.Tests.Support;

namespace Annotate.Annotators.Tests.Readers.Xlsx;

public class LargeWorkbookTests
{
    [Fact]
    [Trait("Category", "Large")]
    public void A_million_row_sheet_is_streamed_and_every_row_is_read()
    {
        using var dir = new TempDir();
        const int rows = 1_000_000;
        TestWorkbooks.Large(dir.File("big.xlsx"), rows);

        var document = XlsxReaderTests.Read(dir.File("big.xlsx"), streamed: true);

        var sheet = Assert.Single(document.Sheets);
        Assert.True(sheet.Streamed);
        Assert.Equal(rows + 1, sheet.RowCount);
        Assert.Equal("A1:C1000001", sheet.Dimension);
        var table = Assert.Single(document.Blocks.OfType<TableBlock>());
        Assert.IsType<StreamedRows>(table.Rows);
        Assert.Equal(["Id", "Label", "Half"], table.Columns);
        Assert.Equal(rows, table.Rows.Count);

        long counted = 0;
        TableRow? last = null;
        foreach (var row in table.Rows)
        {
            counted++;
            last = row;
        }
        Assert.Equal(rows, counted);
        Assert.NotNull(last);
        Assert.Equal(rows + 1, last.Number);
        Assert.Equal(rows, last.Cells[0].Number);
        Assert.Equal("row 1000000", last.Cells[1].Text);
        Assert.Equal(rows / 2.0, last.Cells[2].Number);
    }
}
