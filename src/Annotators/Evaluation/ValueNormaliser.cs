using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Annotate.Annotators.Evaluation;

/// <summary>
/// Brings a structured value to one form for comparison: numbers in any common notation (<c>1,234.50</c>,
/// <c>1.234,50</c>, <c>1 234,50</c>, <c>1'234.50</c>) to an invariant decimal, amounts to a number and a currency code,
/// dates in common formats (English, German and French month names) to <c>yyyy-MM-dd</c>, and names to lower case
/// without diacritics, punctuation or repeated white space.
/// </summary>
public static partial class ValueNormaliser
{
    // Longest value normalised; a longer one is compared exactly only (a reference or output cannot make this slow).
    private const int MaxLength = 1000;

    private static readonly CultureInfo[] DateCultures =
        [CultureInfo.InvariantCulture, CultureInfo.GetCultureInfo("en-GB"), CultureInfo.GetCultureInfo("de-DE"), CultureInfo.GetCultureInfo("fr-FR")];

    private static readonly string[] DayFirstFormats =
    [
        "yyyy-MM-dd", "yyyy-M-d", "yyyy/MM/dd", "yyyy.MM.dd", "yyyyMMdd",
        "d.M.yyyy", "d.M.yy", "d/M/yyyy", "d/M/yy", "d-M-yyyy",
        "d MMMM yyyy", "d. MMMM yyyy", "d MMM yyyy", "d MMM. yyyy", "d. MMM yyyy", "dd-MMM-yyyy",
        "MMMM d, yyyy", "MMMM d yyyy", "MMM d, yyyy", "MMM. d, yyyy", "dddd, d MMMM yyyy", "dddd, MMMM d, yyyy", "dddd d MMMM yyyy",
    ];

    private static readonly Dictionary<string, string> CurrencySymbols = new(StringComparer.Ordinal)
    {
        ["€"] = "EUR", ["$"] = "USD", ["US$"] = "USD", ["£"] = "GBP", ["¥"] = "JPY", ["₹"] = "INR", ["Fr."] = "CHF", ["SFr."] = "CHF", ["zł"] = "PLN", ["kr"] = "SEK",
    };

    /// <summary>The kind <paramref name="value"/> reads as when a reference names none: date, amount, number or name.</summary>
    public static FieldKind Infer(string value)
    {
        if (Date(value) is not null)
        {
            return FieldKind.Date;
        }
        if (Amount(value) is { Currency: not null })
        {
            return FieldKind.Amount;
        }
        return Number(value) is not null ? FieldKind.Number : FieldKind.Name;
    }

    /// <summary>The normalised form of <paramref name="value"/> as <paramref name="kind"/>, or null when it does not read as one.</summary>
    public static string? Normalise(string value, FieldKind kind) => kind switch
    {
        FieldKind.Number => Number(value)?.ToString(CultureInfo.InvariantCulture),
        FieldKind.Amount => Amount(value) is { } amount ? $"{amount.Value.ToString(CultureInfo.InvariantCulture)}{(amount.Currency is null ? "" : " " + amount.Currency)}" : null,
        FieldKind.Date => Date(value),
        FieldKind.Name or FieldKind.Auto => Name(value),
        _ => null,
    };

    /// <summary>
    /// True when the two values are the same once normalised as <paramref name="kind"/>. Amounts match when their numbers
    /// are equal and, when both state a currency, the currencies are too.
    /// </summary>
    public static bool Matches(string expected, string produced, FieldKind kind)
    {
        if (kind == FieldKind.Amount)
        {
            return Amount(expected) is { } a && Amount(produced) is { } b && a.Value == b.Value
                && (a.Currency is null || b.Currency is null || a.Currency == b.Currency);
        }
        return Normalise(expected, kind) is { } left && Normalise(produced, kind) is { } right && left == right;
    }

