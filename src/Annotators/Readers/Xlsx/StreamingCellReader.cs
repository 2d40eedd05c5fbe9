using System.Globalization;
using System.Text;
using System.Xml;
using Annotate.Annotators.Documents;

namespace Annotate.Annotators.Readers.Xlsx;

/// <summary>Counts, over one pass of a sheet, the cells whose text was cut to <see cref="BoundedXmlText.MaxCellCharacters"/>.</summary>
internal sealed class TruncatedCells
{
    public long Count { get; set; }
}

/// <summary>
/// Reads a worksheet part row by row from its XML events with a plain <see cref="XmlReader"/>, typing each cell the way
/// Excel shows it. It takes what real producers write: rows and cells without a reference (their position follows
/// from their order), inline strings, strict-namespace parts, and cuts any text to Excel's cell limit as it reads.
/// </summary>
internal sealed class StreamingCellReader(SharedStringTable sharedStrings, StreamingStyles styles)
{
    /// <summary>Excel's last column (XFD); cells beyond it are not part of any sheet Excel can show.</summary>
    public const int MaxColumn = 16_384;

    /// <summary>
    /// Most characters kept for one row, all cells together (2 M characters, 4 MB). Each cell is already cut to
    /// 32,767 characters, but 16,384 such cells would make one row 1 GB; a row's first 50 rows are kept for header
    /// detection, so this bounds them too. Text past it is cut like an over-long cell.
    /// </summary>
    public const int MaxRowCharacters = 2 * 1024 * 1024;

    /// <summary>Most merged ranges kept per sheet; Excel files rarely hold more than a few thousand.</summary>
    public const int MaxMergedRanges = 100_000;

