using System.Buffers.Binary;
using System.Text;

namespace Annotate.Annotators.Writers.Xlsx;

/// <summary>
/// An entry of a ZIP file as its central directory gives it, with where its compressed bytes start: enough to copy
/// the entry into another ZIP file without inflating and deflating it again.
/// </summary>
internal sealed record RawZipEntry(
    string Name,
    byte[] NameBytes,
    ushort VersionMadeBy,
    ushort VersionNeeded,
    ushort Flags,
    ushort Method,
    ushort Time,
    ushort Date,
    uint Crc,
    uint CompressedSize,
    uint Size,
    uint ExternalAttributes,
    long DataOffset)
{
    /// <summary>Stored (0) or deflated (8), unencrypted: what a copy can carry over unchanged.</summary>
    public bool Copyable => (Method == 0 || Method == 8) && (Flags & (EncryptedFlag | StrongEncryptionFlag)) == 0 && (Method != 0 || CompressedSize == Size);

    internal const ushort EncryptedFlag = 0x0001;
    internal const ushort DataDescriptorFlag = 0x0008;
    internal const ushort StrongEncryptionFlag = 0x0040;
    internal const ushort Utf8NameFlag = 0x0800;
}

/// <summary>
/// Reads the central directory of a ZIP file to copy its entries raw. Only what the copy can carry safely is
/// accepted: one disk, no ZIP64 (a workbook that large is refused before it gets here), no duplicate names, every
/// entry's local header where the central directory says, naming the same entry, its data inside the file and before
/// the directory. Anything else gives null, and the caller copies through <see cref="System.IO.Compression.ZipArchive"/>
/// instead: refusing here never fails a document.
/// </summary>
internal static class RawZipDirectory
{
    private const uint EndOfDirectorySignature = 0x06054b50;
    private const uint Zip64LocatorSignature = 0x07064b50;
    private const uint CentralHeaderSignature = 0x02014b50;
    private const uint LocalHeaderSignature = 0x04034b50;
    private const int EndOfDirectoryLength = 22;
    private const int CentralHeaderLength = 46;
    internal const int LocalHeaderLength = 30;
    private const long MaxDirectoryBytes = 16 << 20;

    /// <summary>The entries of the ZIP file <paramref name="file"/> in directory order, or null when it cannot be copied raw.</summary>
    public static IReadOnlyList<RawZipEntry>? TryRead(Stream file)
    {
        var length = file.Length;
        if (FindEnd(file, length) is not { } end)
        {
            return null;
        }
        var (count, directorySize, directoryOffset, endOffset) = end;
        // Without ZIP64 a directory holds under 65,535 entries; a workbook's names are short, so 16 MiB is far more than
        // any real one needs, and the directory is read into memory whole.
        if (directoryOffset + directorySize > endOffset || directorySize > MaxDirectoryBytes)
        {
            return null;
        }
        var directory = new byte[directorySize];
        file.Position = directoryOffset;
        file.ReadExactly(directory);
        var entries = new List<RawZipEntry>(count);
        var names = new HashSet<string>(StringComparer.Ordinal);
        var local = new byte[LocalHeaderLength];
        var at = 0;
        for (var i = 0; i < count; i++)
        {
            if (at + CentralHeaderLength > directory.Length || BinaryPrimitives.ReadUInt32LittleEndian(directory.AsSpan(at)) != CentralHeaderSignature)
            {
                return null;
            }
            var header = directory.AsSpan(at, CentralHeaderLength);
            var nameLength = U16(header, 28);
            var extraLength = U16(header, 30);
            var commentLength = U16(header, 32);
            var compressedSize = U32(header, 20);
            var size = U32(header, 24);
            var localOffset = U32(header, 42);
            if (U16(header, 34) != 0 || compressedSize == uint.MaxValue || size == uint.MaxValue || localOffset == uint.MaxValue
                || at + CentralHeaderLength + nameLength + extraLength + commentLength > directory.Length)
            {
                return null;
            }
            var nameBytes = directory.AsSpan(at + CentralHeaderLength, nameLength).ToArray();
            var name = Encoding.UTF8.GetString(nameBytes);
            if (!names.Add(name))
            {
                return null;
            }
            // The local header: its name must be the same entry's, and its data must lie before the directory.
            if (localOffset + LocalHeaderLength + nameLength > directoryOffset)
            {
                return null;
            }
            file.Position = localOffset;
            file.ReadExactly(local);
            if (BinaryPrimitives.ReadUInt32LittleEndian(local) != LocalHeaderSignature || U16(local, 26) != nameLength)
            {
                return null;
            }
            var localName = new byte[nameLength];
            file.ReadExactly(localName);
            if (!localName.AsSpan().SequenceEqual(nameBytes))
            {
                return null;
            }
            var dataOffset = localOffset + LocalHeaderLength + nameLength + (long)U16(local, 28);
            if (dataOffset + compressedSize > directoryOffset)
            {
                return null;
            }
            entries.Add(new RawZipEntry(name, nameBytes, U16(header, 4), U16(header, 6), U16(header, 8), U16(header, 10), U16(header, 12), U16(header, 14),
                U32(header, 16), compressedSize, size, U32(header, 38), dataOffset));
            at += CentralHeaderLength + nameLength + extraLength + commentLength;
        }
        return entries;
    }

    /// <summary>
    /// The end-of-directory record: searched back from the end over at most a full comment, and taken only where its
    /// comment ends the file, so that a comment holding the signature is not mistaken for it.
    /// </summary>
    private static (int Count, long DirectorySize, long DirectoryOffset, long EndOffset)? FindEnd(Stream file, long length)
    {
        if (length < EndOfDirectoryLength)
        {
            return null;
        }
        var tail = (int)Math.Min(length, EndOfDirectoryLength + ushort.MaxValue);
        var buffer = new byte[tail];
        file.Position = length - tail;
        file.ReadExactly(buffer);
        for (var at = tail - EndOfDirectoryLength; at >= 0; at--)
        {
            var record = buffer.AsSpan(at);
            if (BinaryPrimitives.ReadUInt32LittleEndian(record) != EndOfDirectorySignature || at + EndOfDirectoryLength + U16(record, 20) != tail)
            {
                continue;
            }
            var endOffset = length - tail + at;
            var zip64 = endOffset >= 20 && (at >= 20
                ? BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(at - 20)) == Zip64LocatorSignature
                : ReadUInt32At(file, endOffset - 20) == Zip64LocatorSignature);
            var count = U16(record, 10);
            if (zip64 || U16(record, 4) != 0 || U16(record, 6) != 0 || U16(record, 8) != count || count == ushort.MaxValue
                || U32(record, 12) == uint.MaxValue || U32(record, 16) == uint.MaxValue)
            {
                return null;
            }
            return (count, U32(record, 12), U32(record, 16), endOffset);
        }
        return null;
    }

    private static uint ReadUInt32At(Stream file, long offset)
    {
        Span<byte> value = stackalloc byte[4];
        file.Position = offset;
        file.ReadExactly(value);
        return BinaryPrimitives.ReadUInt32LittleEndian(value);
    }

    private static ushort U16(ReadOnlySpan<byte> bytes, int at) => BinaryPrimitives.ReadUInt16LittleEndian(bytes[at..]);

    private static uint U32(ReadOnlySpan<byte> bytes, int at) => BinaryPrimitives.ReadUInt32LittleEndian(bytes[at..]);
}
