using System.Buffers;
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

    /// <summary>
    /// Most characters of numbers', dates', booleans' and errors' values kept for one row while it is parsed: the row's
    /// text limit plus 64 for each of Excel's columns. Past it, a value is cut as it is parsed.
    /// </summary>
    public const long MaxRowValueCharacters = MaxRowCharacters + (MaxColumn * 64L);

    /// <summary>Most merged ranges kept per sheet; Excel files rarely hold more than a few thousand.</summary>
    public const int MaxMergedRanges = 100_000;

    /// <summary>
    /// Yields the rows holding at least one non-empty cell, each with the same cells list, overwritten for the next row
    /// (a caller that keeps a row copies its cells); collects merged ranges when <paramref name="merged"/> is given;
    /// counts cut cells in <paramref name="truncated"/> when given. Disposes <paramref name="reader"/>. With
    /// <paramref name="parseAhead"/>, the XML is parsed on a thread of its own while the caller's thread types the cells
    /// (and does whatever it does with the rows): <paramref name="merged"/> is then filled on that thread, and complete
    /// once the enumeration ended.
    /// </summary>
    public IEnumerable<RawRow> ReadRows(XmlReader reader, List<CellRange>? merged, TruncatedCells? truncated, CancellationToken cancellationToken, bool parseAhead = false)
    {
        var parsed = Parse(reader, merged, cancellationToken);
        return TypeRows(parseAhead ? ReadAheadItems.Of(parsed, static batch => batch.Weight) : parsed, truncated);
    }

    /// <summary>
    /// Starts parsing a sheet on a thread of its own now, before the shared strings its cells name are read (they are
    /// needed only to type them): the caller reads them meanwhile, then takes the rows with
    /// <see cref="ReadRows(ParsedAhead, TruncatedCells?)"/>. <paramref name="merged"/> is filled on that thread, and
    /// complete once the rows were taken. Disposing the result, rows taken or not, stops the thread and waits for it.
    /// </summary>
    public static ParsedAhead ParseAhead(XmlReader reader, List<CellRange>? merged, CancellationToken cancellationToken) =>
        new(ReadAheadItems.Start(Parse(reader, merged, cancellationToken), static batch => batch.Weight));

    /// <summary>The rows of a sheet <see cref="ParseAhead"/> started, typed on the caller's thread, in one cells list as above; taken once.</summary>
    public IEnumerable<RawRow> ReadRows(ParsedAhead parsed, TruncatedCells? truncated) => TypeRows(parsed.Batches, truncated);

    /// <summary>A sheet being parsed on a thread of its own.</summary>
    internal sealed class ParsedAhead(ReadAheadItems<ParsedRows> batches) : IDisposable
    {
        internal ReadAheadItems<ParsedRows> Batches { get; } = batches;

        public void Dispose() => Batches.Dispose();
    }

    private IEnumerable<RawRow> TypeRows(IEnumerable<ParsedRows> parsed, TruncatedCells? truncated)
    {
        var scratch = new char[CellValue.MaxDerivedTextLength];
        var strings = sharedStrings.Scan();
        var cells = new List<RawCell>();
        // Numbers and dates of the row whose text (at most CellValue.MaxDerivedTextLength characters) is not rendered
        // yet: only a row whose text nears MaxRowCharacters needs their exact length.
        var unmeasured = new List<CellValue>();
        foreach (var batch in parsed)
        {
            var first = 0;
            foreach (var (number, end) in batch.Rows)
            {
                cells.Clear();
                unmeasured.Clear();
                long rowCharacters = 0;
                for (var i = first; i < end; i++)
                {
                    var (cell, cut) = Type(batch.Cells[i], batch.Chars, strings);
                    if (cell.Value.Kind == CellKind.Text
                        && rowCharacters + (unmeasured.Count * (long)CellValue.MaxDerivedTextLength) + cell.Value.Text.Length > MaxRowCharacters)
                    {
                        foreach (var value in unmeasured)
                        {
                            rowCharacters += value.GetText(scratch).Length;
                        }
                        unmeasured.Clear();
                    }
                    if (cell.Value.Kind == CellKind.Text && rowCharacters + cell.Value.Text.Length > MaxRowCharacters)
                    {
                        // A cut shared string is no longer the table's string: the cell keeps its own text.
                        var room = (int)Math.Max(0, MaxRowCharacters - rowCharacters);
                        cell = cell with { Value = room == 0 ? CellValue.Empty : cell.Value with { Text = cell.Value.Text[..room] }, SharedString = -1 };
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
                }
                first = end;
                if (cells.Count > 0)
                {
                    if (!InColumnOrder(cells))
                    {
                        cells.Sort((a, b) => a.Column.CompareTo(b.Column));
                    }
                    // The list itself: the row is spilled or projected before the next is typed, so a million rows
                    // do not leave a million arrays for the collector.
                    yield return new RawRow(number, cells);
                }
            }
            batch.Return();
        }
    }

    /// <summary>
    /// The sheet's rows as the XML gives them, in batches: each cell's position, type, style and texts, not yet typed.
    /// Cancellation is checked once per row.
    /// </summary>
    private static IEnumerable<ParsedRows> Parse(XmlReader reader, List<CellRange>? merged, CancellationToken cancellationToken)
    {
        using var _ = reader;
        var text = new BoundedXmlText();
        var buffers = new CellBuffers(reader.NameTable);
        var batch = new ParsedRows();
        long rowNumber = 0;
        var inRow = false;
        var column = 0;
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
                        column = 0;
                        inRow = !reader.IsEmptyElement;
                        batch.StartRow();
                        break;
                    case "c" when inRow:
                        ParseCell(reader, ref column, text, buffers, batch);
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
                    cancellationToken.ThrowIfCancellationRequested();
                    if (batch.EndRow(rowNumber))
                    {
                        yield return batch;
                        batch = new ParsedRows();
                    }
                }
                else if (reader.LocalName == "sheetData" && merged is null)
                {
                    break; // merged ranges and the rest of the sheet only matter to the first pass
                }
            }
        }
        if (batch.Rows.Count > 0)
        {
            yield return batch;
        }
        else
        {
            batch.Return();
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

    /// <summary>
    /// The longest cell reference, type or style index kept (a reference is at most 10 characters, XFD1048576; a type 9,
    /// inlineStr; a style index 10 digits); a longer value names nothing and is told by reading one character more.
    /// </summary>
    private const int MaxAttributeChars = 16;

    /// <summary>
    /// Reads the value of the attribute the reader is on into <paramref name="buffer"/> (of <see cref="MaxAttributeChars"/>
    /// + 1) without making a string of it; returns its length, or more than <see cref="MaxAttributeChars"/> when longer.
    /// </summary>
    private static int ReadAttribute(XmlReader reader, char[] buffer)
    {
        if (!reader.CanReadValueChunk)
        {
            var value = reader.Value;
            value.AsSpan(0, Math.Min(value.Length, buffer.Length)).CopyTo(buffer);
            return Math.Min(value.Length, buffer.Length);
        }
        var length = 0;
        int read;
        while (length < buffer.Length && (read = reader.ReadValueChunk(buffer, length, buffer.Length - length)) > 0)
        {
            length += read;
        }
        return length;
    }

    private sealed class CellBuffers(XmlNameTable names)
    {
        // A cell's attribute names as the reader's name table holds them, so its attributes are told apart by reference.
        public readonly string Reference = names.Add("r");
        public readonly string Type = names.Add("t");
        public readonly string Style = names.Add("s");

        public readonly char[] ReferenceChars = new char[MaxAttributeChars + 1];
        public readonly char[] TypeChars = new char[MaxAttributeChars + 1];
        public readonly char[] StyleChars = new char[MaxAttributeChars + 1];

        public readonly StringBuilder Value = new();
        public readonly StringBuilder Formula = new();
        public readonly StringBuilder Inline = new();
    }


    internal enum CellType
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

    private static void ParseCell(XmlReader reader, ref int column, BoundedXmlText text, CellBuffers buffers, ParsedRows batch)
    {
        // One walk over the attributes instead of three lookups by name (each hashes the name): this runs for every cell.
        // Their values are read into buffers, not strings: three strings per cell were most of what a sheet allocated.
        int reference = -1, typeName = -1, style = -1;
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
                    reference = reference < 0 ? ReadAttribute(reader, buffers.ReferenceChars) : reference;
                }
                else if (ReferenceEquals(name, buffers.Type))
                {
                    typeName = typeName < 0 ? ReadAttribute(reader, buffers.TypeChars) : typeName;
                }
                else if (ReferenceEquals(name, buffers.Style))
                {
                    style = style < 0 ? ReadAttribute(reader, buffers.StyleChars) : style;
                }
            }
            while (reader.MoveToNextAttribute());
            reader.MoveToElement();
        }
        // A cell without a reference sits right after the previous one. A reference past XFD (or one that does not
        // parse, or longer than any cell's) names no cell Excel has: the cell is placed past the grid, where it is left out.
        column = reference < 0
            ? Math.Min(column, MaxColumn) + 1
            : reference <= MaxAttributeChars && CellRange.TryParseCell(buffers.ReferenceChars.AsSpan(0, reference), out var c, out _) && c is > 0 and <= MaxColumn
                ? c
                : MaxColumn + 1;
        var styleIndex = style is >= 0 and <= MaxAttributeChars
            && int.TryParse(buffers.StyleChars.AsSpan(0, style), NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : 0;
        var type = typeName < 0 ? CellType.Number : typeName <= MaxAttributeChars ? TypeOf(buffers.TypeChars.AsSpan(0, typeName)) : CellType.Other;

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
        batch.AddCell(column, type, styleIndex, hasValue ? buffers.Value : null, hasFormula ? buffers.Formula : null, hasInline ? buffers.Inline : null, truncated);
    }

    /// <summary>Types a parsed cell the way Excel shows it; true with it when its text was cut.</summary>
    private (RawCell Cell, bool Truncated) Type(in ParsedCell parsed, char[] chars, SharedStringScan strings)
    {
        var truncated = parsed.Truncated;
        var (cellValue, shared) = Convert(parsed.Type, chars, parsed.Value, parsed.Inline, parsed.Formula.Text(chars), parsed.Style, strings, ref truncated);
        return (new RawCell(parsed.Column, cellValue, styles.IsBold(parsed.Style), shared), truncated);
    }

    private (Documents.CellValue Value, int SharedString) Convert(CellType type, char[] chars, Slice value, Slice inline, string? formula, int styleIndex, SharedStringScan strings, ref bool truncated)
    {
        switch (type)
        {
            case CellType.Shared:
                if (value.Exists && int.TryParse(value.Span(chars), NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < sharedStrings.Count)
                {
                    truncated |= sharedStrings.IsTruncated(index);
                    return (Documents.CellValue.FromText(strings[index]) with { Formula = formula }, index);
                }
                return (Documents.CellValue.Empty with { Formula = formula }, -1);
            case CellType.InlineString:
                return (Documents.CellValue.FromText(inline.Text(chars) ?? value.Text(chars)) with { Formula = formula }, -1);
            case CellType.FormulaString:
                return (Documents.CellValue.FromText(value.Text(chars)) with { Formula = formula }, -1);
            case CellType.Boolean:
                return (value.Length <= 0
                    ? Documents.CellValue.Empty with { Formula = formula }
                    : Documents.CellValue.FromBoolean(value.Span(chars) is "1" or "true", formula), -1);
            case CellType.Error:
                return (value.Length <= 0 ? Documents.CellValue.Empty with { Formula = formula } : Documents.CellValue.FromError(value.Text(chars)!, formula), -1);
            case CellType.Date:
                var dateText = value.Text(chars);
                return (DateTime.TryParse(dateText, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var iso)
                    ? Documents.CellValue.FromDateTime(iso, formula)
                    : Documents.CellValue.FromText(dateText) with { Formula = formula }, -1);
            default:
                if (value.Length <= 0)
                {
                    return (Documents.CellValue.Empty with { Formula = formula }, -1);
                }
                if (!double.TryParse(value.Span(chars), NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                {
                    return (Documents.CellValue.FromText(value.Text(chars)) with { Formula = formula }, -1);
                }
                return (styles.IsDate(styleIndex) && OaDates.TryConvert(number, out var date)
                    ? Documents.CellValue.FromDateTime(date, formula)
                    : Documents.CellValue.FromNumber(number, formula), -1);
        }
    }

    /// <summary>Where a text of a parsed cell lies in its batch's characters; a negative length for none.</summary>
    internal readonly record struct Slice(int Start, int Length)
    {
        public static readonly Slice None = new(0, -1);

        public bool Exists => Length >= 0;

        public ReadOnlySpan<char> Span(char[] chars) => chars.AsSpan(Start, Math.Max(0, Length));

        public string? Text(char[] chars) => Length < 0 ? null : Length == 0 ? string.Empty : new string(chars, Start, Length);
    }

    /// <summary>A cell as the XML gives it, before it is typed.</summary>
    internal readonly record struct ParsedCell(int Column, CellType Type, int Style, Slice Value, Slice Formula, Slice Inline, bool Truncated);

    /// <summary>
    /// A batch of parsed rows: their cells in one array and their texts in one character array, both from the shared
    /// pools and given back once the rows are typed. A batch ends after the row that reaches one of its limits, so a
    /// row is never split; a single large row grows the arrays it needs.
    /// </summary>
    internal sealed class ParsedRows
    {
        private const int RowLimit = 256;
        private const int CellLimit = 2048;
        private const int CharLimit = 16 * 1024;

        private int _cellCount;
        private int _charCount;
        private int _rowCells;
        private int _rowChars;
        private long _rowTexts;
        private long _rowValues;
        private long _rowFormulas;

        /// <summary>Each row's number and the end of its cells in <see cref="Cells"/> (the start is the previous row's end).</summary>
        public List<(long Number, int End)> Rows { get; } = new(RowLimit);

        public ParsedCell[] Cells { get; private set; } = ArrayPool<ParsedCell>.Shared.Rent(CellLimit);

        public char[] Chars { get; private set; } = ArrayPool<char>.Shared.Rent(CharLimit);

        /// <summary>About the bytes the batch holds.</summary>
        public long Weight => (Cells.Length * 40L) + (Chars.Length * 2L);

        /// <summary>Starts a row: the cells of a row that began and never ended are dropped, as a new row element replaces it.</summary>
        public void StartRow()
        {
            _cellCount = _rowCells;
            _charCount = _rowChars;
            _rowTexts = 0;
            _rowValues = 0;
            _rowFormulas = 0;
        }

        public void AddCell(int column, CellType type, int style, StringBuilder? value, StringBuilder? formula, StringBuilder? inline, bool truncated)
        {
            if (_cellCount == Cells.Length)
            {
                Cells = Grow(Cells, _cellCount, _cellCount + 1);
            }
            Slice valueSlice, inlineSlice;
            if (type is CellType.InlineString or CellType.FormulaString)
            {
                // Always a text cell: once the row's texts reach MaxRowCharacters, typing empties it and counts it cut,
                // so its text is not kept while the row is parsed (a row of 16,384 such cells would hold 1 GB).
                if (_rowTexts >= MaxRowCharacters && (value?.Length > 0 || inline?.Length > 0))
                {
                    (valueSlice, inlineSlice, truncated) = (Empty(value), Empty(inline), true);
                }
                else
                {
                    (valueSlice, inlineSlice) = (Put(value, ref truncated), Put(inline, ref truncated));
                    _rowTexts += Math.Max(0, valueSlice.Length) + Math.Max(0, inlineSlice.Length);
                }
            }
            else
            {
                // Numbers, dates, booleans, errors: a row keeps at most MaxRowValueCharacters of their texts.
                (valueSlice, inlineSlice) = (Put(value, ref truncated, MaxRowValueCharacters - _rowValues), Put(inline, ref truncated, MaxRowValueCharacters - _rowValues));
                _rowValues += Math.Max(0, valueSlice.Length) + Math.Max(0, inlineSlice.Length);
            }
            // Formulas: at most MaxRowCharacters of them per row, the rest cut as they are parsed.
            var formulaSlice = Put(formula, ref truncated, MaxRowCharacters - _rowFormulas);
            _rowFormulas += Math.Max(0, formulaSlice.Length);
            Cells[_cellCount++] = new ParsedCell(column, type, style, valueSlice, formulaSlice, inlineSlice, truncated);
        }

        /// <summary>Ends the row; true when the batch is full.</summary>
        public bool EndRow(long number)
        {
            if (_cellCount > _rowCells)
            {
                Rows.Add((number, _cellCount));
            }
            _rowCells = _cellCount;
            _rowChars = _charCount;
            _rowTexts = 0;
            _rowValues = 0;
            _rowFormulas = 0;
            return Rows.Count >= RowLimit || _cellCount >= CellLimit || _charCount >= CharLimit;
        }

        /// <summary>Gives the arrays back to their pools; the batch is not used after it.</summary>
        public void Return()
        {
            ArrayPool<ParsedCell>.Shared.Return(Cells);
            ArrayPool<char>.Shared.Return(Chars);
            Cells = [];
            Chars = [];
        }

        /// <summary>Stores at most <paramref name="room"/> characters of <paramref name="text"/>; sets <paramref name="cut"/> when it kept fewer.</summary>
        private Slice Put(StringBuilder? text, ref bool cut, long room = long.MaxValue)
        {
            if (text is null)
            {
                return Slice.None;
            }
            var length = (int)Math.Clamp(room, 0, text.Length);
            cut |= length < text.Length;
            if (Chars.Length - _charCount < length)
            {
                Chars = Grow(Chars, _charCount, _charCount + length);
            }
            text.CopyTo(0, Chars.AsSpan(_charCount), length);
            var slice = new Slice(_charCount, length);
            _charCount += length;
            return slice;
        }

        private static Slice Empty(StringBuilder? text) => text is null ? Slice.None : new Slice(0, 0);

        private static T[] Grow<T>(T[] array, int used, int needed)
        {
            var grown = ArrayPool<T>.Shared.Rent(Math.Max(needed, array.Length * 2));
            array.AsSpan(0, used).CopyTo(grown);
            ArrayPool<T>.Shared.Return(array);
            return grown;
        }
    }
}
