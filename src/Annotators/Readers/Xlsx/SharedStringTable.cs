using System.Text;
using System.Xml;

namespace Annotate.Annotators.Readers.Xlsx;

/// <summary>
/// A workbook's shared strings, held as UTF-8 in 1 MiB blocks with one packed 64-bit locator per string instead of one
/// .NET string each: a sharedStrings part of millions of short strings costs about its own size, not three times it.
/// Strings are decoded when a cell asks for them; a small cache hands repeated indexes the same instance.
/// </summary>
internal sealed class SharedStringTable
{
    private const int BlockBytes = 1 << 20;
    private const int OffsetBits = 20;
    private const int LengthBits = 18;
    private const int CacheSize = 4096;

    private readonly List<byte[]> _blocks = [];
    private readonly List<long> _locators = [];
    private readonly HashSet<int> _truncated = [];
    private readonly CachedString?[] _cache = new CachedString?[CacheSize];
    private int _used;

    public static SharedStringTable Empty { get; } = new();

    public int Count => _locators.Count;

    /// <summary>Strings cut to <see cref="BoundedXmlText.MaxCellCharacters"/> while reading.</summary>
    public int TruncatedCount => _truncated.Count;

    public bool IsTruncated(int index) => _truncated.Contains(index);

    public string this[int index]
    {
        get
        {
            // Entries are immutable objects swapped in whole, so concurrent readers never see a torn pair.
            var slot = index & (CacheSize - 1);
            if (_cache[slot] is { } cached && cached.Index == index)
            {
                return cached.Text;
            }
            var locator = _locators[index];
            var length = (int)(locator & ((1L << LengthBits) - 1));
            var offset = (int)((locator >> LengthBits) & ((1L << OffsetBits) - 1));
            var block = (int)(locator >> (LengthBits + OffsetBits));
            var text = Encoding.UTF8.GetString(_blocks[block], offset, length);
            _cache[slot] = new CachedString(index, text);
            return text;
        }
    }

    private void Add(StringBuilder text, bool truncated)
    {
        if (truncated)
        {
            _truncated.Add(_locators.Count);
        }
        // At most 32,767 chars of at most 3 UTF-8 bytes each (a surrogate pair is 4 bytes for 2 chars): under 2^18.
        var bytes = 0;
        foreach (var chunk in text.GetChunks())
        {
            bytes += Encoding.UTF8.GetByteCount(chunk.Span);
        }
        if (_blocks.Count == 0 || _used + bytes > _blocks[^1].Length)
        {
            // Blocks grow from 4 KiB so a workbook of a few strings does not pay a full block.
            var size = _blocks.Count == 0 ? 4096 : Math.Min(BlockBytes, _blocks[^1].Length * 2);
            _blocks.Add(new byte[Math.Max(size, bytes)]);
            _used = 0;
        }
        var block = _blocks[^1];
        var start = _used;
        foreach (var chunk in text.GetChunks())
        {
            _used += Encoding.UTF8.GetBytes(chunk.Span, block.AsSpan(_used));
        }
        _locators.Add(((long)(_blocks.Count - 1) << (LengthBits + OffsetBits)) | ((long)start << LengthBits) | (long)bytes);
    }

    /// <summary>Reads a sharedStrings part: the text of each <c>si</c> (plain or rich runs), phonetic guides left out.</summary>
    public static SharedStringTable Read(XmlReader? reader)
    {
        var table = new SharedStringTable();
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

    private sealed record CachedString(int Index, string Text);
}
