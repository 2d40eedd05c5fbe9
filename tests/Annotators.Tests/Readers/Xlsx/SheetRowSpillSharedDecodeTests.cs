using Annotate.Annotators.Documents;
using Annotate.Annotators.Readers.Xlsx;
using Annotate.Annotators.Tests.Support;

namespace Annotate.Annotators.Tests.Readers.Xlsx;

/// <summary>
/// The scans of a spilled table that run at the same time (statistics, patterns, column profiles and the CSV writer)
/// share one decode of its rows: each must still see every row of its region as a scan alone does, whether it keeps up
/// with the others, falls behind the window of decoded batches, or comes after they are done.
/// </summary>
public sealed class SheetRowSpillSharedDecodeTests : IDisposable
{
    private const int FirstColumn = 2;
    private const int Width = 10;
    private const long FirstRow = 3;

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Scans_that_keep_pace_decode_the_rows_once_and_each_sees_every_row()
    {
        const int rows = 20_000;
        using var spill = Spill(rows);
        var expected = Expected(spill, rows);

        // Four scans advanced a row each in turn, as four annotators on their threads would.
        var scans = Enumerable.Range(0, 4).Select(_ => spill.ScanAligned(FirstColumn, Width, FirstRow, rows).GetEnumerator()).ToList();
        var seen = scans.Select(_ => new List<(long, CellValue[])>()).ToList();
        var going = true;
        while (going)
        {
            going = false;
            for (var s = 0; s < scans.Count; s++)
            {
                if (scans[s].MoveNext())
                {
                    seen[s].Add((scans[s].Current.Number, scans[s].Current.Cells.ToArray()));
                    going = true;
                }
            }
        }
        scans.ForEach(s => s.Dispose());

        Assert.All(seen, rowsSeen => AssertRows(expected, rowsSeen));
        // One decode for the four of them (each alone would have decoded every row: four times as many).
        Assert.Equal(spill.RowCount, spill.RowsDecoded);
    }

    [Fact]
    public void A_scan_left_behind_the_window_keeps_the_row_it_holds_and_decodes_the_rest_on_its_own()
    {
        // More rows than the window keeps at this width, so the first scan's batches leave it long before it ends.
        var rows = (SheetRowSpill.WindowBatches + 40) * (SheetRowSpill.BatchCells / Width);
        using var spill = Spill(rows);
        var expected = Expected(spill, rows);

        using var behind = spill.ScanAligned(FirstColumn, Width, FirstRow, rows).GetEnumerator();
        Assert.True(behind.MoveNext());
        var held = behind.Current.Cells;
        var heldCopy = held.ToArray();
        var ahead = spill.ScanAligned(FirstColumn, Width, FirstRow, rows).Select(r => (r.Number, r.Cells.ToArray())).ToList();
        // The batch the slow scan is reading was not filled again while the other decoded everything after it.
        Assert.Equal(heldCopy, held.ToArray());
        var rest = new List<(long, CellValue[])> { (behind.Current.Number, heldCopy) };
        while (behind.MoveNext())
        {
            rest.Add((behind.Current.Number, behind.Current.Cells.ToArray()));
        }

        AssertRows(expected, ahead);
        AssertRows(expected, rest);
        // The slow scan decoded what had left the window itself.
        Assert.InRange(spill.RowsDecoded, spill.RowCount + 1, 2 * spill.RowCount);
    }

