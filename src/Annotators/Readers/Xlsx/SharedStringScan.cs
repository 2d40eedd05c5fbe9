namespace Annotate.Annotators.Readers.Xlsx;

/// <summary>
/// The shared strings as one scan of a sheet (one thread) asks for them: each string is decoded once while it stays
/// in this scan's cache, so a column of repeated values (names, codes) hands out the same instance row after row.
/// </summary>
/// <remarks>
/// The cache has two entries per index set: the one hit last is kept, a new string takes the other. A column of strings
/// that each occur once (notes, ids), whose indexes fall into every set in turn, then passes through the other entry
/// instead of evicting the repeated ones. Each scan has its own cache: entries are compared by index in plain arrays,
/// without reaching into an object per lookup, which a cache shared between threads would need so that no reader
/// pairs one entry's index with another's text. Arrays stay below the large object heap's threshold.
/// </remarks>
internal sealed class SharedStringScan(SharedStringTable table)
{
    private const int Sets = 8192;

    // Index + 1 of the string each entry holds (0: none), and the string: way 0 and way 1 of each set.
    private readonly int[] _index0 = new int[Sets];
    private readonly int[] _index1 = new int[Sets];
    private readonly string?[] _text0 = new string?[Sets];
    private readonly string?[] _text1 = new string?[Sets];
    private readonly bool[] _hitLastIsOne = new bool[Sets];

    /// <summary>The string at <paramref name="index"/> of the table.</summary>
    public string this[int index]
    {
        get
        {
            var set = index & (Sets - 1);
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
            var text = table.Decode(index);
            if (_hitLastIsOne[set])
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
