using Annotate.Annotators.Documents;

namespace Annotate.Annotators.Readers.Xlsx;

/// <summary>
/// Lays a scanned sheet out as blocks: a heading naming the sheet, then one table per Excel table, or one
/// table for the used region of a sheet without Excel tables. Shared by both loaders so they agree.
/// </summary>
internal static class SheetLayout
{
    /// <summary>Builds the sheet's info and blocks.</summary>
    /// <param name="sheet">Name, position, tables and merged ranges.</param>
    /// <param name="scan">The scanner after all rows went through it.</param>
    /// <param name="rows">Opens the sheet's non-empty rows in order; called once per enumeration of a table's rows.</param>
    /// <param name="streamed">True when rows are streamed from the file rather than held.</param>
    /// <param name="blocks">Receives the blocks.</param>
    /// <param name="spill">The spill the rows come from, when they do: a table's scans then decode straight into its rows.</param>
    public static SheetInfo Lay(SheetDescription sheet, SheetScanner scan, Func<IEnumerable<RawRow>> rows, bool streamed, List<Block> blocks,
        SheetRowSpill? spill = null)
    {
        var used = scan.UsedRange;
        var info = new SheetInfo
        {
            Name = sheet.Name,
            Index = sheet.Index,
            Hidden = sheet.Hidden,
            Dimension = used?.ToString(),
            RowCount = scan.RowCount,
            ColumnCount = used?.Width ?? 0,
            MergedRanges = sheet.MergedRanges,
            Streamed = streamed,
        };
        blocks.Add(new HeadingBlock(2, sheet.Name) { Location = new SourceLocation { Sheet = sheet.Name, Block = blocks.Count } });

        if (sheet.Tables.Count > 0)
        {
            for (var i = 0; i < sheet.Tables.Count; i++)
            {
                var table = sheet.Tables[i];
                var width = table.Range.Width;
                var names = table.ColumnNames.Concat(Enumerable.Repeat<string?>(null, Math.Max(0, width - table.ColumnNames.Count))).Take(width).ToList();
                blocks.Add(Table(sheet, table.Name, table.Range, HeaderNames.Normalize(names), table.HeaderRowCount > 0,
                    table.FirstDataRow, table.LastDataRow, scan.TableRowCounts[i], rows, spill, streamed, blocks.Count));
            }
        }
        else if (used is { } region)
        {
            var hasHeader = HasHeaderRow(scan.Head, region);
            IReadOnlyList<string> columns = hasHeader
                ? HeaderNames.Normalize(Align(scan.Head[0], region, new CellValue[region.Width]).Select(c => c.IsEmpty ? null : c.Text).ToList())
                : HeaderNames.Generic(region.Width);
            var firstData = hasHeader ? region.FirstRow + 1 : region.FirstRow;
            blocks.Add(Table(sheet, sheet.Name, region, columns, hasHeader, firstData, region.LastRow,
                scan.RowCount - (hasHeader ? 1 : 0), rows, spill, streamed, blocks.Count));
        }
        return info;
    }

    /// <summary>
    /// The first non-empty row is a header when every value in it is text and either the rows below hold
    /// a non-text value (numbers, dates… under text labels) or the row is bold.
    /// </summary>
    internal static bool HasHeaderRow(IReadOnlyList<RawRow> head, CellRange region)
    {
        if (head.Count == 0)
        {
            return false;
        }
        var first = head[0].Cells;
        if (first.Any(c => c.Value.Kind != CellKind.Text))
        {
            return false;
        }
        if (head.Count == 1)
        {
            return first.All(c => c.Bold);
        }
        var belowHasNonText = head.Skip(1).Any(r => r.Cells.Any(c => c.Value.Kind != CellKind.Text));
        return belowHasNonText || first.All(c => c.Bold);
    }

    private static TableBlock Table(SheetDescription sheet, string name, CellRange range, IReadOnlyList<string> columns, bool hasHeader,
        long firstDataRow, long lastDataRow, long count, Func<IEnumerable<RawRow>> rows, SheetRowSpill? spill, bool streamed, int blockIndex)
    {
        IEnumerable<TableRow> Project() => ProjectRows(rows(), range, firstDataRow, lastDataRow, reuseCells: false);
        IEnumerable<TableRow> Scan() => spill is not null
            ? spill.ScanAligned(range.FirstColumn, range.Width, firstDataRow, lastDataRow)
            : ProjectRows(rows(), range, firstDataRow, lastDataRow, reuseCells: true);
        ITableRows tableRows = streamed ? new StreamedRows(Project, count, scan: Scan) : new InMemoryRows(Project().ToList());
        return new TableBlock
        {
            Name = name,
            Columns = columns,
            HasHeaderRow = hasHeader,
            Rows = tableRows,
            FirstColumn = range.FirstColumn,
            FirstRow = hasHeader ? firstDataRow - 1 : firstDataRow,
            MergedRanges = sheet.MergedRanges.Where(m => CellRange.TryParse(m, out var merged) && merged.Intersects(range)).ToList(),
            Location = new SourceLocation { Sheet = sheet.Name, Cell = range.ToString(), Block = blockIndex },
        };
    }

    private static IEnumerable<TableRow> ProjectRows(IEnumerable<RawRow> rows, CellRange range, long firstDataRow, long lastDataRow, bool reuseCells)
    {
        // A scan (ITableRows.Scan) gets one array for every row: a row's cells are all written, so none is left from the last.
        var reused = reuseCells ? new CellValue[range.Width] : null;
        foreach (var row in rows)
        {
            if (row.Number < firstDataRow)
            {
                continue;
            }
            if (row.Number > lastDataRow)
            {
                yield break;
            }
            var cells = Align(row, range, reused ?? new CellValue[range.Width]);
            if (cells.Any(c => !c.IsEmpty))
            {
                yield return new TableRow(row.Number, cells);
            }
        }
    }

    private static CellValue[] Align(RawRow row, CellRange range, CellValue[] cells)
    {
        Array.Fill(cells, CellValue.Empty);
        var rowCells = row.Cells;
        for (var c = 0; c < rowCells.Count; c++)
        {
            var cell = rowCells[c];
            if (cell.Column >= range.FirstColumn && cell.Column <= range.LastColumn)
            {
                cells[cell.Column - range.FirstColumn] = cell.Value;
            }
        }
        return cells;
    }
}
