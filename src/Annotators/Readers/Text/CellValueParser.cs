using System.Globalization;
using System.Text.RegularExpressions;
using Annotate.Annotators.Documents;

namespace Annotate.Annotators.Readers.Text;

/// <summary>
/// Types the text of a table cell from a text source (CSV, Markdown or DOCX table): numbers, dates, booleans,
/// otherwise text. Values that would lose information as numbers (leading zeros, long digit runs) stay text.
/// </summary>
internal static partial class CellValueParser
{
    /// <summary>Dates the formats read whichever way round the source writes them.</summary>
    internal static readonly string[] IsoDateFormats =
    [
        "yyyy-MM-dd", "yyyy-MM-ddTHH:mm", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm:ss.FFFFFFF",
        "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss.FFFFFFF", "yyyy/MM/dd",
        "dd.MM.yyyy", "d.M.yyyy", "dd.MM.yyyy HH:mm", "dd.MM.yyyy HH:mm:ss", "d.M.yyyy HH:mm",
    ];

    /// <summary>Dates read day first (a source that writes decimal commas), else after <see cref="MonthFirstFormats"/>.</summary>
    internal static readonly string[] DayFirstFormats = ["dd/MM/yyyy", "d/M/yyyy", "dd/MM/yyyy HH:mm", "dd/MM/yyyy HH:mm:ss", "d-MMM-yyyy", "d MMM yyyy"];

    /// <summary>Dates read month first, unless the source writes decimal commas.</summary>
    internal static readonly string[] MonthFirstFormats = ["MM/dd/yyyy", "M/d/yyyy", "MM/dd/yyyy HH:mm", "MM/dd/yyyy HH:mm:ss", "MMM d, yyyy", "MMMM d, yyyy"];

    /// <summary>Types <paramref name="raw"/>.</summary>
    /// <param name="raw">The cell's text.</param>
    /// <param name="decimalComma">
    /// True for sources that write <c>1.234,56</c> (semicolon-separated exports of European locales); such
    /// sources also write dates day first.
    /// </param>
    public static CellValue Parse(string? raw, bool decimalComma = false)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return CellValue.Empty;
        }
        var text = raw.Trim();
        if (text.Equals("true", StringComparison.OrdinalIgnoreCase))
        {
            return CellValue.FromBoolean(true);
        }
        if (text.Equals("false", StringComparison.OrdinalIgnoreCase))
        {
            return CellValue.FromBoolean(false);
        }
        if (TryNumber(text, decimalComma, out var number))
        {
            return WithDisplay(CellValue.FromNumber(number), text);
        }
        if (TryDate(text, decimalComma, out var date))
        {
            return WithDisplay(CellValue.FromDateTime(date), text);
        }
        return CellValue.FromText(raw);
    }

    private static CellValue WithDisplay(CellValue value, string text) =>
        value.Text == text ? value : value with { Display = text };

    private static bool TryNumber(string text, bool decimalComma, out double number)
    {
        number = 0;
        var digits = text.Count(char.IsAsciiDigit);
        if (digits == 0 || digits > 15)
        {
            // More than 15 significant digits (card numbers, long ids) would be rounded by a double.
            return false;
        }
        var unsigned = text.TrimStart('+', '-');
        if (unsigned.Length > 1 && unsigned[0] == '0' && char.IsAsciiDigit(unsigned[1]))
        {
            return false; // "00123" is an identifier (postcode, article number), not 123
        }
        if (decimalComma && text.Contains(',') && DecimalCommaNumber().IsMatch(text))
        {
            var normalised = text.Replace(".", string.Empty).Replace(',', '.');
            return double.TryParse(normalised, NumberStyles.Float, CultureInfo.InvariantCulture, out number);
        }
        if (InvariantNumber().IsMatch(text))
        {
            return double.TryParse(text.Replace(",", string.Empty), NumberStyles.Float, CultureInfo.InvariantCulture, out number);
        }
        return false;
    }

    private static bool TryDate(string text, bool dayFirst, out DateTime date)
    {
        if (text.Length is < 6 or > 32 || !CouldBeDate(text))
        {
            date = default;
            return false;
        }
        const DateTimeStyles styles = DateTimeStyles.AllowWhiteSpaces;
        var culture = CultureInfo.InvariantCulture;
        if (DateTime.TryParseExact(text, IsoDateFormats, culture, styles, out date))
        {
            return true;
        }
        // Slash dates are ambiguous; a day above 12 settles it, otherwise the source's convention decides.
        var (first, second) = dayFirst ? (DayFirstFormats, MonthFirstFormats) : (MonthFirstFormats, DayFirstFormats);
        return DateTime.TryParseExact(text, first, culture, styles, out date)
            || DateTime.TryParseExact(text, second, culture, styles, out date);
    }

    /// <summary>
    /// False for a text no date format here can read: every one holds a four-digit year (the parser reads exactly four
    /// digits for <c>yyyy</c>) and nothing but ASCII digits and letters (month names, the <c>T</c> of an ISO time), white
    /// space and <c>- / . : ,</c>, and starts with a digit or a month name. Names, e-mail addresses and codes fail here
    /// before the formats are tried one by one, which was nearly all of the time a long CSV took to read.
    /// </summary>
    internal static bool CouldBeDate(string text)
    {
        if (text.Length == 0 || !char.IsAsciiDigit(text[0]) && !(text.Length >= 3 && char.IsAsciiLetter(text[0]) && char.IsAsciiLetter(text[1]) && char.IsAsciiLetter(text[2])))
        {
            return false;
        }
        var digits = 0;
        var year = false;
        foreach (var c in text)
        {
            if (char.IsAsciiDigit(c))
            {
                year |= ++digits == 4;
                continue;
            }
            digits = 0;
            if (!char.IsAsciiLetter(c) && !char.IsWhiteSpace(c) && c is not ('-' or '/' or '.' or ':' or ','))
            {
                return false;
            }
        }
        return year;
    }

    [GeneratedRegex(@"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][+-]?\d+)?$")]
    private static partial Regex InvariantNumber();

    [GeneratedRegex(@"^[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+),\d+$")]
    private static partial Regex DecimalCommaNumber();
}
