using System.Globalization;

namespace Annotate.Annotators.Readers.Xlsx;

/// <summary>Turns header texts into usable column names: blanks become <c>Column&lt;N&gt;</c>, duplicates get a suffix.</summary>
internal static class HeaderNames
{
    public static IReadOnlyList<string> Normalize(IReadOnlyList<string?> headers)
    {
        var names = new string[headers.Count];
        var taken = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < headers.Count; i++)
        {
            var name = headers[i]?.Trim();
            names[i] = string.IsNullOrEmpty(name) ? GenericName(i) : name;
        }
        // Names taken as written are reserved first, so "Amount", "Amount" becomes "Amount", "Amount_2"
        // without renaming a later column that was literally called "Amount_2".
        var counts = names.GroupBy(n => n, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.Count(), StringComparer.OrdinalIgnoreCase);
        foreach (var name in names.Where(n => counts[n] == 1))
        {
            taken.Add(name);
        }
        for (var i = 0; i < names.Length; i++)
        {
            if (counts[names[i]] == 1)
            {
                continue;
            }
            var candidate = names[i];
            var suffix = 2;
            while (!taken.Add(candidate))
            {
                candidate = names[i] + "_" + suffix.ToString(CultureInfo.InvariantCulture);
                suffix++;
            }
            names[i] = candidate;
        }
        return names;
    }

    public static IReadOnlyList<string> Generic(int count) => Enumerable.Range(0, count).Select(GenericName).ToList();

    private static string GenericName(int index) => "Column" + (index + 1).ToString(CultureInfo.InvariantCulture);
}
