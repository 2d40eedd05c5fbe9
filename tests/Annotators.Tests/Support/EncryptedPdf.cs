using System.Globalization;
using System.Security.Cryptography;
using System.Text;

// RC4 and MD5 are what the PDF revision 2 security handler is made of.
#pragma warning disable CA5351

namespace Annotate.Annotators.Tests.Support;

/// <summary>
/// Writes a one-page PDF encrypted with the standard security handler (RC4, 40-bit, revision 2) so that it
/// opens only with the user password: a real password-protected file, made without external tools.
/// </summary>
public static class EncryptedPdf
{
    private static readonly byte[] Padding =
    [
        0x28, 0xBF, 0x4E, 0x5E, 0x4E, 0x75, 0x8A, 0x41, 0x64, 0x00, 0x4E, 0x56, 0xFF, 0xFA, 0x01, 0x08,
        0x2E, 0x2E, 0x00, 0xB6, 0xD0, 0x68, 0x3E, 0x80, 0x2F, 0x0C, 0xA9, 0xFE, 0x64, 0x53, 0x69, 0x7A,
    ];

    public static byte[] Create(string userPassword, string ownerPassword, string text)
    {
        const int permissions = -3904;
        var id = MD5.HashData(Encoding.ASCII.GetBytes(text + userPassword));

        // Algorithm 3: the owner entry.
        var ownerKey = MD5.HashData(Pad(ownerPassword))[..5];
        var owner = Rc4(ownerKey, Pad(userPassword));
        // Algorithm 2: the file key; algorithm 4: the user entry.
        var keyInput = new List<byte>();
        keyInput.AddRange(Pad(userPassword));
        keyInput.AddRange(owner);
        keyInput.AddRange(BitConverter.GetBytes(permissions));
        keyInput.AddRange(id);
        var fileKey = MD5.HashData(keyInput.ToArray())[..5];
        var user = Rc4(fileKey, Padding);

        var content = Encoding.ASCII.GetBytes($"BT /F1 12 Tf 72 720 Td ({text}) Tj ET");
        var encryptedContent = Rc4(ObjectKey(fileKey, 4), content);

        using var pdf = new MemoryStream();
        var offsets = new List<long>();
        void Write(string s) => pdf.Write(Encoding.Latin1.GetBytes(s));
        void Object(int number, string body)
        {
            offsets.Add(pdf.Position);
            Write($"{number} 0 obj\n{body}\nendobj\n");
        }

        Write("%PDF-1.4\n%\u00e2\u00e3\u00cf\u00d3\n");
        Object(1, "<< /Type /Catalog /Pages 2 0 R >>");
        Object(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
        Object(3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>");
        offsets.Add(pdf.Position);
        Write($"4 0 obj\n<< /Length {encryptedContent.Length} >>\nstream\n");
        pdf.Write(encryptedContent);
        Write("\nendstream\nendobj\n");
        Object(5, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
        Object(6, $"<< /Filter /Standard /V 1 /R 2 /O <{Convert.ToHexString(owner)}> /U <{Convert.ToHexString(user)}> /P {permissions} >>");

        var xref = pdf.Position;
        Write($"xref\n0 {offsets.Count + 1}\n0000000000 65535 f \n");
        foreach (var offset in offsets)
        {
            Write(offset.ToString("D10", CultureInfo.InvariantCulture) + " 00000 n \n");
        }
        var hexId = Convert.ToHexString(id);
        Write($"trailer\n<< /Size {offsets.Count + 1} /Root 1 0 R /Encrypt 6 0 R /ID [<{hexId}> <{hexId}>] >>\nstartxref\n{xref}\n%%EOF\n");
        return pdf.ToArray();
    }

    private static byte[] Pad(string password)
    {
        var bytes = Encoding.Latin1.GetBytes(password);
        return [.. bytes.Take(32), .. Padding.Take(32 - Math.Min(32, bytes.Length))];
    }

    private static byte[] ObjectKey(byte[] fileKey, int objectNumber)
    {
        byte[] input = [.. fileKey, (byte)objectNumber, (byte)(objectNumber >> 8), (byte)(objectNumber >> 16), 0, 0];
        return MD5.HashData(input)[..Math.Min(fileKey.Length + 5, 16)];
    }

    private static byte[] Rc4(byte[] key, byte[] data)
    {
        var s = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        for (int i = 0, j = 0; i < 256; i++)
        {
            j = (j + s[i] + key[i % key.Length]) & 0xFF;
            (s[i], s[j]) = (s[j], s[i]);
        }
        var output = new byte[data.Length];
        for (int k = 0, i = 0, j = 0; k < data.Length; k++)
        {
            i = (i + 1) & 0xFF;
            j = (j + s[i]) & 0xFF;
            (s[i], s[j]) = (s[j], s[i]);
            output[k] = (byte)(data[k] ^ s[(s[i] + s[j]) & 0xFF]);
        }
        return output;
    }
}
