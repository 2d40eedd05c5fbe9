using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using PhoneNumbers;

namespace Annotate.Annotators.Builtin;

/// <summary>
/// Finds e-mail addresses, URLs, phone numbers, dates, money amounts, percentages, IBANs and VAT ids in text with
/// source-generated regular expressions, validates them (checksums, calendar, phone metadata) and normalises them.
/// Thread-safe; build once and share.
/// </summary>
public sealed partial class EntityRecognizer
{
    private const string PhoneSeparators = " \u00A0.-/()";
    private static readonly System.Buffers.SearchValues<char> PhoneSeparatorValues = System.Buffers.SearchValues.Create(PhoneSeparators);
    private static readonly System.Buffers.SearchValues<char> PhoneGroupBreaks = System.Buffers.SearchValues.Create(" \u00A0.-/");
    // The signs of the money patterns, "$" of US$, C$, A$ and R$ among them, and the "ł" of zł.
    private static readonly System.Buffers.SearchValues<char> DateSeparators = System.Buffers.SearchValues.Create("./-");
    /// <summary>The country codes <see cref="VatPattern"/> matches (case-sensitive, as it is).</summary>
    private static readonly System.Buffers.SearchValues<string> VatCountries = System.Buffers.SearchValues.Create(["DE", "NL", "BE", "IT", "FR", "ES", "GB"], StringComparison.Ordinal);
    private static readonly System.Buffers.SearchValues<char> CurrencySigns = System.Buffers.SearchValues.Create("€$£¥₹₽₩₺ł");

    private static readonly Dictionary<string, string> CurrencySymbols = new(StringComparer.Ordinal)
    {
        ["€"] = "EUR", ["$"] = "USD", ["US$"] = "USD", ["C$"] = "CAD", ["A$"] = "AUD", ["R$"] = "BRL", ["£"] = "GBP",
        ["¥"] = "JPY", ["₹"] = "INR", ["₽"] = "RUB", ["₩"] = "KRW", ["₺"] = "TRY", ["zł"] = "PLN",
    };

    private readonly PhoneNumberUtil _phones = PhoneNumberUtil.GetInstance();
    private readonly string? _region;
    private readonly bool _dayFirst;

    /// <summary>Creates the recognizer.</summary>
    public EntityRecognizer(IOptions<PatternOptions> options)
    {
        var value = options.Value;
        _region = string.IsNullOrWhiteSpace(value.DefaultRegion) ? null : value.DefaultRegion.Trim().ToUpperInvariant();
        _dayFirst = value.DayFirst;
    }

    /// <summary>All entities in <paramref name="text"/>, without overlaps, in order of position.</summary>
    public IReadOnlyList<EntityMatch> Find(string text)
    {
        if (string.IsNullOrEmpty(text) || !MayHoldEntity(text))
        {
            return [];
        }
        var candidates = new List<(EntityMatch Match, int Priority)>();
        AddEmails(text, candidates);
        AddUrls(text, candidates);
        AddIbans(text, candidates);
        AddVatIds(text, candidates);
        AddDates(text, candidates);
        AddMoney(text, candidates);
        AddPercentages(text, candidates);
        if (candidates.Count == 0 && !ContainsDigit(text))
        {
            return [];
        }

        // The longest match wins an overlap (a URL holding an e-mail, a date next to an amount); phone numbers are
        // the most prone to false positives, so they only fill gaps the precise types left. The lists are made only
        // for what is found: most texts with a digit (codes, notes) hold nothing.
        candidates.Sort((a, b) => b.Match.Length != a.Match.Length ? b.Match.Length.CompareTo(a.Match.Length) : a.Priority.CompareTo(b.Priority));
        List<EntityMatch>? accepted = null;
        foreach (var (match, _) in candidates)
        {
            if (!Overlaps(accepted, match))
            {
                (accepted ??= []).Add(match);
            }
        }
        // The phone numbers follow the others in the same list.
        var phones = candidates.Count;
        AddPhones(text, candidates);
        for (var i = phones; i < candidates.Count; i++)
        {
            var match = candidates[i].Match;
            if (!Overlaps(accepted, match))
            {
                (accepted ??= []).Add(match);
            }
        }
        if (accepted is null)
        {
            return [];
        }
        accepted.Sort((a, b) => a.Index.CompareTo(b.Index));
        return accepted;
    }

