using System.Globalization;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace Annotate.Annotators.Pipeline;

/// <summary>
/// A generated report of any length: on every page a heading, two paragraphs of prose that no other page repeats (dates,
/// amounts and e-mail addresses among the words), a four-column table of figures and a page number, in three standard
/// fonts. The engine's warm-up reads one long enough for the PDF reader's per-page code to be compiled optimised, which
/// otherwise first runs, unoptimised, in the first long PDF a user sends.
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

    /// <summary>Writes a report of <paramref name="pages"/> pages to <paramref name="path"/>.</summary>
    internal static void Write(string path, int pages) => File.WriteAllBytes(path, Build(pages));

    /// <summary>A report of <paramref name="pages"/> pages.</summary>
    internal static byte[] Build(int pages)
    {
        var builder = new PdfDocumentBuilder();
        var body = builder.AddStandard14Font(Standard14Font.TimesRoman);
        var bold = builder.AddStandard14Font(Standard14Font.HelveticaBold);
        var figures = builder.AddStandard14Font(Standard14Font.Helvetica);
        var random = new Random(42);
        var start = new DateTime(2024, 1, 1);
        for (var p = 1; p <= pages; p++)
        {
            var page = builder.AddPage(PageSize.A4);
            var y = 780.0;
            page.AddText("Section " + p.ToString(CultureInfo.InvariantCulture) + ": quarterly review", 16, new PdfPoint(72, y), bold);
            y -= 30;
            for (var paragraph = 0; paragraph < 2; paragraph++)
            {
                for (var line = 0; line < 12; line++, y -= 13)
                {
                    page.AddText(Line(random, start), 10, new PdfPoint(72, y), body);
                }
                y -= 13;
            }
            y -= 10;
            string[] header = ["Item", "Date", "Quantity", "Amount"];
            for (var c = 0; c < header.Length; c++)
            {
                page.AddText(header[c], 10, new PdfPoint(72 + (c * 120), y), bold);
            }
            y -= 14;
            for (var row = 0; row < 12; row++, y -= 13)
            {
                page.AddText("Item " + random.Next(1000).ToString(CultureInfo.InvariantCulture), 10, new PdfPoint(72, y), figures);
                page.AddText(start.AddDays(random.Next(700)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), 10, new PdfPoint(192, y), figures);
                page.AddText(random.Next(1, 500).ToString(CultureInfo.InvariantCulture), 10, new PdfPoint(312, y), figures);
                page.AddText((random.NextDouble() * 10_000).ToString("N2", CultureInfo.InvariantCulture), 10, new PdfPoint(432, y), figures);
            }
            page.AddText(p.ToString(CultureInfo.InvariantCulture), 9, new PdfPoint(297, 40), figures);
        }
        return builder.Build();
    }

    /// <summary>A line of prose of about 90 characters; now and then a date, an amount or an e-mail address among the words.</summary>
    private static string Line(Random random, DateTime start)
    {
        var line = new System.Text.StringBuilder();
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
}
