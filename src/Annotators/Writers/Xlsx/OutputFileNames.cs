using System.Globalization;
using System.Text;

namespace Annotate.Annotators.Writers.Xlsx;

/// <summary>Makes sheet and table names into file names every file system accepts, unique within one output folder.</summary>
internal sealed class OutputFileNames
{
    private const int MaxStemLength = 100;
    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
        "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    };

    // Case-insensitive, because output folders may live on case-insensitive file systems.
    private readonly HashSet<string> _taken = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>A safe, unused name: <paramref name="stem"/> cleaned, then <c>-2</c>, <c>-3</c>… when taken.</summary>
    public string Next(string stem, string extension)
    {
        var safe = Clean(stem);
        var name = safe + extension;
        for (var i = 2; !_taken.Add(name); i++)
        {
            name = safe + "-" + i.ToString(CultureInfo.InvariantCulture) + extension;
        }
        return name;
    }

    internal static string Clean(string stem)
    {
        var invalid = Path.GetInvalidFileNameChars().Concat(['<', '>', ':', '"', '/', '\\', '|', '?', '*']).ToHashSet();
        var builder = new StringBuilder(stem.Length);
        foreach (var c in stem.Normalize(NormalizationForm.FormC))
        {
            builder.Append(invalid.Contains(c) || char.IsControl(c) ? '_' : c);
        }
        var cleaned = builder.ToString().Trim().Trim('.', ' ');
        if (cleaned.Length > MaxStemLength)
        {
            cleaned = cleaned[..MaxStemLength].TrimEnd('.', ' ');
        }
        if (cleaned.Length == 0)
        {
            return "table";
        }
        return Reserved.Contains(cleaned.Split('.')[0]) ? "_" + cleaned : cleaned;
    }
}
