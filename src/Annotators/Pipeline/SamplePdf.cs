using System.Buffers;
using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace Annotate.Annotators.Pipeline;

/// <summary>
/// A generated report of any length: on every page a heading, two paragraphs of prose that no other page repeats (dates,
/// amounts and e-mail addresses among the words), a four-column table of figures and a page number, in three standard
/// fonts, each page's content stream compressed as most PDFs' are. The engine's warm-up reads a one-page one with the
/// other formats' samples, then one long enough for the PDF reader's per-page code to be compiled optimised, which
/// otherwise first runs, unoptimised, in the first long PDF a user sends. Written directly rather than with PdfPig's
/// builder, which takes about 2 s and 2.7 GB of allocations for 200 such pages: this takes milliseconds.
/// </summary>
internal static class SamplePdf
{
    private static readonly string[] Words =
    [
        "the", "board", "approved", "budget", "for", "quarter", "revenue", "grew", "while", "costs", "of", "supplies",
        "fell", "and", "the", "committee", "reviewed", "contracts", "with", "suppliers", "in", "each", "region", "after",
        "audit", "findings", "were", "closed", "by", "finance", "team", "before", "year", "end", "report", "shows",
        "margin", "invoice", "payment", "terms", "delivery", "schedule", "risk", "register", "owner", "action",
    ];

    /// <summary>The fonts, by resource name: body text, headings and the table's header, figures.</summary>
    private static readonly (string Name, string BaseFont)[] Fonts = [("F1", "Times-Roman"), ("F2", "Helvetica-Bold"), ("F3", "Helvetica")];

    /// <summary>Writes a report of <paramref name="pages"/> pages to <paramref name="path"/>.</summary>
    internal static void Write(string path, int pages) => File.WriteAllBytes(path, Build(pages));

