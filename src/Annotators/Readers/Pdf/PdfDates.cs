using System.Globalization;
using System.Text.RegularExpressions;

namespace Annotate.Annotators.Readers.Pdf;

/// <summary>Parses PDF date strings (ISO 32000-1 §7.9.4) such as <c>D:20240315120000+01'00'</c>.</summary>
internal static partial class PdfDates
{
    /// <summary>The date, or null when <paramref name="value"/> is missing or not a PDF date.</summary>
    public static DateTimeOffset? Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        var match = PdfDate().Match(value.Trim());
        if (!match.Success)
        {
            return null;
        }
        // Every part after the year is optional and defaults to its lowest value.
        var year = Part(match, "year", 0);
        var month = Part(match, "month", 1);
        var day = Part(match, "day", 1);
        var hour = Part(match, "hour", 0);
        var minute = Part(match, "minute", 0);
        var second = Part(match, "second", 0);
        var offset = TimeSpan.Zero;
        if (match.Groups["sign"].Success && match.Groups["sign"].Value is "+" or "-")
        {
            offset = new TimeSpan(Part(match, "offhour", 0), Part(match, "offminute", 0), 0);
            if (match.Groups["sign"].Value == "-")
            {
                offset = -offset;
            }
        }
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(Math.Max(year, 1), month)
            || hour > 23 || minute > 59 || second > 59 || offset.Duration() > TimeSpan.FromHours(14))
        {
            return null;
        }
        return new DateTimeOffset(year, month, day, hour, minute, second, offset);
    }

    private static int Part(Match match, string name, int fallback) =>
        match.Groups[name].Success ? int.Parse(match.Groups[name].Value, CultureInfo.InvariantCulture) : fallback;

    // Producers are sloppy: the "D:" prefix, the apostrophes and the trailing parts are each often missing.
    [GeneratedRegex(@"^(?:D:)?(?<year>\d{4})(?<month>\d{2})?(?<day>\d{2})?(?<hour>\d{2})?(?<minute>\d{2})?(?<second>\d{2})?(?:(?<sign>[Zz+-])(?:(?<offhour>\d{2})'?(?:(?<offminute>\d{2})'?)?)?)?$")]
    private static partial Regex PdfDate();
}
