using Annotate.Annotators.Documents;
using Annotate.Annotators.Tests.Support;

namespace Annotate.Annotators.Tests.Readers.Xlsx;

/// <summary>The ClosedXML path and the streaming path must read the same workbook into the same model.</summary>
public class XlsxReaderParityTests
{
    public static TheoryData<string> Workbooks => new()
    {
        "corpus:UsingTables.xlsx",
        "corpus:InsertingTables.xlsx",
        "corpus:RegularAutoFilter.xlsx",
        "corpus:DateTimeGroupAutoFilter.xlsx",
        "generated:ledger",
        "generated:formulas",
    };

    [Theory]
    [MemberData(nameof(Workbooks))]
    public void Both_reading_paths_produce_the_same_sheets_tables_headers_and_values(string workbook)
    {
        using var dir = new TempDir();
        var path = workbook switch
        {
            "generated:ledger" => Generate(dir, TestWorkbooks.Ledger),
            "generated:formulas" => Generate(dir, TestWorkbooks.Formulas),
            _ => TestFiles.Corpus("xlsx/" + workbook["corpus:".Length..]),
        };

        var whole = XlsxReaderTests.Read(path, streamed: false);
        var streamed = XlsxReaderTests.Read(path, streamed: true);

        Assert.Equal(whole.Sheets.Select(s => s with { Streamed = false, MergedRanges = [] }), streamed.Sheets.Select(s => s with { Streamed = false, MergedRanges = [] }));
        Assert.Equal(whole.Sheets.Select(s => string.Join(",", s.MergedRanges)), streamed.Sheets.Select(s => string.Join(",", s.MergedRanges)));
        Assert.Equal(whole.Blocks.Count, streamed.Blocks.Count);
        for (var i = 0; i < whole.Blocks.Count; i++)
        {
            Assert.Equal(whole.Blocks[i].GetType(), streamed.Blocks[i].GetType());
            Assert.Equal(whole.Blocks[i].Location, streamed.Blocks[i].Location);
            if (whole.Blocks[i] is TableBlock a && streamed.Blocks[i] is TableBlock b)
            {
                Assert.Equal(a.Name, b.Name);
                Assert.Equal(a.Columns, b.Columns);
                Assert.Equal(a.HasHeaderRow, b.HasHeaderRow);
                Assert.Equal((a.FirstColumn, a.FirstRow), (b.FirstColumn, b.FirstRow));
                Assert.Equal(string.Join(",", a.MergedRanges), string.Join(",", b.MergedRanges));
                Assert.Equal(a.Rows.Count, b.Rows.Count);
                var rowsA = a.Rows.ToList();
                var rowsB = b.Rows.ToList();
                Assert.Equal(rowsA.Count, rowsB.Count);
                Assert.Equal(rowsA.Count, a.Rows.Count);
                for (var r = 0; r < rowsA.Count; r++)
                {
                    Assert.Equal(rowsA[r].Number, rowsB[r].Number);
                    Assert.Equal(rowsA[r].Cells, rowsB[r].Cells);
                }
            }
            else
            {
                Assert.Equal(whole.Blocks[i].Text, streamed.Blocks[i].Text);
            }
        }
        Assert.NotEmpty(whole.Blocks.OfType<TableBlock>());
    }

    private static string Generate(TempDir dir, Action<string> write)
    {
        var path = dir.File("generated.xlsx");
        write(path);
        return path;
    }
}
