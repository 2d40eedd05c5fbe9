using Annotate.Annotators.Documents;

namespace Annotate.Annotators.KeyValues;

/// <summary>
/// Label/value pairs in tables (sheets, CSV, DOCX and document tables): a label cell with its value in the next filled
/// cell to the right, or in the cell below when the labels make a row of their own above one row of values.
/// </summary>
internal static class TablePairs
{
    /// <summary>Rows of one table read for pairs: forms are short, and the rest of a big sheet is data.</summary>
    public const int MaxRows = 500;

    /// <summary>Columns of one table read for pairs.</summary>
    public const int MaxColumns = 64;

    private const int MaxCellChars = 200;

    public static void Find(Document document, List<FoundPair> pairs, int maxPairs, CancellationToken cancellationToken)
    {
        for (var index = 0; index < document.Blocks.Count && pairs.Count < maxPairs; index++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (document.Blocks[index] is TableBlock table)
            {
                FindInTable(table, index, pairs, maxPairs);
            }
        }
    }

    private static void FindInTable(TableBlock table, int blockIndex, List<FoundPair> pairs, int maxPairs)
    {
        var width = Math.Min(table.Columns.Count, MaxColumns);
        var grid = new List<(long Number, string[] Cells)>();
        if (table.HasHeaderRow)
        {
            // Header cells the reader named itself ("Column3") were empty in the source.
            grid.Add((table.FirstRow, Enumerable.Range(0, width).Select(c => table.Columns[c] == $"Column{c + 1}" ? "" : Cut(table.Columns[c])).ToArray()));
        }
        var rows = table.Rows is StreamedRows streamed ? streamed.Preview(MaxRows) : table.Rows.Take(MaxRows);
        foreach (var row in rows)
        {
            grid.Add((row.Number, Enumerable.Range(0, width).Select(c => c < row.Cells.Count ? Cut(Display(row.Cells[c])) : "").ToArray()));
        }
        var used = new HashSet<(int Row, int Column)>();
        for (var r = 0; r < grid.Count && pairs.Count < maxPairs; r++)
        {
            var cells = grid[r].Cells;
            var filled = Enumerable.Range(0, width).Where(c => cells[c].Length > 0).ToList();
            foreach (var c in filled)
            {
                if (used.Contains((r, c)) || !IsLabelCell(cells[c], out var colon))
                {
                    continue;
                }
                var next = filled.FirstOrDefault(n => n > c, -1);
                // The next filled cell is the value when the label says so (a colon, a known key), or when the row is
                // a label and a value alone; in a row of line items the first cell labels nothing.
                if (next >= 0 && !used.Contains((r, next)) && !IsKeyLabel(cells[next])
                    && (colon || LabelLine.IsBareLabel(cells[c]) || (filled.Count == 2 && !HeadsColumn(grid, r, c)))
                    && (next == c + 1 || filled.Count == 2))
                {
                    pairs.Add(Pair(table, blockIndex, grid, r, c, r, next, PairLayouts.CellRight));
                    used.Add((r, c));
                    used.Add((r, next));
                    continue;
                }
                if (r + 1 < grid.Count && IsLabelRow(cells, filled) && grid[r + 1].Cells[c].Length > 0 && !used.Contains((r + 1, c))
                    && !IsKeyLabel(grid[r + 1].Cells[c])
                    && (colon || LabelLine.IsBareLabel(cells[c]))
                    && !IsColumn(grid, r, c))
                {
                    pairs.Add(Pair(table, blockIndex, grid, r, c, r + 1, c, PairLayouts.CellBelow));
                    used.Add((r, c));
                    used.Add((r + 1, c));
                }
            }
        }
    }

    /// <summary>A column of data under its header: the row after the value row has a value in the same column too.</summary>
    private static bool IsColumn(List<(long Number, string[] Cells)> grid, int labelRow, int column) =>
        labelRow + 2 < grid.Count && grid[labelRow + 2].Cells[column].Length > 0 && !IsLabelCell(grid[labelRow + 2].Cells[column], out _);

    /// <summary>A header over data: the cell below holds a value (a number, a date, a code), where a form's label column holds another label.</summary>
    private static bool HeadsColumn(List<(long Number, string[] Cells)> grid, int row, int column) =>
        row + 1 < grid.Count && grid[row + 1].Cells[column] is { Length: > 0 } below && !IsLabelCell(below, out _);

    private static bool IsLabelRow(string[] cells, List<int> filled) => filled.TrueForAll(c => IsLabelCell(cells[c], out _));

    /// <summary>A cell that is itself a label (ends in a colon, or names a key), so it is no one's value: "Order #" beside "Customer ID".</summary>
    private static bool IsKeyLabel(string cell) => IsLabelCell(cell, out var colon) && (colon || LabelLine.IsBareLabel(cell));

    private static bool IsLabelCell(string cell, out bool colon)
    {
        colon = cell.EndsWith(':');
        var words = cell.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length is 0 or > LabelLine.MaxLabelWords || cell.Length > LabelLine.MaxLabelChars || cell.Contains('\n', StringComparison.Ordinal))
        {
            return false;
        }
        var spans = LabelLine.Find(words);
        return spans.Count == 1 && spans[0] is { LabelOnly: true, LabelFrom: 0 } span && span.LabelTo == words.Length - (words[^1] == ":" ? 1 : 0)
            || (!colon && words.All(w => !LabelLine.IsValueToken(w)) && cell.Any(char.IsLetter));
    }

    private static FoundPair Pair(TableBlock table, int blockIndex, List<(long Number, string[] Cells)> grid, int labelRow, int labelColumn, int valueRow, int valueColumn, string layout) =>
        new(grid[labelRow].Cells[labelColumn].TrimEnd(':', ' ').Trim(), TextPairs.Clean(grid[valueRow].Cells[valueColumn]), layout,
            CellAt(table, blockIndex, labelColumn, grid[labelRow].Number), CellAt(table, blockIndex, valueColumn, grid[valueRow].Number));

    private static SourceLocation CellAt(TableBlock table, int blockIndex, int column, long row) =>
        new() { Sheet = table.Location.Sheet, Cell = table.CellReference(column, row), Block = blockIndex, Page = table.Location.Page };

    /// <summary>The cell as the source shows it: <c>1.234,56</c> from a CSV rather than its invariant reading.</summary>
    private static string Display(CellValue cell) => cell.IsEmpty ? "" : (cell.Display ?? cell.Text ?? "").Trim();

    private static string Cut(string text) => text.Length > MaxCellChars ? text[..MaxCellChars] : text.Trim();
}