    /// <summary>A number in any common notation; null when <paramref name="text"/> is not one number.</summary>
    public static decimal? Number(string text)
    {
        if (text.Length is 0 or > MaxLength)
        {
            return null;
        }
        var s = text.Trim();
        var negative = false;
        if (s.StartsWith('(') && s.EndsWith(')'))
        {
            negative = true;
            s = s[1..^1].Trim();
        }
        if (s.StartsWith('-') || s.StartsWith('−'))
        {
            negative = !negative;
            s = s[1..].TrimStart();
        }
        else if (s.StartsWith('+'))
        {
            s = s[1..].TrimStart();
        }
        else if (s.EndsWith('-'))
        {
            negative = !negative;
            s = s[..^1].TrimEnd();
        }
        // Group separators that are never decimal points: spaces of every width and the apostrophe (Swiss).
        var digits = new StringBuilder(s.Length);
        foreach (var c in s)
        {
            if (c is ' ' or '\u00A0' or '\u202F' or '\u2009' or '\'' or '’')
            {
                continue;
            }
            if (!char.IsAsciiDigit(c) && c is not '.' and not ',')
            {
                return null;
            }
            digits.Append(c);
        }
        var n = digits.ToString();
        if (n.Length == 0 || !char.IsAsciiDigit(n[^1]))
        {
            return null;
        }
        var lastDot = n.LastIndexOf('.');
        var lastComma = n.LastIndexOf(',');
        char? decimalPoint = null;
        if (lastDot >= 0 && lastComma >= 0)
        {
            decimalPoint = lastDot > lastComma ? '.' : ',';
        }
        else if (lastDot >= 0 || lastComma >= 0)
        {
            var separator = lastDot >= 0 ? '.' : ',';
            var index = Math.Max(lastDot, lastComma);
            // One separator before exactly three digits groups thousands (1,234 and 1.234), unless the whole part is 0.
            var groups = n.Count(c => c == separator) > 1 || (n.Length - index - 1 == 3 && index > 0 && n[..index] != "0");
            decimalPoint = groups ? null : separator;
        }
        var point = decimalPoint is { } p ? n.LastIndexOf(p) : -1;
        var whole = point >= 0 ? n[..point] : n;
        var fraction = point >= 0 ? n[(point + 1)..] : "";
        if (!fraction.All(char.IsAsciiDigit) || !IsGrouped(whole))
        {
            return null;
        }
        var canonical = (whole.Length == 0 ? "0" : whole.Replace(".", "", StringComparison.Ordinal).Replace(",", "", StringComparison.Ordinal))
            + (fraction.Length > 0 ? "." + fraction : "");
        if (!decimal.TryParse(canonical, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            return null;
        }
        // 1190.50 and 1190.5 are the same number: compared, and shown, without trailing zeros.
        value = Trimmed(value);
        return negative ? -value : value;
    }

    // Digits, or groups of digits of which every one after the first has exactly three (1,234,567 or 1.234.567).
    private static bool IsGrouped(string whole)
    {
        var groups = whole.Split('.', ',');
        if (groups.Length == 1)
        {
            return whole.All(char.IsAsciiDigit);
        }
        return groups[0].Length is >= 1 and <= 3 && groups.All(g => g.All(char.IsAsciiDigit)) && groups.Skip(1).All(g => g.Length == 3)
            // One kind of separator for the groups.
            && !(whole.Contains('.', StringComparison.Ordinal) && whole.Contains(',', StringComparison.Ordinal));
    }

    private static decimal Trimmed(decimal value) =>
        decimal.Parse(value.ToString("G29", CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary>An amount: a number with an optional currency (symbol or ISO code) before or after it.</summary>
    public static (decimal Value, string? Currency)? Amount(string text)
    {
        if (text.Length is 0 or > MaxLength)
        {
            return null;
        }
        var s = text.Trim();
        string? currency = null;
        var code = CurrencyCode().Match(s);
        if (code.Success)
        {
            currency = code.Value.ToUpperInvariant();
            s = s.Remove(code.Index, code.Length);
        }
        else
        {
            foreach (var (symbol, iso) in CurrencySymbols.OrderByDescending(c => c.Key.Length))
            {
                var at = s.IndexOf(symbol, StringComparison.Ordinal);
                if (at >= 0)
                {
                    currency = iso;
                    s = s.Remove(at, symbol.Length);
                    break;
                }
            }
        }
        return Number(s.Trim()) is { } value ? (value, currency) : null;
    }

    /// <summary>A date in a common format as <c>yyyy-MM-dd</c> (<c>03/04/2024</c> day first, unless the second part is over 12).</summary>
    public static string? Date(string text)
    {
        if (text.Length is < 6 or > 60)
        {
            return null;
        }
        var s = Spaces().Replace(text.Trim(), " ");
        // ISO date-times keep their date.
        if (IsoDateTime().Match(s) is { Success: true } iso)
        {
            s = iso.Groups[1].Value;
        }
        foreach (var culture in DateCultures)
        {
            if (DateTime.TryParseExact(s, DayFirstFormats, culture, DateTimeStyles.AllowWhiteSpaces, out var date))
            {
                return date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            }
        }
        // 04/30/2024: month first when the day cannot be first.
        if (DateTime.TryParseExact(s, ["M/d/yyyy", "M/d/yy", "M-d-yyyy"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var monthFirst))
        {
            return monthFirst.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        }
        return null;
    }

    /// <summary>A name compared without case, diacritics, punctuation or repeated white space (<c>Müller  GmbH.</c> → <c>muller gmbh</c>).</summary>
    public static string Name(string text)
    {
        var s = text.Length > MaxLength ? text[..MaxLength] : text;
        var decomposed = s.Replace("ß", "ss", StringComparison.Ordinal).Normalize(NormalizationForm.FormD);
        var result = new StringBuilder(decomposed.Length);
        var space = false;
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
            {
                continue;
            }
            if (char.IsLetterOrDigit(c) || c == '&')
            {
                if (space && result.Length > 0)
                {
                    result.Append(' ');
                }
                space = false;
                result.Append(char.ToLowerInvariant(c));
            }
            else
            {
                space = true;
            }
        }
        return result.ToString().Normalize(NormalizationForm.FormC);
    }

    [GeneratedRegex(@"(?<![A-Za-z])(EUR|USD|GBP|CHF|JPY|CNY|INR|SEK|NOK|DKK|PLN|CZK|HUF|CAD|AUD|NZD|ZAR|BRL|MXN|RUB|TRY|SGD|HKD)(?![A-Za-z])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex CurrencyCode();

    [GeneratedRegex(@"^(\d{4}-\d{2}-\d{2})[T ]\d{2}:\d{2}")]
    private static partial Regex IsoDateTime();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
