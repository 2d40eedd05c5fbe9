using System.Text;
using System.Xml;
using Microsoft.Win32.SafeHandles;

namespace Annotate.Annotators.Readers.Xlsx;

/// <summary>
/// A workbook's shared strings, held as UTF-8 with one 4-byte end offset per string instead of one .NET string each:
/// a part of millions of short strings costs about its own size, not three times it. Past
/// <see cref="MemoryBytes"/> of text the strings move to a temporary file (deleted when the table is collected), so a
/// part of hundreds of MB costs only its offsets in memory. Strings are decoded when a cell asks for them; a scan of
/// a sheet asks through a <see cref="SharedStringScan"/>, whose cache hands repeated indexes the same instance.
/// </summary>
internal sealed class SharedStringTable
{
    /// <summary>Text kept in memory before it moves to a temporary file: 64 MiB.</summary>
    public const int MemoryBytes = 64 << 20;

    // Blocks and offset chunks of 64 KiB stay below the large object heap's threshold (85,000 bytes): large arrays
    // count against that heap's budget, and each overrun of it starts a full collection.
    private const int BlockBytes = 1 << 16;
    private const int OffsetsPerChunk = 1 << 14;

    // End offset of string i in the text (its start is the end of string i-1), in chunks so growth never copies.
    private readonly List<uint[]> _ends = [];
    private readonly List<byte[]> _blocks = [];
    private readonly HashSet<int> _truncated = [];
    private readonly long _memoryBytes;
    private byte[] _encoded = new byte[1024];
    private SafeFileHandle? _file;
    private long _length;

    private SharedStringTable(long memoryBytes) => _memoryBytes = memoryBytes;

    public int Count { get; private set; }

    /// <summary>Strings cut to <see cref="BoundedXmlText.MaxCellCharacters"/> while reading.</summary>
    public int TruncatedCount => _truncated.Count;

    /// <summary>True once the text moved to a temporary file.</summary>
    public bool Spilled => _file is not null;

    public bool IsTruncated(int index) => _truncated.Contains(index);

    /// <summary>The string at <paramref name="index"/>, decoded on each call: scans use <see cref="Scan"/>, which caches.</summary>
    public string this[int index] => Decode(index);

    /// <summary>A cache of this table's strings for one scan on one thread.</summary>
    public SharedStringScan Scan() => new(this);

    internal string Decode(int index)
    {
        long start = index == 0 ? 0 : End(index - 1);
        var length = (int)(End(index) - start);
        var offset = (int)(start % BlockBytes);
        if (_file is null && offset + length <= BlockBytes)
        {
            // Most strings lie within one block: decoded where they are, without a copy.
            return length == 0 ? string.Empty : Encoding.UTF8.GetString(_blocks[(int)(start / BlockBytes)].AsSpan(offset, length));
        }
        var bytes = length <= 1024 ? stackalloc byte[length] : new byte[length];
        if (_file is not null)
        {
            RandomAccess.Read(_file, bytes, start);
        }
        else
        {
            Copy(start, bytes);
        }
        return Encoding.UTF8.GetString(bytes);
    }

    private long End(int index) => _ends[index / OffsetsPerChunk][index % OffsetsPerChunk];

    private void Copy(long start, Span<byte> destination)
    {
        while (destination.Length > 0)
        {
            var block = _blocks[(int)(start / BlockBytes)];
            var offset = (int)(start % BlockBytes);
            var count = Math.Min(destination.Length, BlockBytes - offset);
            block.AsSpan(offset, count).CopyTo(destination);
            destination = destination[count..];
            start += count;
        }
    }

    private void Add(StringBuilder text, bool truncated)
    {
        if (truncated)
        {
            _truncated.Add(Count);
        }
        // At most 32,767 chars of at most 3 UTF-8 bytes each.
        var needed = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (_encoded.Length < needed)
        {
            _encoded = new byte[needed];
        }
        var length = 0;
        foreach (var chunk in text.GetChunks())
        {
            length += Encoding.UTF8.GetBytes(chunk.Span, _encoded.AsSpan(length));
        }
        Append(_encoded.AsSpan(0, length));
        if (_length > uint.MaxValue)
        {
            throw new InvalidDataException("the shared strings hold more than 4 GiB of text");
        }
        if (Count % OffsetsPerChunk == 0)
        {
            _ends.Add(new uint[OffsetsPerChunk]);
        }
        _ends[^1][Count % OffsetsPerChunk] = (uint)_length;
        Count++;
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        if (_file is null && _length + bytes.Length > _memoryBytes)
        {
            Spill();
        }
        if (_file is not null)
        {
            RandomAccess.Write(_file, bytes, _length);
            _length += bytes.Length;
            return;
        }
        while (bytes.Length > 0)
        {
            var offset = (int)(_length % BlockBytes);
            if (offset == 0 && _blocks.Count * (long)BlockBytes <= _length)
            {
                _blocks.Add(new byte[BlockBytes]);
            }
            var count = Math.Min(bytes.Length, BlockBytes - offset);
            bytes[..count].CopyTo(_blocks[^1].AsSpan(offset));
            bytes = bytes[count..];
            _length += count;
        }
    }

    private void Spill()
    {
        var path = Path.Combine(Path.GetTempPath(), "annotate-sst-" + Guid.NewGuid().ToString("N") + ".bin");
        _file = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Delete, FileOptions.DeleteOnClose);
        if (!OperatingSystem.IsWindows())
        {
            // Unlinked at once: the open handle keeps the data, and nothing is left behind if the process dies.
            File.Delete(path);
        }
        long written = 0;
        foreach (var block in _blocks)
        {
            var count = (int)Math.Min(BlockBytes, _length - written);
            RandomAccess.Write(_file, block.AsSpan(0, count), written);
            written += count;
        }
        _blocks.Clear();
    }

    /// <summary>Reads a sharedStrings part: the text of each <c>si</c> (plain or rich runs), phonetic guides left out.</summary>
    public static SharedStringTable Read(XmlReader? reader, long memoryBytes = MemoryBytes)
    {
        var table = new SharedStringTable(memoryBytes);
        if (reader is null)
        {
            return table;
        }
        var bounded = new BoundedXmlText();
        var text = new StringBuilder();
        using (reader)
        {
            while (reader.Read())
            {
                if (reader.NodeType != XmlNodeType.Element || reader.LocalName != "si" || !SpreadsheetNamespaces.IsMain(reader.NamespaceURI))
                {
                    continue;
                }
                text.Clear();
                var truncated = false;
                if (!reader.IsEmptyElement)
                {
                    var depth = reader.Depth;
                    reader.Read();
                    while (!reader.EOF && !(reader.NodeType == XmlNodeType.EndElement && reader.Depth == depth))
                    {
                        if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "rPh")
                        {
                            reader.Skip();
                        }
                        else if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "t")
                        {
                            truncated |= bounded.Append(reader, text);
                        }
                        else
                        {
                            reader.Read();
                        }
                    }
                }
                table.Add(text, truncated);
            }
        }
        return table;
    }
}
