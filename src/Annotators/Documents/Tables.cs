using System.Globalization;
using System.Text;

namespace Annotate.Annotators.Documents;

/// <summary>The type of a cell's value.</summary>
public enum CellKind
{
    /// <summary>No value.</summary>
    Empty,
    /// <summary>Text.</summary>
    Text,
    /// <summary>A number.</summary>
    Number,
    /// <summary>A date or date-time.</summary>
    DateTime,
    /// <summary>A boolean.</summary>
    Boolean,
    /// <summary>A spreadsheet error such as <c>#DIV/0!</c>.</summary>
    Error,
}

/// <summary>
/// A typed cell value; formulas are represented by their cached value, with the formula kept beside it. The text of a
/// number or date is rendered when it is first asked for, not when the cell is read: a million-row sheet's numbers are
/// mostly summed, compared and written back as numbers, and <see cref="GetText"/> renders into a caller's buffer
/// without a string.
/// </summary>
public readonly record struct CellValue
{
    /// <summary>Characters <see cref="GetText"/> needs at most to render a number, date or boolean (32).</summary>
    public const int MaxDerivedTextLength = 32;

    private readonly string? _text;

    // Held compactly (40 bytes instead of 64 as nullable properties): a scan copies every cell of a million-row table
    // several times, so each byte counts. Display and formula are rare and share one reference.
    private readonly Extras? _extras;
    private readonly double _number;
    private readonly DateTime _date;
    private readonly byte _kind;
    private readonly Has _has;

    [Flags]
    private enum Has : byte
    {
        None = 0,
        Number = 1,
        Date = 2,
        Boolean = 4,
        True = 8,
    }

    private sealed record Extras(string? Display, string? Formula);

    /// <summary>Type of the value.</summary>
    public CellKind Kind
    {
        get => (CellKind)_kind;
        init => _kind = (byte)value;
    }

    /// <summary>
    /// The value as text: the raw text for text cells, an invariant rendering for the others (numbers round-trip,
    /// dates <c>yyyy-MM-dd</c> or <c>yyyy-MM-ddTHH:mm:ss</c>, booleans <c>TRUE</c>/<c>FALSE</c>). A number's or date's
    /// text is rendered on each read when none was given; use <see cref="GetText"/> in loops over many cells.
    /// </summary>
    public string Text
    {
        get => _text ?? DerivedText();
        init => _text = value;
    }

    /// <summary>The number, for <see cref="CellKind.Number"/>.</summary>
    public double? Number
    {
        get => (_has & Has.Number) != 0 ? _number : null;
        init
        {
            _number = value.GetValueOrDefault();
            _has = value.HasValue ? _has | Has.Number : _has & ~Has.Number;
        }
    }

    /// <summary>The date, for <see cref="CellKind.DateTime"/>.</summary>
    public DateTime? DateTime
    {
        get => (_has & Has.Date) != 0 ? _date : null;
        init
        {
            _date = value.GetValueOrDefault();
            _has = value.HasValue ? _has | Has.Date : _has & ~Has.Date;
        }
    }

    /// <summary>The boolean, for <see cref="CellKind.Boolean"/>.</summary>
    public bool? Boolean
    {
        get => (_has & Has.Boolean) != 0 ? (_has & Has.True) != 0 : null;
        init => _has = (_has & ~(Has.Boolean | Has.True)) | (value is { } b ? Has.Boolean | (b ? Has.True : Has.None) : Has.None);
    }

    /// <summary>The value as written in a text source (e.g. <c>12.50</c> or <c>1.234,56</c>) when it differs from <see cref="Text"/>; shown in rewritten content.</summary>
    public string? Display
    {
        get => _extras?.Display;
        init => _extras = value is null && _extras?.Formula is null ? null : new Extras(value, _extras?.Formula);
    }

    /// <summary>The formula (without '='), when the cell holds one.</summary>
    public string? Formula
    {
        get => _extras?.Formula;
        init => _extras = value is null && _extras?.Display is null ? null : new Extras(_extras?.Display, value);
    }

    /// <summary>True when the cell holds nothing (or only white space).</summary>
    public bool IsEmpty => Kind == CellKind.Empty || (_text is null ? !HasValueToRender : string.IsNullOrWhiteSpace(_text));

    /// <summary>True when <see cref="Text"/> was given rather than rendered from the value (the row spill stores only given texts).</summary>
    internal bool HasGivenText => _text is not null;

    /// <summary>An empty cell.</summary>
    public static CellValue Empty => new() { Kind = CellKind.Empty, Text = string.Empty };

    /// <summary>A text cell.</summary>
    public static CellValue FromText(string? text) =>
        string.IsNullOrEmpty(text) ? Empty : new() { Kind = CellKind.Text, Text = text };

    /// <summary>A number cell; its text is rendered when asked for.</summary>
    public static CellValue FromNumber(double number, string? formula = null) =>
        new() { Kind = CellKind.Number, Number = number, Formula = formula };

    /// <summary>A date cell; dates without a time of day render as <c>yyyy-MM-dd</c>, when asked for.</summary>
    public static CellValue FromDateTime(DateTime value, string? formula = null) =>
        new() { Kind = CellKind.DateTime, DateTime = value, Formula = formula };

    /// <summary>A boolean cell.</summary>
    public static CellValue FromBoolean(bool value, string? formula = null) =>
        new() { Kind = CellKind.Boolean, Boolean = value, Text = value ? "TRUE" : "FALSE", Formula = formula };

    /// <summary>An error cell.</summary>
    public static CellValue FromError(string error, string? formula = null) =>
        new() { Kind = CellKind.Error, Text = error, Formula = formula };

    /// <summary>
    /// The value's text, as <see cref="Text"/> gives it, without a string when it is rendered: a given text is returned
    /// as it is, a number, date or boolean is rendered into <paramref name="buffer"/> (at least
    /// <see cref="MaxDerivedTextLength"/> characters).
    /// </summary>
    public ReadOnlySpan<char> GetText(Span<char> buffer)
    {
        if (_text is not null)
        {
            return _text;
        }
        return buffer[..Render(buffer)];
    }

    /// <summary>
    /// The length of a rendered value's text when it follows from the value without rendering it (booleans, dates,
    /// whole numbers under 10^15, whose rendering is their digits, numbers of up to eight decimals between 10^-4 and
    /// 10^15); -1 for a given text and for other numbers. A million-row scan that only counts characters renders each
    /// number otherwise.
    /// </summary>
    internal int KnownRenderedLength()
    {
        if (_text is not null)
        {
            return -1;
        }
        switch (Kind)
        {
            case CellKind.Boolean when Boolean is { } boolean:
                return boolean ? 4 : 5;
            case CellKind.DateTime when DateTime is { } date:
                // yyyy-MM-dd or yyyy-MM-ddTHH:mm:ss; a DateTime's year has four digits.
                return date.TimeOfDay == TimeSpan.Zero ? 10 : 19;
            case CellKind.Number when Number is { } number && IsWholeUnder1e15(number):
                var magnitude = (ulong)Math.Abs((long)number);
                // "-0" for negative zero, as the round-trip format writes it.
                return CountDigits(magnitude) + (double.IsNegative(number) ? 1 : 0);
            case CellKind.Number when Number is { } number:
                return DecimalLength(number);
            default:
                return -1;
        }
    }

    /// <summary>Powers of ten a double holds exactly, for <see cref="DecimalLength"/>.</summary>
    private static readonly double[] PowersOfTen = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8];

    /// <summary>
    /// The length of the round-trip format's text for a number with a fraction of at most eight decimals (amounts,
    /// rates, measurements): the fewest decimals <c>k</c> for which <c>m / 10^k</c>, <c>m</c> the number times
    /// <c>10^k</c> rounded, is the number again. Both <c>m</c> and <c>10^k</c> are exact doubles, so their quotient is
    /// the double nearest the decimal <c>m × 10^-k</c>, which is what reading that decimal gives: the shortest text that
    /// reads back as the number is that decimal, and the round-trip format writes the shortest, in fixed notation from
    /// 10^-4 up to 10^15 (0.00001 is "1E-05"). −1 for other numbers (more decimals, outside that range, not finite).
    /// </summary>
    private static int DecimalLength(double number)
    {
        var magnitude = Math.Abs(number);
        if (!(magnitude >= 1e-4 && magnitude < 1e15))
        {
            return -1;
        }
        for (var k = 1; k < PowersOfTen.Length; k++)
        {
            var scaled = Math.Round(magnitude * PowersOfTen[k]);
            if (scaled >= 9_007_199_254_740_992.0)
            {
                // Past 2^53 a double no longer holds every whole number.
                return -1;
            }
            if (scaled / PowersOfTen[k] == magnitude)
            {
                var digits = (ulong)scaled;
                // The whole part's digits (a "0" when there are none), the point, k decimals, and a sign.
                var whole = digits / (ulong)PowersOfTen[k];
                return (whole == 0 ? 1 : CountDigits(whole)) + 1 + k + (number < 0 ? 1 : 0);
            }
        }
        return -1;
    }

    /// <summary>A whole number the round-trip format writes as its digits (from 10^15 on it writes an exponent).</summary>
    private static bool IsWholeUnder1e15(double number) => Math.Abs(number) < 1e15 && number == Math.Floor(number);

    private static int CountDigits(ulong value)
    {
        var digits = 1;
        while (value >= 10)
        {
            value /= 10;
            digits++;
        }
        return digits;
    }

    /// <inheritdoc />
    public bool Equals(CellValue other) =>
        Kind == other.Kind && Number.Equals(other.Number) && DateTime.Equals(other.DateTime) && Boolean.Equals(other.Boolean)
        && string.Equals(Display, other.Display, StringComparison.Ordinal) && string.Equals(Formula, other.Formula, StringComparison.Ordinal)
        && (ReferenceEquals(_text, other._text) || string.Equals(Text, other.Text, StringComparison.Ordinal));

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Kind, Number, DateTime, Boolean, Text, Display, Formula);

    /// <inheritdoc />
    public override string ToString() => Text ?? string.Empty;

    private string DerivedText()
    {
        if (Kind == CellKind.Boolean && Boolean is { } boolean)
        {
            return boolean ? "TRUE" : "FALSE";
        }
        Span<char> buffer = stackalloc char[MaxDerivedTextLength];
        var length = Render(buffer);
        return length == 0 ? string.Empty : new string(buffer[..length]);
    }

    /// <summary>True when <see cref="Render"/> writes something: a number, date or boolean's rendering is never empty.</summary>
    private bool HasValueToRender => Kind switch
    {
        CellKind.Number => Number.HasValue,
        CellKind.DateTime => DateTime.HasValue,
        CellKind.Boolean => Boolean.HasValue,
        _ => false,
    };

    /// <summary>Renders a number, date or boolean the way the eager factories did; nothing for other kinds.</summary>
    private int Render(Span<char> buffer)
    {
        int written;
        switch (Kind)
        {
            // Whole numbers (ids, counts, amounts in cents) are written as integers, which is what the round-trip
            // format writes for them below 10^15, at a fraction of the cost; negative zero keeps its "-0".
            case CellKind.Number when Number is { } number && IsWholeUnder1e15(number) && !(number == 0 && double.IsNegative(number)):
                return ((long)number).TryFormat(buffer, out written, default, CultureInfo.InvariantCulture) ? written : 0;
            case CellKind.Number when Number is { } number:
                return number.TryFormat(buffer, out written, "R", CultureInfo.InvariantCulture) ? written : 0;
            // The sortable format ("s", yyyy-MM-ddTHH:mm:ss) has a fast path custom formats lack; a date without a time
            // of day is its first ten characters.
            case CellKind.DateTime when DateTime is { } date:
                return date.TryFormat(buffer, out written, "s", CultureInfo.InvariantCulture) ? (date.TimeOfDay == TimeSpan.Zero ? 10 : written) : 0;
            case CellKind.Boolean when Boolean is { } boolean:
                (boolean ? "TRUE" : "FALSE").CopyTo(buffer);
                return boolean ? 4 : 5;
            default:
                return 0;
        }
    }
}

