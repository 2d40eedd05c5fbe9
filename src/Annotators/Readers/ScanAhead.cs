using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using Annotate.Annotators.Documents;

namespace Annotate.Annotators.Readers;

/// <summary>
/// A table's scan (<see cref="ITableRows.Scan"/>) decoded on a thread of its own while the caller works on the rows it
/// already has: a writer that spends most of its time formatting and writing each row (the CSV writer, alone on one core
/// at the end of a long table) then has its rows decoded on the other. Rows travel in batches of copied cells, a few at
/// a time (<see cref="ReadAheadItems"/>), and the batches are used again, so a million rows leave no garbage behind.
/// The caller gets the rows in order, one cells list for every row, as from the scan itself.
/// </summary>
internal static class ScanAhead
{
    /// <summary>Rows per batch handed across.</summary>
    internal const int BatchRows = 512;

    /// <summary>Rows a table needs before its scan is decoded ahead: below it a thread costs more than it saves.</summary>
    internal const long MinimumRows = 20_000;

    /// <summary>
    /// The rows of <paramref name="rows"/>, each with <paramref name="width"/> cells (missing ones empty, more left out):
    /// decoded on a second thread when the table has <paramref name="minimumRows"/> rows or more and there is a second
    /// core; else the scan itself.
    /// </summary>
    public static IEnumerable<TableRow> Rows(ITableRows rows, int width, long minimumRows = MinimumRows) =>
        ReadAheadItems.Pays && rows.Count >= minimumRows ? Ahead(rows, width) : rows.Scan();

    private static IEnumerable<TableRow> Ahead(ITableRows rows, int width)
    {
        var spare = new ConcurrentBag<Batch>();
        // One item per batch of the queue: a batch of rows already weighs what the queue would gather.
        var batches = ReadAheadItems.Of(Fill(rows.Scan(), width, spare), static _ => ReadAheadItems.BatchWeight);
        var cells = new CellValue[width];
        foreach (var batch in batches)
        {
            for (var r = 0; r < batch.Count; r++)
            {
                Array.Copy(batch.Cells, r * width, cells, 0, width);
                var number = batch.Numbers[r];
                if (r == batch.Count - 1)
                {
                    // Its last row is copied out: the batch can be filled again while the caller works on that row.
                    spare.Add(batch);
                }
                yield return new TableRow(number, cells);
            }
        }
    }

    private static IEnumerable<Batch> Fill(IEnumerable<TableRow> scan, int width, ConcurrentBag<Batch> spare)
    {
        Batch? batch = null;
        ExceptionDispatchInfo? failure = null;
        using var rows = scan.GetEnumerator();
        while (true)
        {
            try
            {
                if (!rows.MoveNext())
                {
                    break;
                }
            }
            catch (Exception ex)
            {
                // The rows before a failure still reach the caller, then the failure, as from the scan itself.
                failure = ExceptionDispatchInfo.Capture(ex);
                break;
            }
            var row = rows.Current;
            if (batch is null)
            {
                batch = spare.TryTake(out var reused) ? reused : new Batch(width);
                batch.Count = 0;
            }
            batch.Numbers[batch.Count] = row.Number;
            var at = batch.Count * width;
            var count = Math.Min(width, row.Cells.Count);
            for (var c = 0; c < count; c++)
            {
                batch.Cells[at + c] = row.Cells[c];
            }
            batch.Cells.AsSpan(at + count, width - count).Fill(CellValue.Empty);
            if (++batch.Count == BatchRows)
            {
                yield return batch;
                batch = null;
            }
        }
        if (batch is { Count: > 0 })
        {
            yield return batch;
        }
        failure?.Throw();
    }

    private sealed class Batch(int width)
    {
        public long[] Numbers { get; } = new long[BatchRows];

        public CellValue[] Cells { get; } = new CellValue[BatchRows * width];

        /// <summary>Rows filled.</summary>
        public int Count { get; set; }
    }
}
