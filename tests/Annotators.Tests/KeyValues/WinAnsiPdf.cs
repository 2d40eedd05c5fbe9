using System.Globalization;
using System.Text;

namespace Annotate.Annotators.Tests.KeyValues;

/// <summary>
/// Writes a one-page PDF with Helvetica and Helvetica-Bold in WinAnsiEncoding, so German and French text (ä, é, °, €, ·)
/// is real text without a font file: PdfPig's writer embeds only TrueType fonts for characters past ASCII.
/// </summary>
public sealed class WinAnsiPdf
{
    private readonly StringBuilder _content = new();

    /// <summary>Writes a line of text with its baseline starting at (x, y), in points from the bottom left.</summary>
    public void Text(string text, double x, double y, double size = 10, bool bold = false)
    {
        var escaped = new StringBuilder();
        foreach (var c in text)
        {
            escaped.Append(c is '(' or ')' or '\\' ? "\\" + c : c.ToString());
        }
        _content.Append(CultureInfo.InvariantCulture, $"BT /{(bold ? "F2" : "F1")} {size} Tf {x} {y} Td ({escaped}) Tj ET\n");
    }

    public void Save(string path)
    {
        var content = Encode(_content.ToString());
        var objects = new List<byte[]>
        {
            Ascii("<< /Type /Catalog /Pages 2 0 R >>"),
            Ascii("<< /Type /Pages /Kids [3 0 R] /Count 1 >>"),
            Ascii("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>"),
            Ascii("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"),
            Ascii("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>"),
            Ascii($"<< /Length {content.Length} >>\nstream\n").Concat(content).Concat(Ascii("\nendstream")).ToArray(),
        };
        Write(path, objects);
    }

    /// <summary>Writes a PDF of these objects (numbered from 1, the first the catalog) with its cross-reference table.</summary>
    public static void Write(string path, IReadOnlyList<byte[]> objects)
    {
        using var file = new MemoryStream();
        file.Write(Ascii("%PDF-1.4\n"));
        var offsets = new List<long>();
        for (var i = 0; i < objects.Count; i++)
        {
            offsets.Add(file.Position);
            file.Write(Ascii($"{i + 1} 0 obj\n"));
            file.Write(objects[i]);
            file.Write(Ascii("\nendobj\n"));
        }
        var xref = file.Position;
        file.Write(Ascii($"xref\n0 {objects.Count + 1}\n0000000000 65535 f \n"));
        foreach (var offset in offsets)
        {
            file.Write(Ascii(offset.ToString("D10", CultureInfo.InvariantCulture) + " 00000 n \n"));
        }
        file.Write(Ascii($"trailer\n<< /Size {objects.Count + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"));
        File.WriteAllBytes(path, file.ToArray());
    }

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    /// <summary>Windows-1252: Latin-1 for most letters, with the euro sign and typographic marks in 0x80–0x9F.</summary>
    private static byte[] Encode(string text) => text.Select(c => c switch
    {
        '€' => (byte)0x80,
        '–' => (byte)0x96,
        '’' => (byte)0x92,
        < (char)256 => (byte)c,
        _ => throw new ArgumentException($"'{c}' is not in WinAnsiEncoding."),
    }).ToArray();
}
