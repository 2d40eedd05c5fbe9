namespace Annotate.Annotators.Builtin;

/// <summary>
/// One of Lingua's language models (the probabilities of the n-grams of one length in one language) held compactly: the
/// logarithm of each distinct positive probability once, and each n-gram as its letters packed twelve bits each into a
/// number, in an open-addressed table whose slot also carries which logarithm is the n-gram's. The library keeps each
/// n-gram as a string in a frozen dictionary, about 70 bytes an n-gram; a dictionary from packed letters to logarithms
/// took about 30; this table about 16 (a model's n-grams share a few probabilities: English five-letter sequences
/// 263,548 n-grams, 52,174 probabilities). An n-gram with a character beyond U+0FFF (Han, kana, Hangul, presentation
/// forms) is kept under its text instead.
/// </summary>
internal sealed class NgramTable
{
    private const int BitsPerLetter = 12;
    private const int MaxLetters = 64 / BitsPerLetter;
    private const int LetterBits = BitsPerLetter * MaxLetters;
    private const ulong LettersMask = (1UL << LetterBits) - 1;
    private const int LowIndexBits = 16;

    /// <summary>How many distinct probabilities a table can index: the low sixteen bits of an index beside the slot, the rest above its letters.</summary>
    internal const int MaxProbabilities = 1 << (LowIndexBits + 64 - LetterBits);

    /// <summary>Slots in use at most, of every 100: past about three quarters a search for an n-gram the model lacks runs long.</summary>
    private const int FillPercent = 75;

    private const ulong Spread = 0x9E37_79B9_7F4A_7C15UL;

    private readonly ulong[] _slots;
    private readonly ushort[] _lowIndexes;
    private readonly double[] _logarithms;
    private readonly int _packedCount;
    private readonly Dictionary<string, double> _byText;
    private readonly Dictionary<string, double>.AlternateLookup<ReadOnlySpan<char>> _byTextLookup;
    private readonly bool _packableByText;

    private NgramTable(ulong[] slots, ushort[] lowIndexes, double[] logarithms, int packedCount, Dictionary<string, double> byText)
    {
        byText.TrimExcess();
        (_slots, _lowIndexes, _logarithms, _packedCount, _byText) = (slots, lowIndexes, logarithms, packedCount, byText);
        _byTextLookup = byText.GetAlternateLookup<ReadOnlySpan<char>>();
        _packableByText = byText.Keys.Any(ngram => TryPack(ngram, out _));
    }

    /// <summary>
    /// The table of a model's positive probabilities (an n-gram held at zero or below counts as missing, as in the
    /// library). Should a model have more distinct probabilities than a slot can index, the n-grams of the rest are kept
    /// under their text.
    /// </summary>
    public static NgramTable From(IEnumerable<KeyValuePair<string, double>> model)
    {
        var packed = new List<(ulong Letters, int Index)>((model as IReadOnlyCollection<KeyValuePair<string, double>>)?.Count ?? 0);
        var indexes = new Dictionary<double, int>();
        var logarithms = new List<double>();
        var byText = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (ngram, probability) in model)
        {
            if (probability <= 0)
            {
                continue;
            }
            if (TryPack(ngram, out var letters) && IndexOf(probability, indexes, logarithms) is { } index)
            {
                packed.Add((letters, index));
            }
            else
            {
                byText[ngram] = Math.Log(probability);
            }
        }

        var slots = new ulong[packed.Count == 0 ? 0 : (int)((long)packed.Count * 100 / FillPercent) + 1];
        var lowIndexes = new ushort[slots.Length];
        foreach (var (letters, index) in packed)
        {
            var slot = SlotOf(letters, slots.Length);
            while (slots[slot] != 0 && (slots[slot] & LettersMask) != letters)
            {
                slot = slot + 1 == slots.Length ? 0 : slot + 1;
            }
            slots[slot] = letters | (ulong)(index >> LowIndexBits) << LetterBits;
            lowIndexes[slot] = (ushort)index;
        }
        var packedCount = slots.Count(slot => slot != 0);
        return new NgramTable(slots, lowIndexes, [.. logarithms], packedCount, byText);
    }

    private static int? IndexOf(double probability, Dictionary<double, int> indexes, List<double> logarithms)
    {
        if (indexes.TryGetValue(probability, out var index))
        {
            return index;
        }
        if (logarithms.Count == MaxProbabilities)
        {
            return null;
        }
        indexes.Add(probability, logarithms.Count);
        logarithms.Add(Math.Log(probability));
        return logarithms.Count - 1;
    }

    /// <summary>How many n-grams the table holds.</summary>
    public int Count => _packedCount + _byText.Count;

    /// <summary>The logarithm of the n-gram's probability, or null where the model lacks it.</summary>
    public double? Logarithm(ReadOnlySpan<char> ngram)
    {
        if (TryPack(ngram, out var letters) && _slots.Length > 0)
        {
            // The table is never full, so the search meets an empty slot (zero: no n-gram packs to zero) at the latest.
            var slot = SlotOf(letters, _slots.Length);
            while (true)
            {
                var held = _slots[slot];
                if ((held & LettersMask) == letters)
                {
                    return _logarithms[(int)(held >> LetterBits) << LowIndexBits | _lowIndexes[slot]];
                }
                if (held == 0)
                {
                    break;
                }
                slot = slot + 1 == _slots.Length ? 0 : slot + 1;
            }
            if (!_packableByText)
            {
                return null;
            }
        }
        return _byTextLookup.TryGetValue(ngram, out var other) ? other : null;
    }

    /// <summary>Where the search for packed letters starts: their product with an odd number, its high bits scaled to the table.</summary>
    private static int SlotOf(ulong letters, int length) => (int)Math.BigMul(letters * Spread, (ulong)length, out _);

    /// <summary>
    /// The n-gram's letters packed twelve bits each, the first lowest (never zero). False for one empty, too long or with
    /// a character beyond U+0FFF.
    /// </summary>
    internal static bool TryPack(ReadOnlySpan<char> ngram, out ulong letters)
    {
        letters = 0;
        if (ngram.IsEmpty || ngram.Length > MaxLetters)
        {
            return false;
        }
        for (var i = 0; i < ngram.Length; i++)
        {
            if (ngram[i] is '\0' or >= (char)(1 << BitsPerLetter))
            {
                return false;
            }
            letters |= (ulong)ngram[i] << (BitsPerLetter * i);
        }
        return true;
    }
}
