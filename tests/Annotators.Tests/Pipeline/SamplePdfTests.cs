using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Annotate.Annotators.Pipeline;
using UglyToad.PdfPig;

namespace Annotate.Annotators.Tests.Pipeline;

public class SamplePdfTests
{
    [Fact]
    public void The_report_opens_without_repairs_with_every_page_its_own_text_in_its_fonts()
    {
        var bytes = SamplePdf.Build(12);

        using var pdf = PdfDocument.Open(bytes, new ParsingOptions { UseLenientParsing = false });

        Assert.Equal(12, pdf.NumberOfPages);
        var texts = pdf.GetPages().Select(p => string.Join(' ', p.GetWords().Select(w => w.Text))).ToList();
        Assert.Equal(12, texts.Distinct(StringComparer.Ordinal).Count());
        Assert.StartsWith("Section 1: quarterly review", texts[0], StringComparison.Ordinal);
        Assert.Contains("@example.com", texts[0], StringComparison.Ordinal);
        Assert.Contains("Quantity", texts[11], StringComparison.Ordinal);
        Assert.Equal(["Helvetica", "Helvetica-Bold", "Times-Roman"],
            pdf.GetPage(1).Letters.Select(l => l.FontName).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Its_cross_reference_table_points_at_each_object_and_startxref_at_the_table()
    {
        // PdfPig finds objects by searching when an offset is wrong, so the offsets are checked here, as a strict reader
        // (or one that trusts the table, as most do) would use them.
        var bytes = SamplePdf.Build(5);
        var text = Encoding.ASCII.GetString(bytes);
        var startxref = long.Parse(text[(text.LastIndexOf("startxref\n", StringComparison.Ordinal) + 10)..].Split('\n')[0], CultureInfo.InvariantCulture);
        Assert.StartsWith("xref\n", text[(int)startxref..], StringComparison.Ordinal);
        var lines = text[(int)startxref..].Split('\n');
        var count = int.Parse(lines[1].Split(' ')[1], CultureInfo.InvariantCulture);
        // The catalog, the page tree, three fonts, and a page object and its content per page; object 0 is the free head.
        Assert.Equal(1 + 5 + (2 * 5), count);
        for (var number = 1; number < count; number++)
        {
            var offset = int.Parse(lines[2 + number][..10], CultureInfo.InvariantCulture);
            Assert.StartsWith($"{number} 0 obj\n", text[offset..], StringComparison.Ordinal);
        }
        // Each stream's length is its data's: "endstream" follows right after.
        foreach (Match m in Regex.Matches(text, @"/Length (\d+) /Filter /FlateDecode >>\nstream\n"))
        {
            var end = m.Index + m.Length + int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            Assert.StartsWith("\nendstream", text[end..], StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_same_report_is_written_every_time()
    {
        Assert.Equal(SamplePdf.Build(3), SamplePdf.Build(3));
    }
}
