using Annotate.Annotators.Documents;

namespace Annotate.Annotators.Tests.DocumentModel;

public class CellReferencesTests
{
    [Theory]
    [InlineData(1, 1L, "A1")]
    [InlineData(8, 2L, "H2")]
    [InlineData(26, 10L, "Z10")]
    [InlineData(27, 99L, "AA99")]
    [InlineData(702, 100_000L, "ZZ100000")]
    [InlineData(703, 1_048_576L, "AAA1048576")]
    [InlineData(16_384, 1L, "XFD1")]
    [InlineData(int.MaxValue, long.MaxValue, "FXSHRXW9223372036854775807")]
    public void A_reference_is_the_column_letters_then_the_row_number(int column, long row, string expected)
    {
        Assert.Equal(expected, CellReferences.Reference(column, row));
        Assert.Equal(CellReferences.ColumnName(column) + row.ToString(System.Globalization.CultureInfo.InvariantCulture), CellReferences.Reference(column, row));
        Assert.Equal(column, CellReferences.ColumnNumber(expected));
    }

    [Fact]
    public void A_table_names_its_cells_from_its_first_column()
    {
        var table = new TableBlock { Columns = ["Name", "Email"], Rows = new InMemoryRows([]), FirstColumn = 7 };

        Assert.Equal("H2", table.CellReference(1, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => CellReferences.Reference(0, 1));
    }
}