    [Fact]
    public async Task Scans_on_threads_of_their_own_each_see_every_row()
    {
        var rows = 3 * SheetRowSpill.WindowBatches * (SheetRowSpill.BatchCells / Width);
        using var spill = Spill(rows);
        var expected = Expected(spill, rows);
        using var start = new Barrier(4);

        var seen = Enumerable.Range(0, 4).Select(_ => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait();
            return spill.ScanAligned(FirstColumn, Width, FirstRow, rows).Select(r => (r.Number, r.Cells.ToArray())).ToList();
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        var scans = await Task.WhenAll(seen);

        Assert.All(scans, scan => AssertRows(expected, scan));
        Assert.InRange(spill.RowsDecoded, spill.RowCount, 4 * spill.RowCount);
    }

    [Fact]
    public void A_scan_after_the_others_ended_decodes_afresh_and_a_region_of_its_own_is_decoded_apart()
    {
        const int rows = 5_000;
        using var spill = Spill(rows);
        var expected = Expected(spill, rows);

        AssertRows(expected, spill.ScanAligned(FirstColumn, Width, FirstRow, rows).Select(r => (r.Number, r.Cells.ToArray())).ToList());
        AssertRows(expected, spill.ScanAligned(FirstColumn, Width, FirstRow, rows).Select(r => (r.Number, r.Cells.ToArray())).ToList());
        Assert.Equal(2 * spill.RowCount, spill.RowsDecoded);

        // Another region of the same sheet (a second table beside the first) is not handed the first one's batches.
        using var first = spill.ScanAligned(FirstColumn, Width, FirstRow, rows).GetEnumerator();
        using var other = spill.ScanAligned(1, 3, 100, 200).GetEnumerator();
        Assert.True(first.MoveNext());
        Assert.True(other.MoveNext());
        Assert.Equal(100, other.Current.Number);
        Assert.Equal(3, other.Current.Cells.Count);
        Assert.Equal(CellValue.FromText("r100c1"), other.Current.Cells[0]);
        Assert.Equal(FirstRow, first.Current.Number);
    }

    [Fact]
    public void An_empty_spill_gives_no_rows_to_any_scan()
    {
        using var spill = SheetRowSpill.Create(SharedStringTable.Read(null), _dir.Path);
        spill.Seal();

        using var one = spill.ScanAligned(FirstColumn, Width, 1, 10).GetEnumerator();
        using var two = spill.ScanAligned(FirstColumn, Width, 1, 10).GetEnumerator();

        Assert.False(one.MoveNext());
        Assert.False(two.MoveNext());
    }

    /// <summary>
    /// Rows numbered 1 to <paramref name="rows"/>, some with gaps between cells, some only outside the region (left out
    /// of a scan), some with cells past its right edge, numbers, dates and shared strings.
    /// </summary>
    private SheetRowSpill Spill(int rows)
    {
        var strings = SharedStringTable.Read(System.Xml.XmlReader.Create(new StringReader(
            $"<sst xmlns=\"{RawWorkbook.MainNamespace}\"><si><t>north</t></si><si><t>south</t></si></sst>")));
        var spill = SheetRowSpill.Create(strings, _dir.Path);
        for (var r = 1; r <= rows; r++)
        {
            var cells = new List<RawCell> { new(1, CellValue.FromText($"r{r}c1"), Bold: false) };
            if (r % 7 != 0)
            {
                for (var c = FirstColumn; c < FirstColumn + Width + 2; c++)
                {
                    if ((r + c) % 5 == 0)
                    {
                        continue;
                    }
                    cells.Add((c % 4) switch
                    {
                        0 => new RawCell(c, CellValue.FromNumber(r * 0.25 + c), Bold: false),
                        1 => new RawCell(c, CellValue.FromDateTime(new DateTime(2024, 1, 1).AddDays(r % 400)), Bold: false),
                        2 => new RawCell(c, CellValue.FromText(strings[r % 2]), Bold: false, SharedString: r % 2),
                        _ => new RawCell(c, CellValue.FromText($"row {r} column {c}"), Bold: c == 3),
                    });
                }
            }
            spill.Add(new RawRow(r, cells));
        }
        spill.Seal();
        return spill;
    }

    /// <summary>The region's rows as the spill's plain read gives them, aligned to the region by hand.</summary>
    private static List<(long Number, CellValue[] Cells)> Expected(SheetRowSpill spill, long lastRow)
    {
        var before = spill.RowsDecoded;
        var expected = new List<(long, CellValue[])>();
        foreach (var row in spill.Read())
        {
            if (row.Number < FirstRow || row.Number > lastRow)
            {
                continue;
            }
            var cells = Enumerable.Repeat(CellValue.Empty, Width).ToArray();
            foreach (var cell in row.Cells)
            {
                if (cell.Column >= FirstColumn && cell.Column < FirstColumn + Width)
                {
                    cells[cell.Column - FirstColumn] = cell.Value;
                }
            }
            if (cells.Any(c => !c.IsEmpty))
            {
                expected.Add((row.Number, cells));
            }
        }
        Assert.Equal(before, spill.RowsDecoded);
        Assert.NotEmpty(expected);
        return expected;
    }

    private static void AssertRows(List<(long Number, CellValue[] Cells)> expected, List<(long Number, CellValue[] Cells)> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var r = 0; r < expected.Count; r++)
        {
            Assert.Equal(expected[r].Number, actual[r].Number);
            Assert.Equal(expected[r].Cells, actual[r].Cells);
        }
    }
}
