using System.Globalization;
using Annotate.Annotators.Annotations;
using Annotate.Annotators.Documents;

namespace Annotate.Annotators.Writers.Xlsx;

/// <summary>One cell of the row-annotation columns: the field names in the header row, the values beside their rows.</summary>
internal readonly record struct RowColumnCell(long Row, int Column, string Text, bool Header);

/// <summary>
/// Where the model's row fields of one table go in annotated.xlsx: new columns right of the table when that space is
/// empty over the table's rows, else right of everything the sheet uses. Both writer paths (ClosedXML and the
/// streaming package copy) and the CSV Data sheet place them with this one rule, so they agree.
/// </summary>
internal sealed class RowColumns
{
    /// <summary>The most columns an Excel sheet has.</summary>
    public const int MaxColumns = 16_384;

    private RowColumns(TableRowAnnotations annotations, TableBlock table, IReadOnlyList<string> fields)
    {
        Annotations = annotations;
        Table = table;
        Fields = fields;
        HeaderRow = table.HasHeaderRow ? table.FirstRow : table.FirstRow > 1 ? table.FirstRow - 1 : 0;
        var rows = annotations.Rows.Keys;
        Top = HeaderRow > 0 ? Math.Min(HeaderRow, rows.Min()) : rows.Min();
        Bottom = Math.Max(HeaderRow, rows.Max());
        AdjacentColumn = table.FirstColumn + table.Columns.Count;
    }

    public TableRowAnnotations Annotations { get; }

    public TableBlock Table { get; }

    public IReadOnlyList<string> Fields { get; }

    /// <summary>Row the field names go in: the table's header row, the row above a table without one, or 0 for none.</summary>
    public long HeaderRow { get; }

    /// <summary>First sheet row the columns cover.</summary>
    public long Top { get; }

    /// <summary>Last sheet row the columns cover.</summary>
    public long Bottom { get; }

    /// <summary>The column right after the table's last column: the first choice.</summary>
    public int AdjacentColumn { get; }

    /// <summary>The first new column once placed; 0 while unplaced or when the sheet has no room.</summary>
    public int FirstColumn { get; private set; }

    public int LastColumn => FirstColumn + Fields.Count - 1;

    /// <summary>True when the columns were placed (the sheet had room).</summary>
    public bool Placed => FirstColumn > 0;

    /// <summary>The annotated tables of <paramref name="document"/> whose rows have values; tables whose block is not a table are ignored.</summary>
    public static IReadOnlyList<RowColumns> ForDocument(Document document, RowAnnotations? rows)
    {
        if (rows is null || rows.Fields.Count == 0)
        {
            return [];
        }
        var result = new List<RowColumns>();
        foreach (var table in rows.Tables)
        {
            if (table.Rows.Count > 0 && table.Block >= 0 && table.Block < document.Blocks.Count && document.Blocks[table.Block] is TableBlock block)
            {
                result.Add(new RowColumns(table, block, rows.Fields));
            }
        }
        return result;
    }

    /// <summary>
    /// Places the tables of one sheet in order. <paramref name="occupied"/> tells whether the original sheet has anything
    /// (a cell, a merged range, an Excel table) in a table's adjacent columns over its rows; columns placed for earlier
    /// tables count too. <paramref name="lastUsedColumn"/> is the sheet's last used column. Where each table's columns
    /// went is noted in its annotations (<see cref="TableRowAnnotations.WorkbookColumn"/>), so a review can correct them.
    /// </summary>
    public static void Place(IReadOnlyList<RowColumns> onSheet, string sheet, Func<RowColumns, bool> occupied, int lastUsedColumn)
    {
        var placed = new List<RowColumns>();
        var last = lastUsedColumn;
        foreach (var columns in onSheet)
        {
            var adjacentFree = !occupied(columns) && !placed.Any(p => p.Overlaps(columns.Top, columns.Bottom, columns.AdjacentColumn, columns.AdjacentColumn + columns.Fields.Count - 1));
            var first = adjacentFree ? columns.AdjacentColumn : last + 1;
            columns.Annotations.WorkbookColumn = null;
            if (first + columns.Fields.Count - 1 > MaxColumns)
            {
                continue;
            }
            columns.FirstColumn = first;
            columns.Annotations.WorkbookSheet = sheet;
            columns.Annotations.WorkbookColumn = first;
            last = Math.Max(last, columns.LastColumn);
            placed.Add(columns);
        }
    }

    /// <summary>True when the candidate rectangle right of the table intersects the given range (1-based, inclusive).</summary>
    public bool CandidateIntersects(long top, long bottom, int left, int right) =>
        Intersects(Top, Bottom, AdjacentColumn, AdjacentColumn + Fields.Count - 1, top, bottom, left, right);

    public bool Overlaps(long top, long bottom, int left, int right) =>
        Placed && Intersects(Top, Bottom, FirstColumn, LastColumn, top, bottom, left, right);

    /// <summary>The header cells, then the value cells row by row (ascending rows, then columns).</summary>
    public IEnumerable<RowColumnCell> Cells()
    {
        if (!Placed)
        {
            yield break;
        }
        var header = HeaderRow > 0 ? HeaderRow : 0;
        var pendingHeader = header > 0;
        foreach (var (row, values) in Annotations.Rows.OrderBy(r => r.Key))
        {
            if (pendingHeader && header <= row)
            {
                for (var f = 0; f < Fields.Count; f++)
                {
                    yield return new RowColumnCell(header, FirstColumn + f, CellText(Fields[f]), true);
                }
                pendingHeader = false;
                if (header == row)
                {
                    // A data row cannot share the header's row; the reader never produces one.
                    continue;
                }
            }
            for (var f = 0; f < Fields.Count; f++)
            {
                if (values.TryGetValue(Fields[f], out var value) && !string.IsNullOrEmpty(value))
                {
                    yield return new RowColumnCell(row, FirstColumn + f, CellText(value), false);
                }
            }
        }
        if (pendingHeader)
        {
            for (var f = 0; f < Fields.Count; f++)
            {
                yield return new RowColumnCell(header, FirstColumn + f, CellText(Fields[f]), true);
            }
        }
    }

    /// <summary>A line for the Annotations sheet saying where the fields went.</summary>
    public string Describe(string sheet)
    {
        var table = Annotations.Table ?? sheet;
        var fields = string.Join(", ", Fields);
        var rows = Annotations.Rows.Count.ToString("N0", CultureInfo.InvariantCulture);
        return Placed
            ? $"Row fields {fields} of table '{table}' ({rows} rows) are in columns {CellReferences.ColumnName(FirstColumn)}:{CellReferences.ColumnName(LastColumn)} of sheet '{sheet}'."
            : $"Row fields {fields} of table '{table}' ({rows} rows) could not be added to sheet '{sheet}': it has no free columns left; annotations.json lists them.";
    }

    /// <summary>Text fit for a cell: characters XML cannot hold are dropped, and it is cut to Excel's cell limit.</summary>
    public static string CellText(string text) => AnnotationSheetContent.Fit(XmlTextCleaner.Strip(text, out _));

    private static bool Intersects(long top1, long bottom1, int left1, int right1, long top2, long bottom2, int left2, int right2) =>
        top1 <= bottom2 && top2 <= bottom1 && left1 <= right2 && left2 <= right1;
}
