using System.Buffers.Binary;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Pipeline;

namespace Annotate.Annotators.Readers.Image;

/// <summary>The size in pixels of one page of an image file.</summary>
internal sealed record ImagePageSize(int Width, int Height)
{
    public long Pixels => (long)Width * Height;
}

/// <summary>
/// Reads the page sizes an image file declares (PNG's IHDR, JPEG's start-of-frame, each IFD of a TIFF) without decoding
/// it, so a decompression bomb (a small file declaring a huge image, or a TIFF with thousands of pages) is refused
/// before any decoder allocates for it.
/// </summary>
internal static class ImageHeader
{
    /// <summary>The pages' sizes; throws <see cref="AnnotationException"/> when the header is damaged or declares more than <paramref name="maxPages"/> pages.</summary>
    public static IReadOnlyList<ImagePageSize> Read(Stream stream, SourceFormat format, string fileName, int maxPages)
    {
        try
        {
            return format switch
            {
                SourceFormat.Png => [Png(stream)],
                SourceFormat.Jpeg => [Jpeg(stream)],
                SourceFormat.Tiff => Tiff(stream, fileName, maxPages),
                _ => throw new ArgumentOutOfRangeException(nameof(format), format, "not an image format"),
            };
        }
        catch (Exception ex) when (ex is EndOfStreamException or InvalidDataException)
        {
            throw new AnnotationException(FailureReason.Corrupt,
                $"'{fileName}' is not a readable {format.ToString().ToUpperInvariant()} image (damaged or truncated header): {ex.Message}", inner: ex);
        }
    }

    private static ImagePageSize Png(Stream stream)
    {
        // Signature (8 bytes), then the IHDR chunk: length, "IHDR", width, height, big-endian.
        var head = ReadAt(stream, 0, 24);
        if (!head.AsSpan(12, 4).SequenceEqual("IHDR"u8))
        {
            throw new InvalidDataException("the first chunk is not IHDR");
        }
        return Size(BinaryPrimitives.ReadInt32BigEndian(head.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(head.AsSpan(20)));
    }

    private static ImagePageSize Jpeg(Stream stream)
    {
        long position = 2;
        while (true)
        {
            var marker = ReadAt(stream, position, 4);
            if (marker[0] != 0xFF)
            {
                throw new InvalidDataException("a segment does not start with a marker");
            }
            var kind = marker[1];
            if (kind == 0xFF)
            {
                position++; // fill byte
                continue;
            }
            if (kind is 0xD8 or 0x01 or (>= 0xD0 and <= 0xD7))
            {
                position += 2; // markers without a length
                continue;
            }
            if (kind is 0xD9 or 0xDA)
            {
                throw new InvalidDataException("no frame header before the image data");
            }
            var length = BinaryPrimitives.ReadUInt16BigEndian(marker.AsSpan(2));
            // Start of frame: every SOFn but DHT (C4), JPG (C8) and DAC (CC).
            if (kind is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                var frame = ReadAt(stream, position + 4, 5);
                return Size(BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(3)), BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(1)));
            }
            if (length < 2)
            {
                throw new InvalidDataException("a segment is shorter than its own length field");
            }
            position += 2 + length;
        }
    }

    private static List<ImagePageSize> Tiff(Stream stream, string fileName, int maxPages)
    {
        var head = ReadAt(stream, 0, 8);
        var little = head[0] == (byte)'I';
        if (ReadUInt16(head.AsSpan(2), little) == 43)
        {
            throw new AnnotationException(FailureReason.UnsupportedFormat, $"'{fileName}' is a BigTIFF; save it as a plain TIFF, PNG or PDF and submit it again.");
        }
        var pages = new List<ImagePageSize>();
        var seen = new HashSet<long>();
        long offset = ReadUInt32(head.AsSpan(4), little);
        while (offset != 0)
        {
            if (!seen.Add(offset))
            {
                throw new InvalidDataException("its pages form a loop");
            }
            if (pages.Count == maxPages)
            {
                throw new AnnotationException(FailureReason.TooLarge,
                    $"'{fileName}' has more than {maxPages} pages, the most OCR reads of one document (Annotate:Ocr:MaxPages).");
            }
            var count = ReadUInt16(ReadAt(stream, offset, 2), little);
            var entries = ReadAt(stream, offset + 2, (count * 12) + 4);
            int width = 0, height = 0;
            for (var i = 0; i < count; i++)
            {
                var entry = entries.AsSpan(i * 12, 12);
                var tag = ReadUInt16(entry, little);
                var type = ReadUInt16(entry[2..], little);
                // SHORT (3) values sit in the first two bytes of the value field, LONG (4) fill it.
                var value = type == 3 ? ReadUInt16(entry[8..], little) : ReadUInt32(entry[8..], little);
                if (tag == 256)
                {
                    width = (int)Math.Min(int.MaxValue, value);
                }
                else if (tag == 257)
                {
                    height = (int)Math.Min(int.MaxValue, value);
                }
            }
            pages.Add(Size(width, height));
            offset = ReadUInt32(entries.AsSpan(count * 12), little);
        }
        if (pages.Count == 0)
        {
            throw new InvalidDataException("it has no pages");
        }
        return pages;
    }

    private static ImagePageSize Size(long width, long height) =>
        width <= 0 || height <= 0 || width > int.MaxValue || height > int.MaxValue
            ? throw new InvalidDataException($"it declares a size of {width} × {height} pixels")
            : new ImagePageSize((int)width, (int)height);

    private static ushort ReadUInt16(ReadOnlySpan<byte> bytes, bool little) =>
        little ? BinaryPrimitives.ReadUInt16LittleEndian(bytes) : BinaryPrimitives.ReadUInt16BigEndian(bytes);

    private static uint ReadUInt32(ReadOnlySpan<byte> bytes, bool little) =>
        little ? BinaryPrimitives.ReadUInt32LittleEndian(bytes) : BinaryPrimitives.ReadUInt32BigEndian(bytes);

    private static byte[] ReadAt(Stream stream, long offset, int count)
    {
        if (offset < 0 || offset + count > stream.Length)
        {
            throw new EndOfStreamException("it ends inside its header");
        }
        stream.Position = offset;
        var bytes = new byte[count];
        stream.ReadExactly(bytes);
        return bytes;
    }
}