/// <summary>One data row of a table, with its 1-based row number in the source (sheet row or CSV line record).</summary>
public sealed record TableRow(long Number, IReadOnlyList<CellValue> Cells);

/// <summary>
/// The rows of a table. Small tables hold them in memory; large spreadsheet tables stream them from the
/// source each time they are enumerated, so a million-row sheet is never held whole.
/// </summary>
public interface ITableRows : IEnumerable<TableRow>
{
    /// <summary>Number of data rows, when known without enumerating.</summary>
    long? Count { get; }

    /// <summary>
    /// Every row, for a caller that is done with a row before it asks for the next (a scan that counts, profiles or
    /// writes): a streamed table may hand out the same <see cref="TableRow.Cells"/> list for each row, overwritten, so a
    /// scan of a million rows does not leave a million arrays for the collector. A row kept past the next one must have
    /// its cells copied.
    /// </summary>
    IEnumerable<TableRow> Scan() => this;
}

/// <summary>Rows held in memory.</summary>
public sealed class InMemoryRows(IReadOnlyList<TableRow> rows) : ITableRows
{
    /// <inheritdoc />
    public long? Count => rows.Count;

    /// <inheritdoc />
    public IEnumerator<TableRow> GetEnumerator() => rows.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>
/// Rows produced afresh by a factory on each enumeration (streamed from the source file), with the first rows kept in
/// memory (<see cref="Head"/>) so previews and samples do not read the source again.
/// </summary>
/// <param name="open">Streams every row from the source.</param>
/// <param name="count">Number of rows, when known.</param>
/// <param name="head">The first rows, as the reader kept them (at most <c>Annotate:Readers:StreamedSampleRows</c>).</param>
/// <param name="scan">Streams every row reusing one cells list (<see cref="ITableRows.Scan"/>); <paramref name="open"/> when null.</param>
public sealed class StreamedRows(Func<IEnumerable<TableRow>> open, long? count, IReadOnlyList<TableRow>? head = null,
    Func<IEnumerable<TableRow>>? scan = null) : ITableRows
{
    /// <inheritdoc />
    public long? Count => count;

    /// <summary>The first rows of the table, held in memory; empty when the reader kept none.</summary>
    public IReadOnlyList<TableRow> Head { get; } = head ?? [];

    /// <summary>True when <see cref="Head"/> holds every row of the table.</summary>
    public bool HeadIsWhole => count is { } n && n <= Head.Count;

    /// <summary>The first <paramref name="rows"/> rows: from memory when the head has them, else from the source.</summary>
    public IEnumerable<TableRow> Preview(int rows) => Head.Count >= rows || HeadIsWhole ? Head.Take(rows) : this.Take(rows);

    /// <inheritdoc />
    public IEnumerator<TableRow> GetEnumerator() => (HeadIsWhole ? Head : open()).GetEnumerator();

    /// <inheritdoc />
    public IEnumerable<TableRow> Scan() => HeadIsWhole ? Head : (scan ?? open)();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>A table: a sheet region, an Excel table, a CSV file, or a table in a PDF or DOCX.</summary>
public sealed record TableBlock : Block
{
    /// <summary>The most rows rendered into <see cref="Text"/>.</summary>
    public const int TextRowLimit = 200;

    /// <inheritdoc />
    public override BlockKind Kind => BlockKind.Table;

    /// <summary>Name of the table: the Excel table name, or the sheet name for a plain sheet region.</summary>
    public string? Name { get; init; }

    /// <summary>Column names: the header row's text when <see cref="HasHeaderRow"/>, else <c>Column1</c>, <c>Column2</c>….</summary>
    public required IReadOnlyList<string> Columns { get; init; }

    /// <summary>True when the first row of the region was detected as a header row.</summary>
    public bool HasHeaderRow { get; init; }

    /// <summary>The data rows (without the header row).</summary>
    public required ITableRows Rows { get; init; }

    /// <summary>1-based column of the table's first column in the sheet (1 for CSV and documents).</summary>
    public int FirstColumn { get; init; } = 1;

    /// <summary>1-based sheet row of the header row (or of the first data row when there is no header).</summary>
    public long FirstRow { get; init; } = 1;

    /// <summary>Merged ranges inside the table, A1-style.</summary>
    public IReadOnlyList<string> MergedRanges { get; init; } = [];

    /// <summary>A1-style reference of a cell of this table, by 0-based column index and row number.</summary>
    public string CellReference(int columnIndex, long rowNumber) => CellReferences.Reference(FirstColumn + columnIndex, rowNumber);

    /// <inheritdoc />
    public override string Text
    {
        get
        {
            var text = new StringBuilder();
            text.AppendJoin('\t', Columns).Append('\n');
            foreach (var row in Rows is StreamedRows streamed ? streamed.Preview(TextRowLimit) : Rows.Take(TextRowLimit))
            {
                text.AppendJoin('\t', row.Cells.Select(c => c.Text)).Append('\n');
            }
            return text.ToString();
        }
    }
}

/// <summary>A1-style cell reference helpers.</summary>
public static class CellReferences
{
    /// <summary>Column letters of a 1-based column number: 1 → A, 27 → AA.</summary>
    public static string ColumnName(int column)
    {
        Span<char> buffer = stackalloc char[8];
        return new string(Letters(column, buffer));
    }

    /// <summary>
    /// The A1-style reference of a 1-based column and row (<c>H2</c>), made as one string: a finding in each of a
    /// hundred thousand rows names its cell.
    /// </summary>
    public static string Reference(int column, long row)
    {
        // The letters end where the digits start.
        Span<char> buffer = stackalloc char[8 + 20];
        var letters = Letters(column, buffer[..8]).Length;
        row.TryFormat(buffer[8..], out var digits, default, CultureInfo.InvariantCulture);
        return new string(buffer.Slice(8 - letters, letters + digits));
    }

    /// <summary>The letters of a 1-based column, at the end of <paramref name="buffer"/> (8 characters).</summary>
    private static ReadOnlySpan<char> Letters(int column, Span<char> buffer)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(column, 1);
        var position = buffer.Length;
        while (column > 0)
        {
            var remainder = (column - 1) % 26;
            buffer[--position] = (char)('A' + remainder);
            column = (column - 1) / 26;
        }
        return buffer[position..];
    }

    /// <summary>1-based column number of column letters: A → 1, AA → 27.</summary>
    public static int ColumnNumber(ReadOnlySpan<char> letters)
    {
        var column = 0;
        foreach (var c in letters)
        {
            if (!char.IsAsciiLetter(c))
            {
                break;
            }
            column = (column * 26) + (char.ToUpperInvariant(c) - 'A' + 1);
        }
        return column;
    }
}
