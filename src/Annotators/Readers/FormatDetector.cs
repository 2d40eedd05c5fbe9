using System.IO.Compression;
using System.Text;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Pipeline;

namespace Annotate.Annotators.Readers;

/// <summary>
/// Tells a document's format from its bytes (magic numbers, ZIP entries, text sniffing). The file name's
/// extension only breaks ties between text formats (plain text, Markdown, CSV).
/// </summary>
public sealed class FormatDetector
{
    private const int SniffBytes = 64 * 1024;
    private static readonly byte[] Ole2Magic = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

    /// <summary>Detects the format, or throws <see cref="AnnotationException"/> saying why the bytes cannot be read.</summary>
    public SourceFormat Detect(DocumentSource source)
    {
        using var stream = source.OpenRead();
        return Detect(stream, source.FileName);
    }

    /// <summary>
    /// Detects the format of the bytes of a seekable <paramref name="stream"/> (read from its start; a gateway checks an
    /// upload with it before accepting it), or throws <see cref="AnnotationException"/> saying why they cannot be read.
    /// </summary>
    public SourceFormat Detect(Stream stream, string fileName)
    {
        stream.Position = 0;
        if (stream.Length == 0)
        {
            throw new AnnotationException(FailureReason.Empty, $"'{fileName}' is empty (0 bytes).");
        }

        var head = new byte[(int)Math.Min(SniffBytes, stream.Length)];
        stream.ReadExactly(head);

        if (IndexOf(head.AsSpan(0, Math.Min(1024, head.Length)), "%PDF-"u8) >= 0)
        {
            return SourceFormat.Pdf;
        }
        if (head.AsSpan().StartsWith("PK\u0003\u0004"u8))
        {
            stream.Position = 0;
            return DetectZip(stream, fileName);
        }
        if (head.AsSpan().StartsWith(Ole2Magic))
        {
            // Password-protected .xlsx/.docx files are OLE2 containers with an EncryptionInfo stream.
            stream.Position = 0;
            var ole = new byte[(int)Math.Min(stream.Length, 4 * 1024 * 1024)];
            stream.ReadExactly(ole);
            if (IndexOf(ole, Encoding.Unicode.GetBytes("EncryptionInfo")) >= 0)
            {
                throw new AnnotationException(FailureReason.Encrypted,
                    $"'{fileName}' is a password-protected Office document; remove the password and submit it again.");
            }
            throw new AnnotationException(FailureReason.UnsupportedFormat,
                $"'{fileName}' is a legacy binary Office file (.xls/.doc); save it as .xlsx or .docx and submit it again.");
        }
        if (ImageFormat(head) is { } image)
        {
            return image;
        }
        if (LooksLikeText(head, out var text))
        {
            return TextFormats.Sniff(text, fileName);
        }
        throw new AnnotationException(FailureReason.UnknownFormat,
            $"'{fileName}' is not a format Annotate reads (PDF, XLSX, DOCX, PPTX, HTML, EML, ZIP, CSV/TSV, text, Markdown, PNG, JPEG, TIFF): its first bytes are {Convert.ToHexString(head.AsSpan(0, Math.Min(8, head.Length)))}.");
    }

    private static SourceFormat DetectZip(Stream stream, string fileName)
    {
        try
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
            var names = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.OrdinalIgnoreCase);
            if (names.Contains("xl/workbook.xml") || names.Contains("xl/workbook.bin"))
            {
                if (names.Contains("xl/workbook.bin"))
                {
                    throw new AnnotationException(FailureReason.UnsupportedFormat,
                        $"'{fileName}' is a binary workbook (.xlsb); save it as .xlsx and submit it again.");
                }
                return SourceFormat.Xlsx;
            }
            if (names.Contains("word/document.xml"))
            {
                return SourceFormat.Docx;
            }
            if (names.Contains("ppt/presentation.xml"))
            {
                return SourceFormat.Pptx;
            }
            // Any other archive is a container: its entries become documents of their own.
            return SourceFormat.Zip;
        }
        catch (InvalidDataException ex)
        {
            throw new AnnotationException(FailureReason.Corrupt,
                $"'{fileName}' starts like a ZIP-based Office file but the archive is damaged or truncated: {ex.Message}", inner: ex);
        }
    }

    private static SourceFormat? ImageFormat(ReadOnlySpan<byte> head) =>
        head.StartsWith(PngMagic) ? SourceFormat.Png
        : head.StartsWith(JpegMagic) ? SourceFormat.Jpeg
        : head.StartsWith("II*\0"u8) || head.StartsWith("MM\0*"u8) || head.StartsWith("II+\0"u8) || head.StartsWith("MM\0+"u8) ? SourceFormat.Tiff
        : null;

    private static readonly byte[] PngMagic = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
    private static readonly byte[] JpegMagic = [0xFF, 0xD8, 0xFF];

    private static bool LooksLikeText(byte[] head, out string text)
    {
        text = string.Empty;
        var span = head.AsSpan();
        if (span.StartsWith(new byte[] { 0xFF, 0xFE }) || span.StartsWith(new byte[] { 0xFE, 0xFF }))
        {
            text = (span[0] == 0xFF ? Encoding.Unicode : Encoding.BigEndianUnicode).GetString(span[2..]);
            return true;
        }
        if (span.StartsWith(new byte[] { 0xEF, 0xBB, 0xBF }))
        {
            span = span[3..];
        }
        var control = 0;
        foreach (var b in span)
        {
            if (b == 0)
            {
                return false;
            }
            if (b < 0x20 && b is not (byte)'\n' and not (byte)'\r' and not (byte)'\t' and not 0x0C)
            {
                control++;
            }
        }
        if (control > span.Length / 100)
        {
            return false;
        }
        text = TextDecoding.Decode(span.ToArray(), out _);
        return true;
    }

    private static int IndexOf(ReadOnlySpan<byte> haystack, ReadOnlySpan<byte> needle) => haystack.IndexOf(needle);
}
