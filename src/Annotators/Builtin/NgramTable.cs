namespace Annotate.Annotators.Builtin;

/// <summary>
/// One of Lingua's language models (the probabilities of the n-grams of one length in one language) held compactly: the
/// logarithm of each positive probability, keyed by the n-gram's letters packed twelve bits each into a number. The
/// library keeps each n-gram as a string in a frozen dictionary, about 70 bytes an n-gram against 30 here (282 against
/// 120 MiB for the five lengths of the eleven Latin-script default languages). An n-gram with a character beyond
/// U+0FFF (Han, kana, Hangul, presentation forms) is kept under its text instead.
/// </summary>
internal sealed class NgramTable
{
    private const int BitsPerLetter = 12;
    private const int MaxLetters = 64 / BitsPerLetter;

    private readonly Dictionary<ulong, double> _packed;
    private readonly Dictionary<string, double> _byText;
    private readonly Dictionary<string, double>.AlternateLookup<ReadOnlySpan<char>> _byTextLookup;

    private NgramTable(Dictionary<ulong, double> packed, Dictionary<string, double> byText)
    {
        packed.TrimExcess();
        byText.TrimExcess();
        (_packed, _byText, _byTextLookup) = (packed, byText, byText.GetAlternateLookup<ReadOnlySpan<char>>());
    }

    /// <summary>The table of a model's positive probabilities (an n-gram held at zero or below counts as missing, as in the library).</summary>
    public static NgramTable From(IEnumerable<KeyValuePair<string, double>> model)
    {
        var packed = new Dictionary<ulong, double>((model as IReadOnlyCollection<KeyValuePair<string, double>>)?.Count ?? 0);
        var byText = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (ngram, probability) in model)
        {
            if (probability <= 0)
            {
                continue;
            }
            if (TryPack(ngram, out var key))
            {
                packed[key] = Math.Log(probability);
            }
            else
            {
                byText[ngram] = Math.Log(probability);
            }
        }
        return new NgramTable(packed, byText);
    }

    /// <summary>How many n-grams the table holds.</summary>
    public int Count => _packed.Count + _byText.Count;

    /// <summary>The logarithm of the n-gram's probability, or null where the model lacks it.</summary>
    public double? Logarithm(ReadOnlySpan<char> ngram)
    {
        if (TryPack(ngram, out var key))
        {
            return _packed.TryGetValue(key, out var logarithm) ? logarithm : null;
        }
        return _byTextLookup.TryGetValue(ngram, out var other) ? other : null;
    }

    /// <summary>
    /// The n-gram's letters packed twelve bits each (the first lowest), multiplied by an odd number so that no two
    /// n-grams meet but their hash codes spread: a number's hash code folds its two halves together, under which the
    /// packed letters of "abc" and "cba" would collide and the table chain. False for one too long or with a
    /// character beyond U+0FFF.
    /// </summary>
    internal static bool TryPack(ReadOnlySpan<char> ngram, out ulong key)
    {
        key = 0;
        if (ngram.Length > MaxLetters)
        {
            return false;
        }
        for (var i = 0; i < ngram.Length; i++)
        {
            if (ngram[i] >= 1 << BitsPerLetter)
            {
                return false;
            }
            key |= (ulong)ngram[i] << (BitsPerLetter * i);
        }
        key *= 0x9E37_79B9_7F4A_7C15UL;
        return true;
    }
}