    /// <summary>True when the text holds an e-mail address.</summary>
    public bool ContainsEmail(string text) => text.Contains('@', StringComparison.Ordinal) && EmailPattern().IsMatch(text);

    /// <summary>True when the text holds a valid phone number (international, or national with the default region).</summary>
    public bool ContainsPhone(string text)
    {
        // Every phone number accepted has at least MinPhoneDigits digits, all within the text: a column of notes or
        // codes with fewer is not run through the patterns, cell after cell.
        if (CountDigits(text) < MinPhoneDigits)
        {
            return false;
        }
        var phones = new List<(EntityMatch, int)>();
        AddPhones(text, phones);
        return phones.Count > 0;
    }

    /// <summary>True when the text holds an IBAN with a valid checksum.</summary>
    public bool ContainsIban(string text)
    {
        if (!MayHoldIban(text))
        {
            return false;
        }
        var ibans = new List<(EntityMatch, int)>();
        AddIbans(text, ibans);
        return ibans.Count > 0;
    }

    private static bool MayHoldEntity(string text) =>
        ContainsDigit(text) || text.Contains('@', StringComparison.Ordinal)
        || text.Contains("http", StringComparison.OrdinalIgnoreCase) || text.Contains("www.", StringComparison.OrdinalIgnoreCase);

    private static bool ContainsDigit(string text) => text.AsSpan().IndexOfAnyInRange('0', '9') >= 0;

    private static bool Overlaps(List<EntityMatch>? accepted, EntityMatch match)
    {
        if (accepted is null)
        {
            return false;
        }
        foreach (var other in accepted)
        {
            if (match.Index < other.End && other.Index < match.End)
            {
                return true;
            }
        }
        return false;
    }

    private static void AddEmails(string text, List<(EntityMatch, int)> found)
    {
        if (!text.Contains('@', StringComparison.Ordinal))
        {
            return;
        }
        for (var m = EmailPattern().Match(text); m.Success; m = m.NextMatch())
        {
            var at = m.Value.LastIndexOf('@');
            var value = m.Value[..(at + 1)] + m.Value[(at + 1)..].ToLowerInvariant();
            found.Add((new EntityMatch(EntityTypes.Email, m.Index, m.Length, m.Value, value), 0));
        }
    }

