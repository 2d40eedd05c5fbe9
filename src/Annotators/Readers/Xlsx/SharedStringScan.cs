namespace Annotate.Annotators.Readers.Xlsx;

/// <summary>
/// The shared strings as one scan of a sheet (one thread) asks for them: each string is decoded once while it stays
/// in this scan's cache, so a column of repeated values (names, codes) hands out the same instance row after row.
/// </summary>
/// <remarks>
/// The cache has two entries per index set: a new string takes an empty one, or else the one not hit last. A column
/// of strings that each occur once (notes, ids), whose indexes fall into every set in turn, then passes through the
/// other entry instead of evicting the repeated ones. Each scan has its own cache: entries are compared by index in
/// plain arrays, without reaching into an object per lookup, which a cache shared between threads would need so that
/// no reader pairs one entry's index with another's text. A table of fewer strings than the cache holds gets a cache
/// of its size; the largest stays below the large object heap's threshold.
/// </remarks>
internal sealed class SharedStringScan
{
    private const int MaxSets = 8192;

    private readonly SharedStringTable _table;
    private readonly int _mask;
    // Index + 1 of the string each entry holds (0: none), and the string: way 0 and way 1 of each set.
    private readonly int[] _index0;
    private readonly int[] _index1;
    private readonly string?[] _text0;
    private readonly string?[] _text1;
    private readonly bool[] _hitLastIsOne;

    /// <summary>A scan of <paramref name="table"/>; a small table gets a cache of its own size, not the largest one.</summary>
    public SharedStringScan(SharedStringTable table)
    {
        _table = table;
        var sets = (int)Math.Min(MaxSets, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, (table.Count + 1) / 2)));
        _mask = sets - 1;
        _index0 = new int[sets];
        _index1 = new int[sets];
        _text0 = new string?[sets];
        _text1 = new string?[sets];
        _hitLastIsOne = new bool[sets];
    }

    /// <summary>The string at <paramref name="index"/> of the table.</summary>
    public string this[int index]
    {
        get
        {
            var set = index & _mask;
            var key = index + 1;
            if (_index0[set] == key)
            {
                _hitLastIsOne[set] = false;
                return _text0[set]!;
            }
            if (_index1[set] == key)
            {
                _hitLastIsOne[set] = true;
                return _text1[set]!;
            }
            var text = _table.Decode(index);
            // An empty entry first; then the one not hit last.
            if (_index0[set] == 0 || (_index1[set] != 0 && _hitLastIsOne[set]))
            {
                (_index0[set], _text0[set]) = (key, text);
            }
            else
            {
                (_index1[set], _text1[set]) = (key, text);
            }
            return text;
        }
    }
}
