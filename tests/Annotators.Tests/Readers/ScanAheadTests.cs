using Annotate.Annotators.Documents;
using Annotate.Annotators.Readers;

namespace Annotate.Annotators.Tests.Readers;

public class ScanAheadTests
{
    /// <summary>A streamed table whose scan hands out one cells array for every row, as a spilled sheet's does.</summary>
    private static StreamedRows Table(int rows, Func<int, CellValue[]> cells, Exception? failAfter = null)
    {
        IEnumerable<TableRow> Scan()
        {
            CellValue[]? reused = null;
            for (var r = 0; r < rows; r++)
            {
                var row = cells(r);
                reused = reused?.Length == row.Length ? reused : new CellValue[row.Length];
                row.CopyTo(reused, 0);
                yield return new TableRow(r + 2, reused);
            }
            if (failAfter is not null)
            {
                throw failAfter;
            }
        }
        return new StreamedRows(() => Scan().Select(r => r with { Cells = r.Cells.ToArray() }), rows, scan: Scan);
    }

    private static CellValue[] Cells(int r) =>
        [.. Enumerable.Range(0, 1 + (r % 6)).Select(c => c == 2 ? CellValue.FromNumber(r * 0.5) : CellValue.FromText($"r{r}c{c}"))];

    [Fact]
    public void Rows_decoded_ahead_are_the_scan_in_order_padded_or_cut_to_the_width_in_one_cells_list()
    {
        // Widths 1 to 6 against 4 columns: shorter rows are padded with empty cells, longer ones cut; several batches.
        var rows = ScanAhead.BatchRows * 3 + 17;
        var table = Table(rows, Cells);

        var lists = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var ahead = new List<(long Number, CellValue[] Cells)>();
        foreach (var row in ScanAhead.Rows(table, 4, minimumRows: 0))
        {
            lists.Add(row.Cells);
            ahead.Add((row.Number, row.Cells.ToArray()));
        }

        Assert.Equal(rows, ahead.Count);
        Assert.Single(lists);
        for (var r = 0; r < rows; r++)
        {
            var expected = Cells(r).Concat(Enumerable.Repeat(CellValue.Empty, 4)).Take(4).ToArray();
            Assert.Equal(r + 2, ahead[r].Number);
            Assert.Equal(expected, ahead[r].Cells);
        }
    }

    [Fact]
    public void A_short_table_is_scanned_as_it_is()
    {
        var table = Table(10, Cells);

        Assert.Equal(table.Scan().Select(r => r.Number), ScanAhead.Rows(table, 4).Select(r => r.Number));
        // Its rows keep their own widths: nothing was copied into batches.
        Assert.Equal(6, ScanAhead.Rows(table, 4).Max(r => r.Cells.Count));
    }

    [Fact]
    public void A_failing_scan_gives_its_rows_then_its_exception()
    {
        var table = Table(ScanAhead.BatchRows + 5, Cells, new InvalidDataException("the spill is damaged"));

        var seen = 0;
        var ex = Assert.Throws<InvalidDataException>(() =>
        {
            foreach (var _ in ScanAhead.Rows(table, 4, minimumRows: 0))
            {
                seen++;
            }
        });

        Assert.Equal("the spill is damaged", ex.Message);
        Assert.Equal(ScanAhead.BatchRows + 5, seen);
    }

    [Fact]
    public void Stopping_early_stops_the_decoding()
    {
        var produced = 0;
        var table = Table(100_000, r =>
        {
            Interlocked.Increment(ref produced);
            return Cells(r);
        });

        Assert.Equal(10, ScanAhead.Rows(table, 4, minimumRows: 0).Take(10).Count());

        // The enumeration's end waited for the decoding thread: it stopped within the few batches it may run ahead.
        var stoppedAt = Volatile.Read(ref produced);
        Assert.InRange(stoppedAt, 10, ScanAhead.BatchRows * 8);
        Assert.Equal(stoppedAt, Volatile.Read(ref produced));
    }
}
