using System.Text.RegularExpressions;

namespace Annotate.Annotators.Readers.Text;

/// <summary>Recognises bullet and number markers at the start of a line of text (plain text and PDF).</summary>
internal static partial class ListMarkers
{
    /// <summary>
    /// Splits a line into its list marker and item text; false when the line does not start with a marker.
    /// <paramref name="ordered"/> is true for numbers and letters (<c>1.</c>, <c>2)</c>, <c>a)</c>), false for bullets.
    /// </summary>
    public static bool TryParse(string line, out bool ordered, out string item)
    {
        var match = Marker().Match(line);
        if (!match.Success)
        {
            ordered = false;
            item = line;
            return false;
        }
        ordered = match.Groups["number"].Success;
        item = line[match.Length..].Trim();
        return item.Length > 0;
    }

    // Bullets need a following space so that "-5 °C" or "*emphasis*" are not taken for list items; numbers
    // are limited to three digits and single letters to ")" so that "2024. Revenue" or "A. Smith" stay text.
    [GeneratedRegex(@"^\s*(?:(?<bullet>[-*+•◦▪▫‣⁃–·●○■□➢➤►✓✔])\s+|(?<number>\d{1,3}[.)]|[a-zA-Z]\)|\(\d{1,3}\)|\([a-zA-Z]\))\s+)")]
    private static partial Regex Marker();
}
