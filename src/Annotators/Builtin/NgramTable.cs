using System.IO.MemoryMappedFiles;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Annotate.Annotators.Memory;

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
/// <remarks>
/// Given a folder, the table is written to a file there and read from the file mapped read-only (the file deleted once
/// mapped): an idle process gives its pages back (<see cref="DropResident"/>) and the next detection faults in, from the
/// kernel's file cache, what it reads. Where no file can be written, and without a folder, it is held in memory.
/// </remarks>
internal sealed unsafe class NgramTable
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

    private readonly TableBytes _bytes;
    private readonly ulong* _slots;
    private readonly double* _logarithms;
    private readonly ushort* _lowIndexes;
    private readonly int _slotCount;
    private readonly int _logarithmCount;
    private readonly int _packedCount;
    private readonly Dictionary<string, double> _byText;
    private readonly Dictionary<string, double>.AlternateLookup<ReadOnlySpan<char>> _byTextLookup;
    private readonly bool _packableByText;

    private NgramTable(ulong[] slots, ReadOnlySpan<double> logarithms, ushort[] lowIndexes, int packedCount, Dictionary<string, double> byText, string? folder)
    {
        _bytes = TableBytes.Of(slots, logarithms, lowIndexes, folder);
        _slots = (ulong*)_bytes.Start;
        _logarithms = (double*)(_bytes.Start + (long)slots.Length * sizeof(ulong));
        _lowIndexes = (ushort*)(_logarithms + logarithms.Length);
        (_slotCount, _logarithmCount, _packedCount) = (slots.Length, logarithms.Length, packedCount);
        byText.TrimExcess();
        _byText = byText;
        _byTextLookup = byText.GetAlternateLookup<ReadOnlySpan<char>>();
        _packableByText = byText.Keys.Any(ngram => TryPack(ngram, out _));
    }

    /// <summary>
    /// The table of a model's positive probabilities (an n-gram held at zero or below counts as missing, as in the
    /// library), mapped from a file written to <paramref name="folder"/> if one is given and can be written. Should a
    /// model have more distinct probabilities than a slot can index, the n-grams of the rest are kept under their text.
    /// </summary>
    public static NgramTable From(IEnumerable<KeyValuePair<string, double>> model, string? folder = null)
    {
        // Counted first, so that the table is built in place: a model's arrays are large objects, and each one allocated
        // and dropped brings the next full collection closer.
        var entries = model as IReadOnlyCollection<KeyValuePair<string, double>> ?? model.ToList();
        var packable = entries.Count(entry => entry.Value > 0 && TryPack(entry.Key, out _));
        var slots = new ulong[packable == 0 ? 0 : (int)((long)packable * 100 / FillPercent) + 1];
        var lowIndexes = new ushort[slots.Length];
        var indexes = new Dictionary<double, int>(packable / 2);
        var logarithms = new List<double>(packable / 2);
        var byText = new Dictionary<string, double>(StringComparer.Ordinal);
        var packedCount = 0;
        foreach (var (ngram, probability) in entries)
        {
            if (probability <= 0)
            {
                continue;
            }
            if (TryPack(ngram, out var letters) && IndexOf(probability, indexes, logarithms) is { } index)
            {
                var slot = SlotOf(letters, slots.Length);
                while (slots[slot] != 0 && (slots[slot] & LettersMask) != letters)
                {
                    slot = slot + 1 == slots.Length ? 0 : slot + 1;
                }
                packedCount += slots[slot] == 0 ? 1 : 0;
                slots[slot] = letters | (ulong)(index >> LowIndexBits) << LetterBits;
                lowIndexes[slot] = (ushort)index;
            }
            else
            {
                byText[ngram] = Math.Log(probability);
            }
        }
        return new NgramTable(slots, CollectionsMarshal.AsSpan(logarithms), lowIndexes, packedCount, byText, folder);
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

    /// <summary>Whether the table is read from a mapped file (false: held in memory).</summary>
    internal bool Mapped => _bytes.Mapped;

    /// <summary>Where the table's packed part starts (for tests: its mapping's resident pages).</summary>
    internal nint Address => (nint)_bytes.Start;

    /// <summary>The logarithm of the n-gram's probability, or null where the model lacks it.</summary>
    public double? Logarithm(ReadOnlySpan<char> ngram)
    {
        if (TryPack(ngram, out var letters) && _slotCount > 0)
        {
            var found = Find(letters);
            // The mapping is the table's to unmap once the table is unreachable: not before the search is done.
            GC.KeepAlive(this);
            if (found is not null || !_packableByText)
            {
                return found;
            }
        }
        return _byTextLookup.TryGetValue(ngram, out var other) ? other : null;
    }

    private double? Find(ulong letters)
    {
        // The table is never full, so the search meets an empty slot (zero: no n-gram packs to zero) at the latest.
        var slot = SlotOf(letters, _slotCount);
        while (true)
        {
            var held = _slots[slot];
            if ((held & LettersMask) == letters)
            {
                var index = (int)(held >> LetterBits) << LowIndexBits | _lowIndexes[slot];
                return (uint)index < (uint)_logarithmCount
                    ? _logarithms[index]
                    : throw new InvalidDataException("A language model's table no longer holds what was written to it.");
            }
            if (held == 0)
            {
                return null;
            }
            slot = slot + 1 == _slotCount ? 0 : slot + 1;
        }
    }

    /// <summary>
    /// Gives back the resident pages of a mapped table (they are read again from the file cache when next needed);
    /// returns the bytes advised, nothing for a table held in memory.
    /// </summary>
    public long DropResident()
    {
        var dropped = _bytes.Mapped ? MappedFilePages.DropResidentRange((nint)_bytes.Start, _bytes.Length) : 0;
        GC.KeepAlive(this);
        return dropped;
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

    /// <summary>
    /// The bytes a table is read from, the slots, then the logarithms, then the indexes' low bits: a file mapped
    /// read-only and deleted once mapped (unmapped when the table is collected), or pinned memory.
    /// </summary>
    private sealed class TableBytes
    {
        private readonly MemoryMappedFile? _file;
        private readonly MemoryMappedViewAccessor? _view;
        private readonly byte[]? _pinned;

        private TableBytes(byte* start, long length, MemoryMappedFile? file, MemoryMappedViewAccessor? view, byte[]? pinned)
        {
            Start = start;
            (Length, _file, _view, _pinned) = (length, file, view, pinned);
        }

        ~TableBytes()
        {
            if (_view is not null)
            {
                _view.SafeMemoryMappedViewHandle.ReleasePointer();
                _view.Dispose();
                _file!.Dispose();
            }
        }

        public byte* Start { get; }

        public long Length { get; }

        public bool Mapped => _view is not null;

        public static TableBytes Of(ulong[] slots, ReadOnlySpan<double> logarithms, ushort[] lowIndexes, string? folder)
        {
            var (first, second) = (slots.Length * sizeof(ulong), logarithms.Length * sizeof(double));
            var length = checked(first + second + lowIndexes.Length * sizeof(ushort));
            if (length > 0 && folder is not null && Map(slots, logarithms, lowIndexes, length, folder) is { } mapped)
            {
                return mapped;
            }
            // Pinned only here: an allocation on the pinned heap counts toward the oldest generation's budget.
            var bytes = GC.AllocateUninitializedArray<byte>(length, pinned: true);
            MemoryMarshal.AsBytes(slots.AsSpan()).CopyTo(bytes);
            MemoryMarshal.AsBytes(logarithms).CopyTo(bytes.AsSpan(first));
            MemoryMarshal.AsBytes(lowIndexes.AsSpan()).CopyTo(bytes.AsSpan(first + second));
            return new TableBytes((byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(bytes)), bytes.Length, null, null, bytes);
        }

        private static TableBytes? Map(ulong[] slots, ReadOnlySpan<double> logarithms, ushort[] lowIndexes, int length, string folder)
        {
            var path = Path.Combine(folder, "annotate-lingua-" + Guid.NewGuid().ToString("N") + ".table");
            MemoryMappedFile? file = null;
            try
            {
                using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0))
                {
                    stream.Write(MemoryMarshal.AsBytes(slots.AsSpan()));
                    stream.Write(MemoryMarshal.AsBytes(logarithms));
                    stream.Write(MemoryMarshal.AsBytes(lowIndexes.AsSpan()));
                }
                file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
                var view = file.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
                byte* start = null;
                view.SafeMemoryMappedViewHandle.AcquirePointer(ref start);
                return new TableBytes(start + view.PointerOffset, length, file, view, null);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
            {
                file?.Dispose();
                return null;
            }
            finally
            {
                try
                {
                    File.Delete(path);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // Left in the folder; it holds nothing but the library's public model.
                }
            }
        }
    }
}