    private static void AddUrls(string text, List<(EntityMatch, int)> found)
    {
        // The pattern starts at "http://", "https://" or "www." (any case): a text with neither is not searched.
        if (!text.Contains("://", StringComparison.Ordinal) && !text.Contains("www.", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }
        for (var m = UrlPattern().Match(text); m.Success; m = m.NextMatch())
        {
            var url = TrimUrl(m.Value);
            var absolute = url.StartsWith("www.", StringComparison.OrdinalIgnoreCase) ? "http://" + url : url;
            if (!Uri.TryCreate(absolute, UriKind.Absolute, out var uri) || !uri.Host.Contains('.', StringComparison.Ordinal))
            {
                continue;
            }
            found.Add((new EntityMatch(EntityTypes.Url, m.Index, url.Length, url, uri.AbsoluteUri), 1));
        }
    }

    private static string TrimUrl(string url)
    {
        // Sentence punctuation after a URL is not part of it; a closing bracket is, when the URL opened one.
        var end = url.Length;
        while (end > 0)
        {
            var c = url[end - 1];
            if (".,;:!?'\"".Contains(c, StringComparison.Ordinal))
            {
                end--;
            }
            else if ((c == ')' && url.AsSpan(0, end).Count('(') < url.AsSpan(0, end).Count(')'))
                || (c == ']' && url.AsSpan(0, end).Count('[') < url.AsSpan(0, end).Count(']')))
            {
                end--;
            }
            else
            {
                break;
            }
        }
        return url[..end];
    }

    /// <summary>
    /// An IBAN has at least 15 characters and starts with two letters and two digits: text without that shape (most
    /// cells of a sheet) is not run through the pattern.
    /// </summary>
    private static bool MayHoldIban(ReadOnlySpan<char> text)
    {
        if (text.Length < 15)
        {
            return false;
        }
        // The pattern's \d is any decimal digit, as char.IsDigit.
        for (var i = 2; i + 1 < text.Length; i++)
        {
            if (char.IsDigit(text[i]) && char.IsDigit(text[i + 1]) && char.IsAsciiLetter(text[i - 2]) && char.IsAsciiLetter(text[i - 1]))
            {
                return true;
            }
        }
        return false;
    }

    private static void AddIbans(string text, List<(EntityMatch, int)> found)
    {
        if (!MayHoldIban(text))
        {
            return;
        }
        for (var m = IbanPattern().Match(text); m.Success; m = m.NextMatch())
        {
            var country = m.Value[..2].ToUpperInvariant();
            var length = Checksums.IbanLength(country);
            if (length == 0)
            {
                continue;
            }
            // The pattern may run on into following words; take exactly the country's length of characters.
            var compact = new StringBuilder(length);
            var end = 0;
            for (; end < m.Value.Length && compact.Length < length; end++)
            {
                if (m.Value[end] != ' ')
                {
                    compact.Append(char.ToUpperInvariant(m.Value[end]));
                }
            }
            if (compact.Length != length || (end < m.Value.Length && m.Value[end] != ' '))
            {
                continue;
            }
            var iban = compact.ToString();
            if (Checksums.IsValidIban(iban))
            {
                found.Add((new EntityMatch(EntityTypes.Iban, m.Index, end, m.Value[..end], iban), 2));
            }
        }
    }

    private static void AddVatIds(string text, List<(EntityMatch, int)> found)
    {
        // Every id starts with the upper-case code of its country: a text with none is not searched.
        if (!text.AsSpan().ContainsAny(VatCountries))
        {
            return;
        }
        for (var m = VatPattern().Match(text); m.Success; m = m.NextMatch())
        {
            var country = m.Groups["cc"].Value;
            var number = m.Groups["n"].Value.Replace(" ", "", StringComparison.Ordinal).Replace(".", "", StringComparison.Ordinal);
            if (country == "BE" && number.Length == 9)
            {
                // Belgian numbers issued before 2005 have nine digits; the leading zero is implied.
                number = "0" + number;
            }
            if (Checksums.IsValidVatId(country, number))
            {
                found.Add((new EntityMatch(EntityTypes.VatId, m.Index, m.Length, m.Value, country + number), 3));
            }
        }
    }

    private void AddDates(string text, List<(EntityMatch, int)> found)
    {
        // Each pattern runs only on text with what it cannot match without: a dash, a date separator, a month's name.
        if (text.Contains('-', StringComparison.Ordinal))
        {
            for (var m = IsoDatePattern().Match(text); m.Success; m = m.NextMatch())
            {
                AddDate(found, m, Int(m.Groups[1]), Int(m.Groups[2]), Int(m.Groups[3]));
            }
        }
        if (text.AsSpan().IndexOfAny(DateSeparators) >= 0)
        {
            for (var m = NumericDatePattern().Match(text); m.Success; m = m.NextMatch())
            {
                var first = Int(m.Groups[1]);
                var second = Int(m.Groups[3]);
                var year = Int(m.Groups[4]);
                // A dotted date is always day first; slashes and dashes are read day first unless only the other
                // order is a possible date, or the configuration says month first.
                var dayFirst = m.Groups[2].Value == "." || first > 12 || (second <= 12 && _dayFirst);
                AddDate(found, m, year, dayFirst ? second : first, dayFirst ? first : second);
            }
        }
        if (!MonthNames.AnyIn(text))
        {
            return;
        }
        for (var m = DayMonthNamePattern().Match(text); m.Success; m = m.NextMatch())
        {
            AddDate(found, m, Year(m.Groups["y"]), MonthNames.Lookup(m.Groups["m"].Value), Int(m.Groups["d"]));
        }
        for (var m = MonthNameDayPattern().Match(text); m.Success; m = m.NextMatch())
        {
            AddDate(found, m, Int(m.Groups["y"]), MonthNames.Lookup(m.Groups["m"].Value), Int(m.Groups["d"]));
        }
    }

    private static int Year(Group group)
    {
        var year = Int(group);
        // 15-Mar-24 is how spreadsheets abbreviate; two-digit years are read as this century.
        return group.Length == 2 ? 2000 + year : year;
    }

    private static void AddDate(List<(EntityMatch, int)> found, Match m, int year, int month, int day)
    {
        if (year is < 1000 or > 9999 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return;
        }
        var value = new DateOnly(year, month, day).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        found.Add((new EntityMatch(EntityTypes.Date, m.Index, m.Length, m.Value, value), 4));
    }

    private static int Int(Group group) =>
        int.TryParse(group.ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : -1;

    private static void AddMoney(string text, List<(EntityMatch, int)> found)
    {
        // Both patterns need a currency sign or an upper-case ISO code: text with neither (most cells of a sheet) is
        // not run through them.
        if (text.AsSpan().IndexOfAny(CurrencySigns) < 0 && !HasUpperCaseRun(text, 3))
        {
            return;
        }
        for (var m = MoneyPrefixPattern().Match(text); m.Success; m = m.NextMatch())
        {
            AddAmount(found, m);
        }
        for (var m = MoneySuffixPattern().Match(text); m.Success; m = m.NextMatch())
        {
            AddAmount(found, m);
        }
    }

    private static void AddAmount(List<(EntityMatch, int)> found, Match m)
    {
        var symbol = m.Groups["cur"].Value;
        var currency = CurrencySymbols.GetValueOrDefault(symbol) ?? symbol.ToUpperInvariant();
        if (ParseAmount(m.Groups["amt"].Value) is { } amount)
        {
            found.Add((new EntityMatch(EntityTypes.Money, m.Index, m.Length, m.Value,
                amount.ToString(CultureInfo.InvariantCulture), currency), 5));
        }
    }

    /// <summary>
    /// Reads an amount whichever convention wrote it: with both '.' and ',' the later one is the decimal separator;
    /// a separator that occurs more than once, or once before exactly three digits, groups thousands; apostrophes
    /// and spaces always group.
    /// </summary>
    internal static decimal? ParseAmount(string amount)
    {
        var compact = new StringBuilder(amount.Length);
        foreach (var c in amount)
        {
            if (char.IsAsciiDigit(c) || c is '.' or ',')
            {
                compact.Append(c);
            }
        }
        var s = compact.ToString();
        var lastDot = s.LastIndexOf('.');
        var lastComma = s.LastIndexOf(',');
        char? decimalSeparator = null;
        if (lastDot >= 0 && lastComma >= 0)
        {
            decimalSeparator = lastDot > lastComma ? '.' : ',';
        }
        else if (lastDot >= 0 || lastComma >= 0)
        {
            var separator = lastDot >= 0 ? '.' : ',';
            var position = Math.Max(lastDot, lastComma);
            var groupsThousands = s.Count(c => c == separator) > 1 || (s.Length - position - 1 == 3 && s[..position] != "0");
            decimalSeparator = groupsThousands ? null : separator;
        }
        var invariant = new StringBuilder(s.Length);
        foreach (var c in s)
        {
            if (char.IsAsciiDigit(c))
            {
                invariant.Append(c);
            }
            else if (c == decimalSeparator)
            {
                invariant.Append('.');
            }
        }
        return decimal.TryParse(invariant.ToString(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) ? value : null;
    }

    private static void AddPercentages(string text, List<(EntityMatch, int)> found)
    {
        if (!text.Contains('%', StringComparison.Ordinal))
        {
            return;
        }
        for (var m = PercentPattern().Match(text); m.Success; m = m.NextMatch())
        {
            var number = m.Groups[1].Value.Replace(',', '.');
            if (decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
            {
                found.Add((new EntityMatch(EntityTypes.Percentage, m.Index, m.Length, m.Value, value.ToString(CultureInfo.InvariantCulture)), 6));
            }
        }
    }

    private void AddPhones(string text, List<(EntityMatch, int)> found)
    {
        if (text.Contains('+', StringComparison.Ordinal))
        {
            for (var m = InternationalPhonePattern().Match(text); m.Success; m = m.NextMatch())
            {
                AddPhone(found, text, m.Index, m.Length, "ZZ");
            }
        }
        if (_region is null)
        {
            return;
        }
        for (var m = NationalPhonePattern().Match(text); m.Success; m = m.NextMatch())
        {
            // A bare run of digits is an account, order or invoice number far more often than a phone number.
            if (m.Value.AsSpan().IndexOfAny(PhoneSeparatorValues) < 0)
            {
                continue;
            }
            AddPhone(found, text, m.Index, m.Length, _region);
        }
    }

    private void AddPhone(List<(EntityMatch, int)> found, string text, int index, int length, string region)
    {
        // The pattern can run on into a following number ("+49 30 1234567 15"); drop trailing groups until the
        // rest is a valid number.
        while (length > 0)
        {
            var candidate = text.Substring(index, length);
            if (TryNormalisePhone(candidate, region) is { } e164)
            {
                found.Add((new EntityMatch(EntityTypes.Phone, index, length, candidate, e164), 7));
                return;
            }
            var cut = candidate.AsSpan().TrimEnd(PhoneSeparators).LastIndexOfAny(PhoneGroupBreaks);
            if (cut <= 0)
            {
                return;
            }
            length = candidate.AsSpan(0, cut).TrimEnd(PhoneSeparators).Length;
            if (CountDigits(text.AsSpan(index, length)) < MinPhoneDigits)
            {
                return;
            }
        }
    }

    private string? TryNormalisePhone(string candidate, string region)
    {
        if (CountDigits(candidate) is < MinPhoneDigits or > 17)
        {
            return null;
        }
        try
        {
            // "+49 (0)30 …": the bracketed trunk zero is dialled only nationally.
            var number = _phones.Parse(candidate.Replace("(0)", "", StringComparison.Ordinal), region);
            return _phones.IsValidNumber(number) ? _phones.Format(number, PhoneNumberFormat.E164) : null;
        }
        catch (NumberParseException)
        {
            return null;
        }
    }

    private const int MinPhoneDigits = 7;

    private static bool HasUpperCaseRun(ReadOnlySpan<char> text, int length)
    {
        var run = 0;
        foreach (var c in text)
        {
            run = char.IsAsciiLetterUpper(c) ? run + 1 : 0;
            if (run == length)
            {
                return true;
            }
        }
        return false;
    }

    private static int CountDigits(ReadOnlySpan<char> text)
    {
        var count = 0;
        foreach (var c in text)
        {
            if (char.IsAsciiDigit(c))
            {
                count++;
            }
        }
        return count;
    }

    [GeneratedRegex(@"(?<![\w.%+-])[A-Za-z0-9._%+-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![\w-])", RegexOptions.CultureInvariant)]
    private static partial Regex EmailPattern();

    [GeneratedRegex(@"\b(?:https?://|www\.)[^\s<>""]+", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex UrlPattern();

    [GeneratedRegex(@"(?<![\p{L}\d])[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]){11,30}", RegexOptions.CultureInvariant)]
    private static partial Regex IbanPattern();

    [GeneratedRegex(@"(?<![\p{L}\d])(?:(?<cc>DE) ?(?<n>\d{9})|(?<cc>NL) ?(?<n>\d{9}B\d{2})|(?<cc>BE) ?(?<n>[01]?\d{3}[ .]?\d{3}[ .]?\d{3})|(?<cc>IT) ?(?<n>\d{11})|(?<cc>FR) ?(?<n>[0-9A-HJ-NP-Z]{2} ?\d{3} ?\d{3} ?\d{3})|(?<cc>ES) ?(?<n>[0-9A-Z]\d{7}[0-9A-Z])|(?<cc>GB) ?(?<n>\d{3} ?\d{4} ?\d{2}(?: ?\d{3})?))(?![\p{L}\d])", RegexOptions.CultureInvariant)]
    private static partial Regex VatPattern();

    [GeneratedRegex(@"(?<![\d.,/-])(\d{4})-(\d{1,2})-(\d{1,2})(?![\d/]|[.,-]\d)", RegexOptions.CultureInvariant)]
    private static partial Regex IsoDatePattern();

    [GeneratedRegex(@"(?<![\d.,/-])(\d{1,2})([./-])(\d{1,2})\2(\d{4})(?![\d/]|[.,-]\d)", RegexOptions.CultureInvariant)]
    private static partial Regex NumericDatePattern();

    [GeneratedRegex(@"(?<![\p{L}\d])(?<d>\d{1,2})(?:(?:\.|er|st|nd|rd|th)?[ \u00A0]+(?:de[ \u00A0]+)?(?<m>\p{L}{3,10})\.?,?[ \u00A0]+(?:de[ \u00A0]+)?(?<y>\d{4})|-(?<m>\p{L}{3,9})-(?<y>\d{4}|\d{2}))(?!\d)", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex DayMonthNamePattern();

    [GeneratedRegex(@"(?<!\p{L})(?<m>\p{L}{3,10})\.?[ \u00A0]+(?<d>\d{1,2})(?:st|nd|rd|th)?,?[ \u00A0]+(?<y>\d{4})(?!\d)", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex MonthNameDayPattern();

    [GeneratedRegex(@"(?<cur>US\$|C\$|A\$|R\$|[€$£¥₹₽₩₺]|\b(?:EUR|USD|GBP|CHF|JPY|CNY|CAD|AUD|NZD|SEK|NOK|DKK|PLN|CZK|HUF|RON|BGN|INR|BRL|RUB|ZAR|MXN|TRY|KRW|SGD|HKD)\b)[ \u00A0]?(?<amt>\d{1,3}(?:[.,'’ \u00A0\u202F]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?)(?![\d%]|[.,]\d)", RegexOptions.CultureInvariant)]
    private static partial Regex MoneyPrefixPattern();

    [GeneratedRegex(@"(?<![\d.,'’])(?<amt>\d{1,3}(?:[.,'’ \u00A0\u202F]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?)[ \u00A0]?(?<cur>[€$£¥₹₽₩₺]|zł|(?:EUR|USD|GBP|CHF|JPY|CNY|CAD|AUD|NZD|SEK|NOK|DKK|PLN|CZK|HUF|RON|BGN|INR|BRL|RUB|ZAR|MXN|TRY|KRW|SGD|HKD)\b)", RegexOptions.CultureInvariant)]
    private static partial Regex MoneySuffixPattern();

    [GeneratedRegex(@"(?<![\d.,])(\d+(?:[.,]\d+)?)[ \u00A0]?%", RegexOptions.CultureInvariant)]
    private static partial Regex PercentPattern();

    [GeneratedRegex(@"(?<![\w+])\+[1-9](?:[ \u00A0.\-/]{0,2}(?:\(0\)[ \u00A0.\-/]?)?\(?\d\)?){6,16}(?!\d)", RegexOptions.CultureInvariant)]
    private static partial Regex InternationalPhonePattern();

    [GeneratedRegex(@"(?<![\w+.,/-])(?:\(\d{2,5}\)[ \u00A0.\-/]?\d|0\d|[2-9]\d{2}[ \u00A0.\-]\d{3}[ \u00A0.\-]\d)(?:[ \u00A0.\-/]?\d){3,13}(?!\d|[.,]\d)", RegexOptions.CultureInvariant)]
    private static partial Regex NationalPhonePattern();
}
