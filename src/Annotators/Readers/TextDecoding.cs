using System.Text;

namespace Annotate.Annotators.Readers;

/// <summary>Decodes text files whose encoding is not declared: BOMs first, then strict UTF-8, then Windows-1252.</summary>
public static class TextDecoding
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    static TextDecoding() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    /// <summary>Decodes <paramref name="bytes"/> and reports the encoding's web name (e.g. <c>utf-8</c>).</summary>
    public static string Decode(byte[] bytes, out string encodingName)
    {
        var span = bytes.AsSpan();
        if (span.StartsWith(new byte[] { 0xEF, 0xBB, 0xBF }))
        {
            encodingName = "utf-8";
            return Encoding.UTF8.GetString(span[3..]);
        }
        if (span.StartsWith(new byte[] { 0xFF, 0xFE }))
        {
            encodingName = "utf-16";
            return Encoding.Unicode.GetString(span[2..]);
        }
        if (span.StartsWith(new byte[] { 0xFE, 0xFF }))
        {
            encodingName = "utf-16BE";
            return Encoding.BigEndianUnicode.GetString(span[2..]);
        }
        try
        {
            encodingName = "utf-8";
            return StrictUtf8.GetString(span);
        }
        catch (DecoderFallbackException)
        {
            // A sniffed prefix may end inside a multi-byte sequence; only the last 3 bytes may be incomplete.
            if (bytes.Length > 3 && IsValidUtf8(span[..^3]))
            {
                encodingName = "utf-8";
                return Encoding.UTF8.GetString(span);
            }
            encodingName = "windows-1252";
            return Encoding.GetEncoding(1252).GetString(span);
        }
    }

    private static bool IsValidUtf8(ReadOnlySpan<byte> span)
    {
        try
        {
            StrictUtf8.GetCharCount(span);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }
}
