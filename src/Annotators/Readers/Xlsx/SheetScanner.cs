using Annotate.Annotators.Documents;

namespace Annotate.Annotators.Readers.Xlsx;

/// <summary>
/// Watches a sheet's rows go by once and keeps only what laying out its tables needs: the used range, the
/// number of rows, the first rows (for header detection) and how many data rows each Excel table holds.
/// Both loaders feed it, so the streaming path never keeps the sheet and both paths decide alike.
/// </summary>
internal sealed class SheetScanner(IReadOnlyList<ExcelTableDefinition> tables)
{
    /// <summary>Rows after the first non-empty one looked at to tell a header row.</summary>
    public const int HeaderSampleRows = 50;

    private readonly long[] _tableRowCounts = new long[tables.Count];
    private readonly List<RawRow> _head = [];

    public int MinColumn { get; private set; } = int.MaxValue;
    public int MaxColumn { get; private set; }
    public long MinRow { get; private set; } = long.MaxValue;
    public long MaxRow { get; private set; }
    public long RowCount { get; private set; }
    public IReadOnlyList<RawRow> Head => _head;
    public IReadOnlyList<long> TableRowCounts => _tableRowCounts;

    public void Add(RawRow row)
    {
        if (row.Cells.Count == 0)
        {
            return;
        }
        RowCount++;
        MinRow = Math.Min(MinRow, row.Number);
        MaxRow = Math.Max(MaxRow, row.Number);
        MinColumn = Math.Min(MinColumn, row.Cells[0].Column);
        MaxColumn = Math.Max(MaxColumn, row.Cells[^1].Column);
        if (_head.Count <= HeaderSampleRows)
        {
            // A copy: the streaming reader hands out one cells list for every row.
            _head.Add(row with { Cells = row.Cells.ToArray() });
        }
        for (var i = 0; i < tables.Count; i++)
        {
            var range = tables[i].Range;
            if (row.Number >= tables[i].FirstDataRow && row.Number <= tables[i].LastDataRow && HasCellIn(row, range))
            {
                _tableRowCounts[i]++;
            }
        }
    }

    private static bool HasCellIn(RawRow row, CellRange range)
    {
        var cells = row.Cells;
        for (var c = 0; c < cells.Count; c++)
        {
            if (cells[c].Column >= range.FirstColumn && cells[c].Column <= range.LastColumn)
            {
                return true;
            }
        }
        return false;
    }

    public CellRange? UsedRange => RowCount == 0 ? null : new CellRange(MinColumn, MinRow, MaxColumn, MaxRow);
}
