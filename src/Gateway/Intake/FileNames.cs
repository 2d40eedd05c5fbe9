namespace Annotate.Gateway.Intake;

/// <summary>Safe file names for files whose names come from users.</summary>
public static class FileNames
{
    /// <summary>The last path segment of <paramref name="name"/> with characters unsafe on common file systems replaced; never empty.</summary>
    public static string Safe(string? name)
    {
        var leaf = Path.GetFileName((name ?? string.Empty).Replace('\\', '/'));
        var invalid = Path.GetInvalidFileNameChars().Concat(['<', '>', ':', '"', '|', '?', '*']).ToHashSet();
        var safe = new string(leaf.Select(c => invalid.Contains(c) || char.IsControl(c) ? '_' : c).ToArray()).Trim().TrimStart('.');
        if (safe.Length > 150)
        {
            var extension = Path.GetExtension(safe);
            safe = safe[..(150 - extension.Length)] + extension;
        }
        return safe.Length == 0 ? "document" : safe;
    }

    /// <summary>A path in <paramref name="directory"/> for <paramref name="name"/> that does not exist yet: <c>a.pdf</c>, <c>a (2).pdf</c>…</summary>
    public static string Unique(string directory, string name)
    {
        var candidate = Path.Combine(directory, name);
        var stem = Path.GetFileNameWithoutExtension(name);
        var extension = Path.GetExtension(name);
        for (var i = 2; File.Exists(candidate) || File.Exists(candidate + ".error.json") || File.Exists(candidate + ".error.json.tmp"); i++)
        {
            candidate = Path.Combine(directory, $"{stem} ({i}){extension}");
        }
        return candidate;
    }
}
