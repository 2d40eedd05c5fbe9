using System.Globalization;
using System.Text.RegularExpressions;
using Annotate.Annotators.Documents;

namespace Annotate.Annotators.Semantic.Columns;

/// <summary>
/// What the sampled values of a column look like: for each semantic type, 0–1, how well the values fit its shape (an
/// e-mail pattern, a date, a number with a currency, a name in capitals, a legal form, a short list repeated…).
/// </summary>
internal static partial class ColumnValues
{
    // Patterns read at most this much of a cell: a megabyte cell costs no more than a short one.
    private const int MaxValueCharacters = 200;

    [GeneratedRegex(@"^[^@\s]{1,64}@[^@\s]{1,120}\.[A-Za-z]{2,24}$", RegexOptions.CultureInvariant)]
    private static partial Regex Email();

    [GeneratedRegex(@"^(https?://|www\.)[^\s]{2,}$|^[a-z0-9-]{1,63}(\.[a-z0-9-]{1,63})*\.(com|org|net|de|fr|uk|eu|io|ch|at|info|biz)(/[^\s]*)?$",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex Url();

    [GeneratedRegex(@"^\+?[\d\s()./-]{7,24}$", RegexOptions.CultureInvariant)]
    private static partial Regex PhoneShape();

    [GeneratedRegex(@"^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex Uuid();

    [GeneratedRegex(@"^[-+]?\d{1,3}([.,\s]?\d{3})*([.,]\d+)?\s?%$|^%\s?[-+]?\d+([.,]\d+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex PercentText();

    [GeneratedRegex(@"^(?<pre>[€$£¥]|EUR|USD|GBP|CHF|JPY)?\s?(?<number>[-+]?\d[\d.,'\s]{0,20})\s?(?<post>[€$£¥]|EUR|USD|GBP|CHF|JPY)?$",
        RegexOptions.CultureInvariant)]
    private static partial Regex MoneyText();

    [GeneratedRegex(@"\b(GmbH|AG|KG|OHG|UG|mbH|e\.\s?K|Ltd|Limited|Inc|LLC|LLP|PLC|plc|Corp|Corporation|Co|SA|SAS|SARL|SE|S\.A|BV|B\.V|NV|N\.V|AB|Oy|SpA|S\.p\.A|Srl|S\.r\.l|Group|Gruppe|Holding|Partners)\b\.?",
        RegexOptions.CultureInvariant)]
    private static partial Regex LegalForm();

    [GeneratedRegex(@"\b(street|st|road|rd|avenue|ave|lane|ln|drive|dr|way|boulevard|blvd|place|square|stra(ss|ß)e|str|weg|allee|gasse|platz|ring|damm|ufer|rue|avenue|chemin|impasse|quai|cours)\b\.?|(stra(ss|ß)e|str\.|weg|allee|gasse|platz)\b",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex StreetWord();

    [GeneratedRegex(@"(^|[\s,])\d{4,5}\s+\p{Lu}|\b[A-Z]{1,2}\d{1,2}[A-Z]?\s?\d[A-Z]{2}\b|\b\d{5}(-\d{4})?$", RegexOptions.CultureInvariant)]
    private static partial Regex Postcode();

    [GeneratedRegex(@"^(?=[^\s]*\d)(?=[^\s]*[A-Za-z-])[A-Za-z0-9][A-Za-z0-9._/-]{1,29}$", RegexOptions.CultureInvariant)]
    private static partial Regex Code();

    [GeneratedRegex(@"^\p{Lu}[\p{L}\p{M}'’.-]*(\s\p{Lu}[\p{L}\p{M}'’.-]*){1,3}$|^\p{Lu}[\p{L}\p{M}'’-]+,\s\p{Lu}[\p{L}\p{M}'’.-]*(\s\p{Lu}[\p{L}\p{M}'’.-]*)?$",
        RegexOptions.CultureInvariant)]
    private static partial Regex NameShape();

    [GeneratedRegex(@"^\p{L}", RegexOptions.CultureInvariant)]
    private static partial Regex StartsWithLetter();

    private static readonly string[] DateFormats =
    [
        "yyyy-MM-dd", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-ddTHH:mm:ssK", "dd.MM.yyyy", "d.M.yyyy",
        "dd.MM.yy", "dd/MM/yyyy", "d/M/yyyy", "MM/dd/yyyy", "M/d/yyyy", "dd-MM-yyyy", "yyyy/MM/dd", "d MMMM yyyy", "d MMM yyyy",
        "MMMM d, yyyy", "MMM d, yyyy", "dd.MM.yyyy HH:mm", "yyyyMMdd",
    ];

    private static readonly CultureInfo[] DateCultures = [CultureInfo.InvariantCulture, CultureInfo.GetCultureInfo("de-DE"), CultureInfo.GetCultureInfo("fr-FR")];

    private static readonly HashSet<string> Countries = new(
    [
        "germany", "deutschland", "allemagne", "france", "frankreich", "austria", "osterreich", "autriche", "switzerland", "schweiz",
        "suisse", "italy", "italien", "italie", "spain", "spanien", "espagne", "portugal", "netherlands", "niederlande", "pays bas",
        "holland", "belgium", "belgien", "belgique", "luxembourg", "luxemburg", "denmark", "danemark", "sweden", "schweden", "suede",
        "norway", "norwegen", "norvege", "finland", "finnland", "finlande", "poland", "polen", "pologne", "czech republic", "czechia",
        "tschechien", "hungary", "ungarn", "hongrie", "greece", "griechenland", "grece", "ireland", "irland", "irlande",
        "united kingdom", "uk", "great britain", "england", "grossbritannien", "vereinigtes konigreich", "royaume uni",
        "united states", "usa", "us", "united states of america", "vereinigte staaten", "etats unis", "canada", "kanada", "mexico",
        "mexiko", "mexique", "brazil", "brasilien", "bresil", "argentina", "argentinien", "chile", "china", "chine", "japan",
        "japon", "india", "indien", "inde", "south korea", "korea", "sudkorea", "australia", "australien", "australie",
        "new zealand", "neuseeland", "turkey", "turkei", "turquie", "russia", "russland", "russie", "ukraine", "romania",
        "rumanien", "roumanie", "bulgaria", "bulgarien", "bulgarie", "croatia", "kroatien", "croatie", "slovenia", "slowenien",
        "slovakia", "slowakei", "estonia", "estland", "latvia", "lettland", "lithuania", "litauen", "iceland", "island",
        "south africa", "sudafrika", "egypt", "agypten", "israel", "united arab emirates", "singapore", "singapur", "morocco",
        "marokko", "maroc", "tunisia", "tunesien", "tunisie", "algeria", "algerien", "algerie", "nigeria", "kenya", "kenia",
        "de", "fr", "at", "ch", "it", "es", "nl", "be", "lu", "dk", "se", "no", "fi", "pl", "cz", "hu", "gr", "ie", "gb", "ca",
        "mx", "br", "cn", "jp", "in", "au", "nz", "tr", "ru", "ua", "deu", "fra", "aut", "che", "ita", "esp", "nld", "bel", "gbr",
    ], StringComparer.Ordinal);

    /// <summary>The fit of the values to each type (types without any fit are absent).</summary>
    public static Dictionary<string, double> Fit(IReadOnlyList<CellValue> values)
    {
        var fit = new Dictionary<string, double>(StringComparer.Ordinal);
        var n = values.Count;
        if (n == 0)
        {
            return fit;
        }
        int email = 0, url = 0, phone = 0, date = 0, percent = 0, number = 0, integer = 0, money = 0, currency = 0, year = 0,
            uuid = 0, code = 0, name = 0, legal = 0, capitalised = 0, address = 0, country = 0, text = 0, longNumber = 0, unit = 0;
        double words = 0;
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        var distinct = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var integers = new List<double>();
        foreach (var cell in values)
        {
            var raw = (cell.Display ?? cell.Text).Trim();
            var value = raw.Length > MaxValueCharacters ? raw[..MaxValueCharacters] : raw;
            distinct.Add(value);
            if (cell.Kind == CellKind.DateTime)
            {
                date++;
                continue;
            }
            if (cell.Kind == CellKind.Number && cell.Number is { } typed)
            {
                Count(typed, cell.Display is { } shown && HasCurrency(shown));
                continue;
            }
            if (cell.Kind == CellKind.Boolean)
            {
                continue;
            }
            if (PercentText().IsMatch(value))
            {
                percent++;
                continue;
            }
            if (IsDate(value))
            {
                date++;
                continue;
            }
            if (IsPhone(value))
            {
                phone++;
                continue;
            }
            if (TryMoney(value, out var parsed, out var hasCurrency))
            {
                Count(parsed, hasCurrency);
                continue;
            }
            text++;
            words += value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
            if (Email().IsMatch(value))
            {
                email++;
            }
            else if (Url().IsMatch(value))
            {
                url++;
            }
            else if (Uuid().IsMatch(value))
            {
                uuid++;
            }
            else if (Countries.Contains(ColumnTypeVocabulary.Normalise(value)))
            {
                country++;
            }
            else if (Code().IsMatch(value))
            {
                code++;
            }
            if (LegalForm().IsMatch(value))
            {
                legal++;
            }
            else if (NameShape().IsMatch(value))
            {
                name++;
            }
            if (StartsWithLetter().IsMatch(value) && char.IsUpper(value[0]) && !value.Any(char.IsDigit))
            {
                capitalised++;
            }
            if (value.Any(char.IsDigit) && value.Any(char.IsLetter) && (StreetWord().IsMatch(value) || Postcode().IsMatch(value)) && value.Contains(' ', StringComparison.Ordinal))
            {
                address++;
            }
        }

        double Share(int count) => (double)count / n;
        fit[ColumnTypeVocabulary.Email] = Share(email);
        fit[ColumnTypeVocabulary.Url] = Share(url);
        fit[ColumnTypeVocabulary.Phone] = Share(phone) + 0.5 * Share(longNumber);
        fit[ColumnTypeVocabulary.Date] = Share(date) + 0.5 * Share(year);
        fit[ColumnTypeVocabulary.Country] = Share(country);
        fit[ColumnTypeVocabulary.Address] = Share(address);
        fit[ColumnTypeVocabulary.Company] = Share(legal) + 0.5 * Share(Math.Max(0, capitalised - legal));
        fit[ColumnTypeVocabulary.PersonName] = 0.9 * Share(name);

        var numeric = number + money;
        var decimals = numeric - integer;
        // A number between 0 and 1, or 0 and 100 with fractions, may be a rate; only its header can tell.
        var rateLike = numeric > 0 && min >= 0 && (max <= 1 || max <= 100 && decimals > 0);
        fit[ColumnTypeVocabulary.Percentage] = Share(percent) + (rateLike ? 0.5 * Share(numeric) : 0);
        fit[ColumnTypeVocabulary.Amount] = Share(currency) + 0.8 * Share(money - currency + decimals - Math.Min(decimals, money - currency))
            + 0.5 * Share(integer - Math.Min(integer, money - currency));
        fit[ColumnTypeVocabulary.Amount] = Math.Min(1, fit[ColumnTypeVocabulary.Amount]);
        fit[ColumnTypeVocabulary.Quantity] = numeric == 0 || min < 0 ? 0 : 0.8 * Share(unit) + 0.4 * Share(numeric - unit);

        var unique = n >= 3 && distinct.Count >= 0.95 * n;
        var sequential = unique && integer == n && integers.Count == n && max - min + 1 <= n * 1.5;
        fit[ColumnTypeVocabulary.Identifier] = Share(uuid) + (sequential ? 0.9 : unique ? 0.7 * Share(integer + code) : 0.1 * Share(integer + code));
        fit[ColumnTypeVocabulary.ProductCode] = 0.9 * Share(code) + 0.3 * Share(integer);

        var averageWords = text == 0 ? 0 : words / text;
        var fewLabels = text > 0 && n >= 4 && distinct.Count <= Math.Max(2, 0.5 * n) && distinct.Count <= 30 && averageWords <= 4;
        fit[ColumnTypeVocabulary.Category] = fewLabels ? 0.8 * Share(text) : 0.1 * Share(text);
        fit[ColumnTypeVocabulary.FreeText] = (averageWords >= 6 ? 0.9 : averageWords >= 4 ? 0.5 : 0.2) * Share(text);
        fit[ColumnTypeVocabulary.Other] = 0.3;
        return fit;

        void Count(double value, bool withCurrency)
        {
            number++;
            if (withCurrency)
            {
                money++;
                currency++;
                number--;
            }
            min = Math.Min(min, value);
            max = Math.Max(max, value);
            if (value == Math.Floor(value) && Math.Abs(value) < 1e15)
            {
                integer++;
                integers.Add(value);
                if (value is >= 1900 and <= 2100)
                {
                    year++;
                }
                if (Math.Abs(value) >= 1e6 && Math.Abs(value) < 1e15)
                {
                    longNumber++;
                }
                if (value is >= 0 and < 100_000)
                {
                    unit++;
                }
            }
        }
    }

    private static bool HasCurrency(string text) =>
        text.AsSpan().IndexOfAny("€$£¥") >= 0 || text.Contains("EUR", StringComparison.Ordinal) || text.Contains("USD", StringComparison.Ordinal)
        || text.Contains("GBP", StringComparison.Ordinal) || text.Contains("CHF", StringComparison.Ordinal);

    private static bool TryMoney(string value, out double number, out bool hasCurrency)
    {
        number = 0;
        hasCurrency = false;
        if (value.StartsWith('+') || value.Length > 40)
        {
            return false;
        }
        var match = MoneyText().Match(value);
        if (!match.Success)
        {
            return false;
        }
        hasCurrency = match.Groups["pre"].Success || match.Groups["post"].Success;
        var digits = match.Groups["number"].Value.Trim();
        return TryNumber(digits, out number);
    }

    /// <summary>A number written the English (1,234.56) or the German and French way (1.234,56; 1 234,56).</summary>
    private static bool TryNumber(string digits, out double number)
    {
        var compact = digits.Replace(" ", "", StringComparison.Ordinal).Replace("'", "", StringComparison.Ordinal);
        var lastComma = compact.LastIndexOf(',');
        var lastDot = compact.LastIndexOf('.');
        string invariant;
        if (lastComma > lastDot)
        {
            // 1.234,56 and 12,5 have a decimal comma; 1,234 (three digits after the only comma) groups thousands.
            invariant = compact.Length - lastComma - 1 == 3 && lastDot < 0
                ? compact.Replace(",", "", StringComparison.Ordinal)
                : compact.Replace(".", "", StringComparison.Ordinal).Replace(',', '.');
        }
        else
        {
            invariant = compact.Replace(",", "", StringComparison.Ordinal);
        }
        return double.TryParse(invariant, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out number)
            && double.IsFinite(number);
    }

    private static bool IsDate(string value)
    {
        if (value.Length is < 6 or > 40 || !value.Any(char.IsDigit))
        {
            return false;
        }
        foreach (var culture in DateCultures)
        {
            if (DateTime.TryParseExact(value, DateFormats, culture, DateTimeStyles.AllowWhiteSpaces, out _))
            {
                return true;
            }
        }
        return false;
    }

    // A phone number is written with a leading + or 0 or a bracketed area code, or in three groups or more (555-123-4567);
    // never with a decimal comma, which a grouped amount (1 234,56) has. "2024-0117" is a reference, not a phone.
    private static bool IsPhone(string value) =>
        PhoneShape().IsMatch(value) && value.Count(char.IsAsciiDigit) is >= 7 and <= 15 && !value.Contains(',', StringComparison.Ordinal)
        && (value[0] is '+' or '0' or '(' || value.Count(c => c is ' ' or '-' or '/') >= 2);
}
