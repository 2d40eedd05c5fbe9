using ClosedXML.Excel;

namespace Annotate.Annotators.Writers.Xlsx;

/// <summary>Adds the row-annotation columns to sheets of a workbook loaded with ClosedXML.</summary>
internal static class ClosedXmlRowColumns
{
    /// <summary>Places and writes the columns; returns a line per table for the Annotations sheet.</summary>
    public static List<string> Write(XLWorkbook workbook, IReadOnlyList<RowColumns> columns)
    {
        var notes = new List<string>();
        foreach (var onSheet in columns.GroupBy(c => c.Annotations.Sheet ?? string.Empty))
        {
            if (!workbook.Worksheets.TryGetWorksheet(onSheet.Key, out var sheet))
            {
                notes.Add($"Row fields of sheet '{onSheet.Key}' could not be added: the workbook has no such sheet.");
                continue;
            }
            var list = onSheet.ToList();
            // Merged ranges and Excel tables occupy their whole area even where cells are empty.
            var areas = sheet.MergedRanges.Select(r => r.RangeAddress)
                .Concat(sheet.Tables.Select(t => t.RangeAddress))
                .Select(a => (Top: (long)a.FirstAddress.RowNumber, Bottom: (long)a.LastAddress.RowNumber, Left: a.FirstAddress.ColumnNumber, Right: a.LastAddress.ColumnNumber))
                .ToList();
            var lastUsed = Math.Max(sheet.LastColumnUsed(XLCellsUsedOptions.All)?.ColumnNumber() ?? 0, areas.Select(a => a.Right).DefaultIfEmpty(0).Max());
            RowColumns.Place(list, sheet.Name, c => Occupied(sheet, c, areas), lastUsed);
            foreach (var table in list)
            {
                foreach (var cell in table.Cells())
                {
                    var target = sheet.Cell((int)cell.Row, cell.Column);
                    // Set as text so a model answer like "0012" or "=1+1" stays what the model wrote.
                    target.SetValue(cell.Text);
                    target.DataType = XLDataType.Text;
                    if (cell.Header)
                    {
                        target.Style.Font.Bold = true;
                    }
                }
                notes.Add(table.Describe(sheet.Name));
            }
        }
        return notes;
    }

    private static bool Occupied(IXLWorksheet sheet, RowColumns table, List<(long Top, long Bottom, int Left, int Right)> areas)
    {
        var right = Math.Min(table.AdjacentColumn + table.Fields.Count - 1, RowColumns.MaxColumns);
        if (table.AdjacentColumn > RowColumns.MaxColumns)
        {
            return true;
        }
        if (areas.Any(a => table.CandidateIntersects(a.Top, a.Bottom, a.Left, a.Right)))
        {
            return true;
        }
        return sheet.Range((int)table.Top, table.AdjacentColumn, (int)table.Bottom, right).CellsUsed(XLCellsUsedOptions.All).Any();
    }
}