    /// <summary>
    /// Yields the rows holding at least one non-empty cell; collects merged ranges when <paramref name="merged"/> is given;
    /// counts cut cells in <paramref name="truncated"/> when given. Disposes <paramref name="reader"/>.
    /// </summary>
    public IEnumerable<RawRow> ReadRows(XmlReader reader, List<CellRange>? merged, TruncatedCells? truncated, CancellationToken cancellationToken)
    {
        using var _ = reader;
        var text = new BoundedXmlText();
        var buffers = new CellBuffers(reader.NameTable);
        long rowNumber = 0;
        var cells = new List<RawCell>();
        var inRow = false;
        var column = 0;
        long rowCharacters = 0;
        // Numbers and dates of the row whose text (at most CellValue.MaxDerivedTextLength characters) is not rendered
        // yet: only a row whose text nears MaxRowCharacters needs their exact length.
        var unmeasured = new List<CellValue>();
        while (reader.Read())
        {
            if (reader.NodeType == XmlNodeType.Element)
            {
                if (!SpreadsheetNamespaces.IsMain(reader.NamespaceURI))
                {
                    continue;
                }
                switch (reader.LocalName)
                {
                    case "row":
                        rowNumber = long.TryParse(reader.GetAttribute("r"), NumberStyles.None, CultureInfo.InvariantCulture, out var r) && r > 0 ? r : rowNumber + 1;
                        cells.Clear();
                        column = 0;
                        rowCharacters = 0;
                        unmeasured.Clear();
                        inRow = !reader.IsEmptyElement;
                        break;
                    case "c" when inRow:
                        var (cell, cut) = ReadCell(reader, ref column, text, buffers);
                        if (cell.Value.Kind == CellKind.Text
                            && rowCharacters + (unmeasured.Count * (long)CellValue.MaxDerivedTextLength) + cell.Value.Text.Length > MaxRowCharacters)
                        {
                            foreach (var value in unmeasured)
                            {
                                rowCharacters += value.GetText(buffers.Scratch).Length;
                            }
                            unmeasured.Clear();
                        }
                        if (cell.Value.Kind == CellKind.Text && rowCharacters + cell.Value.Text.Length > MaxRowCharacters)
                        {
                            var room = (int)Math.Max(0, MaxRowCharacters - rowCharacters);
                            cell = cell with { Value = room == 0 ? CellValue.Empty : cell.Value with { Text = cell.Value.Text[..room] } };
                            cut = true;
                        }
                        if (cell.Value.HasGivenText)
                        {
                            rowCharacters += cell.Value.Text.Length;
                        }
                        else
                        {
                            unmeasured.Add(cell.Value);
                        }
                        if (cut && truncated is not null)
                        {
                            truncated.Count++;
                        }
                        if (!cell.Value.IsEmpty && cell.Column <= MaxColumn)
                        {
                            cells.Add(cell);
                        }
                        break;
                    case "mergeCell" when merged is not null && merged.Count < MaxMergedRanges:
                        if (CellRange.TryParse(reader.GetAttribute("ref"), out var range) && range.LastColumn <= MaxColumn)
                        {
                            merged.Add(range);
                        }
                        break;
                }
            }
            else if (reader.NodeType == XmlNodeType.EndElement && SpreadsheetNamespaces.IsMain(reader.NamespaceURI))
            {
                if (reader.LocalName == "row")
                {
                    inRow = false;
                    if (cells.Count > 0)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        if (!InColumnOrder(cells))
                        {
                            cells.Sort((a, b) => a.Column.CompareTo(b.Column));
                        }
                        yield return new RawRow(rowNumber, cells.ToArray());
                        cells.Clear();
                    }
                }
                else if (reader.LocalName == "sheetData" && merged is null)
                {
                    yield break; // merged ranges and the rest of the sheet only matter to the first pass
                }
            }
        }
    }

    /// <summary>True when the cells are already in column order, as producers write them: the sort is then skipped.</summary>
    private static bool InColumnOrder(List<RawCell> cells)
    {
        for (var i = 1; i < cells.Count; i++)
        {
            if (cells[i].Column < cells[i - 1].Column)
            {
                return false;
            }
        }
        return true;
    }

    private sealed class CellBuffers(XmlNameTable names)
    {
        // A cell's attribute names as the reader's name table holds them, so its attributes are told apart by reference.
        public readonly string Reference = names.Add("r");
        public readonly string Type = names.Add("t");
        public readonly string Style = names.Add("s");

        public readonly StringBuilder Value = new();
        public readonly StringBuilder Formula = new();
        public readonly StringBuilder Inline = new();

        /// <summary>Holds a short <c>v</c> text, so numbers and shared-string indexes parse without a string.</summary>
        public readonly char[] Scratch = new char[ScratchChars];
    }

    /// <summary>Value texts longer than this are parsed from a string (numbers are at most a few dozen characters).</summary>
    private const int ScratchChars = 64;

    private enum CellType
    {
        Number,
        Shared,
        InlineString,
        FormulaString,
        Boolean,
        Error,
        Date,
        Other,
    }

    private static CellType TypeOf(ReadOnlySpan<char> type) => type switch
    {
        "s" => CellType.Shared,
        "inlineStr" => CellType.InlineString,
        "str" => CellType.FormulaString,
        "b" => CellType.Boolean,
        "e" => CellType.Error,
        "d" => CellType.Date,
        "n" => CellType.Number,
        _ => CellType.Other,
    };

    private (RawCell Cell, bool Truncated) ReadCell(XmlReader reader, ref int column, BoundedXmlText text, CellBuffers buffers)
    {
        // One walk over the attributes instead of three lookups by name (each hashes the name): this runs for every cell.
        string? reference = null, typeName = null, style = null;
        if (reader.MoveToFirstAttribute())
        {
            do
            {
                if (reader.NamespaceURI.Length != 0)
                {
                    continue; // a prefixed attribute is not the cell's own r, t or s
                }
                var name = reader.LocalName;
                if (ReferenceEquals(name, buffers.Reference))
                {
                    reference ??= reader.Value;
                }
                else if (ReferenceEquals(name, buffers.Type))
                {
                    typeName ??= reader.Value;
                }
                else if (ReferenceEquals(name, buffers.Style))
                {
                    style ??= reader.Value;
                }
            }
            while (reader.MoveToNextAttribute());
            reader.MoveToElement();
        }
        // A cell without a reference sits right after the previous one. A reference past XFD (or one that does not
        // parse) names no cell Excel has: the cell is placed past the grid, where it is left out.
        column = reference is null
            ? Math.Min(column, MaxColumn) + 1
            : reference.Length <= 16 && CellRange.TryParseCell(reference, out var c, out _) && c is > 0 and <= MaxColumn ? c : MaxColumn + 1;
        var styleIndex = int.TryParse(style, NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : 0;
        var type = typeName is null ? CellType.Number : TypeOf(typeName);

        buffers.Value.Clear();
        buffers.Formula.Clear();
        buffers.Inline.Clear();
        bool hasValue = false, hasFormula = false, hasInline = false, truncated = false;
        if (!reader.IsEmptyElement)
        {
            var depth = reader.Depth;
            reader.Read();
            // Walk the cell's children: <v>, <f>, <is> (inline string, possibly rich text with phonetic runs).
            while (!(reader.NodeType == XmlNodeType.EndElement && reader.Depth == depth) && !reader.EOF)
            {
                if (reader.NodeType == XmlNodeType.Element)
                {
                    switch (reader.LocalName)
                    {
                        case "v":
                            hasValue = true;
                            truncated |= text.Append(reader, buffers.Value);
                            continue;
                        case "f":
                            // Cells sharing a master's formula carry an empty <f t="shared" si=".."/>: the formula exists, its text is the master's.
                            hasFormula = true;
                            truncated |= text.Append(reader, buffers.Formula);
                            continue;
                        case "rPh":
                            reader.Skip();
                            continue;
                        case "t":
                            hasInline = true;
                            truncated |= text.Append(reader, buffers.Inline);
                            continue;
                    }
                }
                reader.Read();
            }
        }
        var formula = hasFormula ? buffers.Formula.ToString() : null;
        var (cellValue, shared) = Convert(type, hasValue ? buffers.Value : null, hasInline ? buffers.Inline : null, formula, styleIndex, buffers.Scratch, ref truncated);
        return (new RawCell(column, cellValue, styles.IsBold(styleIndex), shared), truncated);
    }

    /// <summary>The value's characters: in <paramref name="scratch"/> when they fit, else as a string.</summary>
    private static ReadOnlySpan<char> Chars(StringBuilder value, char[] scratch)
    {
        if (value.Length <= scratch.Length)
        {
            value.CopyTo(0, scratch, 0, value.Length);
            return scratch.AsSpan(0, value.Length);
        }
        return value.ToString();
    }

    private static string? Text(StringBuilder? value) => value?.ToString();

    private (Documents.CellValue Value, int SharedString) Convert(CellType type, StringBuilder? value, StringBuilder? inline, string? formula, int styleIndex, char[] scratch, ref bool truncated)
    {
        switch (type)
        {
            case CellType.Shared:
                if (value is not null && int.TryParse(Chars(value, scratch), NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < sharedStrings.Count)
                {
                    truncated |= sharedStrings.IsTruncated(index);
                    return (Documents.CellValue.FromText(sharedStrings[index]) with { Formula = formula }, index);
                }
                return (Documents.CellValue.Empty with { Formula = formula }, -1);
            case CellType.InlineString:
                return (Documents.CellValue.FromText(Text(inline) ?? Text(value)) with { Formula = formula }, -1);
            case CellType.FormulaString:
                return (Documents.CellValue.FromText(Text(value)) with { Formula = formula }, -1);
            case CellType.Boolean:
                return (value is null || value.Length == 0
                    ? Documents.CellValue.Empty with { Formula = formula }
                    : Documents.CellValue.FromBoolean(Chars(value, scratch) is "1" or "true", formula), -1);
            case CellType.Error:
                return (value is null || value.Length == 0 ? Documents.CellValue.Empty with { Formula = formula } : Documents.CellValue.FromError(value.ToString(), formula), -1);
            case CellType.Date:
                var dateText = Text(value);
                return (DateTime.TryParse(dateText, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var iso)
                    ? Documents.CellValue.FromDateTime(iso, formula)
                    : Documents.CellValue.FromText(dateText) with { Formula = formula }, -1);
            default:
                if (value is null || value.Length == 0)
                {
                    return (Documents.CellValue.Empty with { Formula = formula }, -1);
                }
                if (!double.TryParse(Chars(value, scratch), NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                {
                    return (Documents.CellValue.FromText(value.ToString()) with { Formula = formula }, -1);
                }
                return (styles.IsDate(styleIndex) && OaDates.TryConvert(number, out var date)
                    ? Documents.CellValue.FromDateTime(date, formula)
                    : Documents.CellValue.FromNumber(number, formula), -1);
        }
    }
}
