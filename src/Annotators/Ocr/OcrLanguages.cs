namespace Annotate.Annotators.Ocr;

/// <summary>Maps configured languages (ISO 639-1 or Tesseract codes) to the Tesseract traineddata installed.</summary>
internal static class OcrLanguages
{
    private static readonly Dictionary<string, string> Tesseract = new(StringComparer.OrdinalIgnoreCase)
    {
        ["en"] = "eng", ["de"] = "deu", ["fr"] = "fra", ["es"] = "spa", ["it"] = "ita", ["pt"] = "por", ["nl"] = "nld",
        ["pl"] = "pol", ["ru"] = "rus", ["uk"] = "ukr", ["tr"] = "tur", ["zh"] = "chi_sim", ["ja"] = "jpn", ["ko"] = "kor",
        ["ar"] = "ara", ["hi"] = "hin", ["bn"] = "ben", ["vi"] = "vie", ["id"] = "ind", ["fa"] = "fas", ["sv"] = "swe",
        ["da"] = "dan", ["no"] = "nor", ["nb"] = "nor", ["fi"] = "fin", ["cs"] = "ces", ["sk"] = "slk", ["hu"] = "hun",
        ["ro"] = "ron", ["el"] = "ell", ["bg"] = "bul", ["hr"] = "hrv", ["sl"] = "slv", ["et"] = "est", ["lv"] = "lav",
        ["lt"] = "lit", ["he"] = "heb", ["th"] = "tha", ["ca"] = "cat", ["sr"] = "srp", ["ms"] = "msa",
    };

    /// <summary>The Tesseract codes of <paramref name="configured"/> that are installed, in order, and the ones that are not.</summary>
    public static (IReadOnlyList<string> Usable, IReadOnlyList<string> Missing) Map(IEnumerable<string> configured, IReadOnlySet<string> installed)
    {
        var usable = new List<string>();
        var missing = new List<string>();
        foreach (var language in configured.Select(l => l.Trim()).Where(l => l.Length > 0))
        {
            var code = Tesseract.TryGetValue(language, out var mapped) ? mapped : language.ToLowerInvariant();
            var list = installed.Contains(code) ? usable : missing;
            if (!list.Contains(code))
            {
                list.Add(code);
            }
        }
        return (usable, missing);
    }
}