    /// <summary>A report of <paramref name="pages"/> pages.</summary>
    internal static byte[] Build(int pages)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pages);
        // Objects: 1 the catalog, 2 the page tree, 3–5 the fonts, then for each page its page object and its content.
        var pdf = new PdfFile();
        pdf.Add(1, "<< /Type /Catalog /Pages 2 0 R >>");
        var kids = string.Join(' ', Enumerable.Range(0, pages).Select(p => (6 + (2 * p)).ToString(CultureInfo.InvariantCulture) + " 0 R"));
        pdf.Add(2, $"<< /Type /Pages /Kids [{kids}] /Count {pages} >>");
        for (var f = 0; f < Fonts.Length; f++)
        {
            pdf.Add(3 + f, $"<< /Type /Font /Subtype /Type1 /BaseFont /{Fonts[f].BaseFont} /Encoding /WinAnsiEncoding >>");
        }
        var resources = "<< /Font << " + string.Join(' ', Fonts.Select((f, i) => $"/{f.Name} {3 + i} 0 R")) + " >> >>";
        var random = new Random(42);
        for (var p = 1; p <= pages; p++)
        {
            var page = 6 + (2 * (p - 1));
            pdf.Add(page, $"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources {resources} /Contents {page + 1} 0 R >>");
            pdf.AddStream(page + 1, Content(p, random));
        }
        return pdf.Finish(rootObject: 1);
    }

    /// <summary>Page <paramref name="number"/>'s content stream.</summary>
    private static byte[] Content(int number, Random random)
    {
        var start = new DateTime(2024, 1, 1);
        var content = new StringBuilder();
        void Text(string font, int size, double x, double y, string text) => content.Append(CultureInfo.InvariantCulture,
            $"BT /{font} {size} Tf {x:0.##} {y:0.##} Td ({Escape(text)}) Tj ET\n");
        var y = 780.0;
        Text("F2", 16, 72, y, "Section " + number.ToString(CultureInfo.InvariantCulture) + ": quarterly review");
        y -= 30;
        for (var paragraph = 0; paragraph < 2; paragraph++)
        {
            for (var line = 0; line < 12; line++, y -= 13)
            {
                Text("F1", 10, 72, y, Line(random, start));
            }
            y -= 13;
        }
        y -= 10;
        string[] header = ["Item", "Date", "Quantity", "Amount"];
        for (var c = 0; c < header.Length; c++)
        {
            Text("F2", 10, 72 + (c * 120), y, header[c]);
        }
        y -= 14;
        for (var row = 0; row < 12; row++, y -= 13)
        {
            Text("F3", 10, 72, y, "Item " + random.Next(1000).ToString(CultureInfo.InvariantCulture));
            Text("F3", 10, 192, y, start.AddDays(random.Next(700)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            Text("F3", 10, 312, y, random.Next(1, 500).ToString(CultureInfo.InvariantCulture));
            Text("F3", 10, 432, y, (random.NextDouble() * 10_000).ToString("N2", CultureInfo.InvariantCulture));
        }
        Text("F3", 9, 297, 40, number.ToString(CultureInfo.InvariantCulture));
        return Encoding.ASCII.GetBytes(content.ToString());
    }

    /// <summary>A line of prose of about 90 characters; now and then a date, an amount or an e-mail address among the words.</summary>
    private static string Line(Random random, DateTime start)
    {
        var line = new StringBuilder();
        while (line.Length < 85)
        {
            if (line.Length > 0)
            {
                line.Append(' ');
            }
            line.Append(random.Next(12) switch
            {
                0 => start.AddDays(random.Next(700)).ToString("d MMMM yyyy", CultureInfo.InvariantCulture),
                1 => "EUR " + (random.NextDouble() * 50_000).ToString("N2", CultureInfo.InvariantCulture),
                2 => "contact" + random.Next(100).ToString(CultureInfo.InvariantCulture) + "@example.com",
                _ => Words[random.Next(Words.Length)],
            });
        }
        return line.ToString();
    }

    /// <summary>A PDF literal string's text: backslash and parentheses escaped (the text is ASCII).</summary>
    private static string Escape(string text) => text.Replace("\\", "\\\\", StringComparison.Ordinal)
        .Replace("(", "\\(", StringComparison.Ordinal).Replace(")", "\\)", StringComparison.Ordinal);

    /// <summary>A PDF file's body written object by object, then its cross-reference table and trailer.</summary>
    private sealed class PdfFile
    {
        private readonly ArrayBufferWriter<byte> _bytes = new(64 * 1024);
        private readonly SortedDictionary<int, long> _offsets = [];

        public PdfFile() => Ascii("%PDF-1.7\n");

        public void Add(int number, string dictionary)
        {
            _offsets.Add(number, _bytes.WrittenCount);
            Ascii($"{number} 0 obj\n{dictionary}\nendobj\n");
        }

        /// <summary>A stream object whose data is <paramref name="data"/> compressed with Flate (zlib).</summary>
        public void AddStream(int number, byte[] data)
        {
            using var compressed = new MemoryStream();
            using (var zlib = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
            {
                zlib.Write(data);
            }
            _offsets.Add(number, _bytes.WrittenCount);
            Ascii($"{number} 0 obj\n<< /Length {compressed.Length} /Filter /FlateDecode >>\nstream\n");
            _bytes.Write(compressed.GetBuffer().AsSpan(0, (int)compressed.Length));
            Ascii("\nendstream\nendobj\n");
        }

        public byte[] Finish(int rootObject)
        {
            var xref = _bytes.WrittenCount;
            var count = _offsets.Count + 1;
            var table = new StringBuilder();
            table.Append(CultureInfo.InvariantCulture, $"xref\n0 {count}\n0000000000 65535 f \n");
            var expected = 1;
            foreach (var (number, offset) in _offsets)
            {
                if (number != expected++)
                {
                    throw new InvalidOperationException("the objects are numbered 1 to n without a gap");
                }
                table.Append(CultureInfo.InvariantCulture, $"{offset:D10} 00000 n \n");
            }
            table.Append(CultureInfo.InvariantCulture, $"trailer\n<< /Size {count} /Root {rootObject} 0 R >>\nstartxref\n{xref}\n%%EOF\n");
            Ascii(table.ToString());
            return _bytes.WrittenSpan.ToArray();
        }

        private void Ascii(string text) => _bytes.Write(Encoding.ASCII.GetBytes(text).AsSpan());
    }
}
