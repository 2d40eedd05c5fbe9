using Annotate.Annotators.Documents;

namespace Annotate.Annotators.Readers.Xlsx;

/// <summary>
/// A non-empty cell as either workbook loader sees it, before it is placed in a table; <paramref name="SharedString"/> is
/// the shared-string index its text came from (-1 for none, and for a shared string the reader cut to its row limit), so the row spill can store the index instead of the text.
/// </summary>
internal readonly record struct RawCell(int Column, CellValue Value, bool Bold, int SharedString = -1);

/// <summary>A sheet row holding at least one non-empty cell, cells in column order.</summary>
internal sealed record RawRow(long Number, IReadOnlyList<RawCell> Cells);

/// <summary>A rectangular A1 range, 1-based and inclusive.</summary>
internal readonly record struct CellRange(int FirstColumn, long FirstRow, int LastColumn, long LastRow)
{
    public int Width => LastColumn - FirstColumn + 1;

    public bool Intersects(CellRange other) =>
        FirstColumn <= other.LastColumn && other.FirstColumn <= LastColumn && FirstRow <= other.LastRow && other.FirstRow <= LastRow;

    public override string ToString() =>
        FirstColumn == LastColumn && FirstRow == LastRow
            ? CellReferences.Reference(FirstColumn, FirstRow)
            : CellReferences.Reference(FirstColumn, FirstRow) + ":" + CellReferences.Reference(LastColumn, LastRow);

    /// <summary>Parses <c>B2:G6</c>, <c>$B$2:$G$6</c> or a single cell <c>B2</c>.</summary>
    public static bool TryParse(string? text, out CellRange range)
    {
        range = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        var parts = text.Replace("$", string.Empty, StringComparison.Ordinal).Split(':');
        if (parts.Length is < 1 or > 2 || !TryParseCell(parts[0], out var c1, out var r1))
        {
            return false;
        }
        var (c2, r2) = (c1, r1);
        if (parts.Length == 2 && !TryParseCell(parts[1], out c2, out r2))
        {
            return false;
        }
        range = new CellRange(Math.Min(c1, c2), Math.Min(r1, r2), Math.Max(c1, c2), Math.Max(r1, r2));
        return true;
    }

    /// <summary>Parses a cell reference like <c>AB12</c> into its 1-based column and row.</summary>
    public static bool TryParseCell(ReadOnlySpan<char> text, out int column, out long row)
    {
        var letters = 0;
        while (letters < text.Length && char.IsAsciiLetter(text[letters]))
        {
            letters++;
        }
        column = CellReferences.ColumnNumber(text[..letters]);
        row = 0;
        return letters > 0 && column > 0
            && long.TryParse(text[letters..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out row)
            && row > 0;
    }
}

/// <summary>An Excel table (ListObject) as defined in <c>xl/tables/tableN.xml</c>.</summary>
internal sealed record ExcelTableDefinition(string Name, CellRange Range, int HeaderRowCount, int TotalsRowCount, IReadOnlyList<string> ColumnNames)
{
    public long FirstDataRow => Range.FirstRow + HeaderRowCount;

    public long LastDataRow => Range.LastRow - TotalsRowCount;
}

/// <summary>What a loader knows about a sheet before its rows are placed into tables.</summary>
internal sealed record SheetDescription(string Name, int Index, bool Hidden, IReadOnlyList<string> MergedRanges, IReadOnlyList<ExcelTableDefinition> Tables);
