namespace Annotate.Annotators.Builtin;

/// <summary>
/// Month names and abbreviations in English, German, French, Spanish, Dutch, Italian and Portuguese. Abbreviations
/// that are also common English words (set, out, gen, mag) are left out to avoid reading prose as dates.
/// </summary>
internal static class MonthNames
{
    private static readonly Dictionary<string, int> Months = Build();

    /// <summary>The 1-based month of a name or abbreviation (case-insensitive), or 0.</summary>
    public static int Lookup(string word) => Months.GetValueOrDefault(word.ToLowerInvariant().TrimEnd('.'));

    /// <summary>
    /// True when a word of <paramref name="text"/> (a whole run of 3 to 10 letters, as the date patterns take a month)
    /// is a month name: text without one is not run through those patterns.
    /// </summary>
    public static bool AnyIn(ReadOnlySpan<char> text)
    {
        var months = Months.GetAlternateLookup<ReadOnlySpan<char>>();
        Span<char> lower = stackalloc char[10];
        var i = 0;
        while (TextCounting.NextLetterRun(text, ref i, out var start))
        {
            if (i - start is >= 3 and <= 10 && months.ContainsKey(lower[..text[start..i].ToLowerInvariant(lower)]))
            {
                return true;
            }
        }
        return false;
    }

    private static Dictionary<string, int> Build()
    {
        string[][] names =
        [
            ["january", "jan", "januar", "jänner", "janvier", "janv", "enero", "ene", "januari", "gennaio", "janeiro"],
            ["february", "feb", "februar", "février", "fevrier", "févr", "fevr", "fév", "febrero", "februari", "febbraio", "fevereiro", "fev"],
            ["march", "mar", "märz", "maerz", "mär", "mrz", "mars", "marzo", "maart", "mrt", "março", "marco"],
            ["april", "apr", "avril", "avr", "abril", "abr", "aprile"],
            ["may", "mai", "mayo", "mei", "maggio", "maio"],
            ["june", "jun", "juni", "juin", "junio", "giugno", "giu", "junho"],
            ["july", "jul", "juli", "juillet", "juil", "julio", "luglio", "lug", "julho"],
            ["august", "aug", "août", "aout", "agosto", "ago", "augustus"],
            ["september", "sep", "sept", "septembre", "septiembre", "setiembre", "settembre", "setembro"],
            ["october", "oct", "oktober", "okt", "octobre", "octubre", "ottobre", "ott", "outubro"],
            ["november", "nov", "novembre", "noviembre", "novembro"],
            ["december", "dec", "dezember", "dez", "décembre", "decembre", "déc", "diciembre", "dic", "dicembre", "dezembro"],
        ];
        var months = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var month = 0; month < names.Length; month++)
        {
            foreach (var name in names[month])
            {
                months.TryAdd(name, month + 1);
            }
        }
        return months;
    }
}
