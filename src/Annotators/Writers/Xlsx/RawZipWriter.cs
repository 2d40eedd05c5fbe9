using System.Buffers;
using System.Buffers.Binary;

namespace Annotate.Annotators.Writers.Xlsx;

/// <summary>
/// Writes a ZIP file from entries of other ZIP files, each copied as its compressed bytes with the CRC and sizes its
/// central directory gives: a 70 MB worksheet put back unchanged costs a file copy, not an inflate and a deflate.
/// Local headers carry no data descriptor and no extra fields (a timestamp or ZIP64 field of the source would no longer
/// describe the entry), and the comment is dropped.
/// </summary>
internal sealed class RawZipWriter(Stream output)
{
    private readonly List<(RawZipEntry Entry, long Offset)> _written = [];
    private long _position;

    /// <summary>Whether <paramref name="entries"/> fit a ZIP file without ZIP64: under 65,535 entries and 4 GiB.</summary>
    public static bool Fits(IReadOnlyCollection<RawZipEntry> entries) =>
        entries.Count < ushort.MaxValue
        && entries.Sum(e => 2L * e.NameBytes.Length + RawZipDirectory.LocalHeaderLength + CentralHeaderLength + e.CompressedSize) + EndLength < uint.MaxValue;

    /// <summary>Copies <paramref name="entry"/>, whose data lies in <paramref name="source"/>, as the next entry.</summary>
    public void Copy(Stream source, RawZipEntry entry, CancellationToken cancellationToken)
    {
        if (!entry.Copyable)
        {
            throw new ArgumentException($"Entry '{entry.Name}' cannot be copied raw (method {entry.Method}, flags {entry.Flags}).", nameof(entry));
        }
        var offset = _position;
        Span<byte> header = stackalloc byte[RawZipDirectory.LocalHeaderLength];
        BinaryPrimitives.WriteUInt32LittleEndian(header, 0x04034b50);
        WriteEntryFields(header[4..], entry);
        Write(header);
        Write(entry.NameBytes);
        source.Position = entry.DataOffset;
        var buffer = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            for (long left = entry.CompressedSize; left > 0;)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var read = source.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
                if (read == 0)
                {
                    throw new EndOfStreamException($"Entry '{entry.Name}' ends before its {entry.CompressedSize} compressed bytes.");
                }
                Write(buffer.AsSpan(0, read));
                left -= read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        _written.Add((entry, offset));
    }

    /// <summary>Writes the central directory and its end record; the writer is done after this.</summary>
    public void Finish()
    {
        var directoryOffset = _position;
        Span<byte> header = stackalloc byte[CentralHeaderLength];
        foreach (var (entry, offset) in _written)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(header, 0x02014b50);
            BinaryPrimitives.WriteUInt16LittleEndian(header[4..], entry.VersionMadeBy);
            WriteEntryFields(header[6..], entry);
            BinaryPrimitives.WriteUInt16LittleEndian(header[32..], 0);
            BinaryPrimitives.WriteUInt16LittleEndian(header[34..], 0);
            BinaryPrimitives.WriteUInt16LittleEndian(header[36..], 0);
            BinaryPrimitives.WriteUInt32LittleEndian(header[38..], entry.ExternalAttributes);
            BinaryPrimitives.WriteUInt32LittleEndian(header[42..], checked((uint)offset));
            Write(header);
            Write(entry.NameBytes);
        }
        Span<byte> end = stackalloc byte[EndLength];
        BinaryPrimitives.WriteUInt32LittleEndian(end, 0x06054b50);
        BinaryPrimitives.WriteUInt16LittleEndian(end[4..], 0);
        BinaryPrimitives.WriteUInt16LittleEndian(end[6..], 0);
        BinaryPrimitives.WriteUInt16LittleEndian(end[8..], checked((ushort)_written.Count));
        BinaryPrimitives.WriteUInt16LittleEndian(end[10..], checked((ushort)_written.Count));
        BinaryPrimitives.WriteUInt32LittleEndian(end[12..], checked((uint)(_position - directoryOffset)));
        BinaryPrimitives.WriteUInt32LittleEndian(end[16..], checked((uint)directoryOffset));
        BinaryPrimitives.WriteUInt16LittleEndian(end[20..], 0);
        Write(end);
        output.Flush();
    }

    private const int CentralHeaderLength = 46;
    private const int EndLength = 22;

    /// <summary>
    /// The 26 bytes both headers share, in the same order: version needed, flags, method, time, date, CRC, sizes, name
    /// length and an empty extra field.
    /// </summary>
    private static void WriteEntryFields(Span<byte> fields, RawZipEntry entry)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(fields, entry.VersionNeeded);
        BinaryPrimitives.WriteUInt16LittleEndian(fields[2..], Flags(entry));
        BinaryPrimitives.WriteUInt16LittleEndian(fields[4..], entry.Method);
        BinaryPrimitives.WriteUInt16LittleEndian(fields[6..], entry.Time);
        BinaryPrimitives.WriteUInt16LittleEndian(fields[8..], entry.Date);
        BinaryPrimitives.WriteUInt32LittleEndian(fields[10..], entry.Crc);
        BinaryPrimitives.WriteUInt32LittleEndian(fields[14..], entry.CompressedSize);
        BinaryPrimitives.WriteUInt32LittleEndian(fields[18..], entry.Size);
        BinaryPrimitives.WriteUInt16LittleEndian(fields[22..], (ushort)entry.NameBytes.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(fields[24..], 0);
    }

    // The sizes and CRC are in the local header now, so no data descriptor follows the data.
    private static ushort Flags(RawZipEntry entry) => (ushort)(entry.Flags & ~RawZipEntry.DataDescriptorFlag);

    private void Write(ReadOnlySpan<byte> bytes)
    {
        output.Write(bytes);
        _position += bytes.Length;
    }
}
