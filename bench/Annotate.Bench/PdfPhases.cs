using System.Diagnostics;
using Annotate.Annotators.Readers.Pdf;
using UglyToad.PdfPig;

namespace Annotate.Bench;

/// <summary>
/// Where a PDF's reading time goes, page by page on one thread: PdfPig's content parsing and letters, then each step of
/// the layout analysis (words, columns, lines and blocks) and the whole analysis as the reader runs it.
/// </summary>
internal static class PdfPhases
{
    /// <summary>
    /// Times FILE, or with <c>--generate CORPUS</c> writes the corpus PDFs merged to 500 pages to FILE first, with
    /// <c>--generate-text TEXT</c> 500 pages of TEXT's paragraphs (<see cref="PdfBenchmark.GenerateFromText"/>).
    /// </summary>
    public static int Run(string[] args)
    {
        if (args.Length >= 3 && args[1] == "--generate")
        {
            var corpus = Directory.GetFiles(Path.Combine(args[2], "pdf"), "*.pdf").Order(StringComparer.Ordinal).ToList();
            File.WriteAllBytes(args[0], PdfBenchmark.Generate(corpus, 500));
        }
        else if (args.Length >= 3 && args[1] == "--generate-text")
        {
            File.WriteAllBytes(args[0], PdfBenchmark.GenerateFromText(args[2], 500));
        }
        var parsing = new ParsingOptions { UseLenientParsing = true, SkipMissingFonts = true };
        for (var round = 0; round < 5; round++)
        {
            double open = 0, letters = 0, words = 0, columns = 0, blocks = 0, analyse = 0;
            var clock = Stopwatch.StartNew();
            using (var pdf = PdfDocument.Open(args[0], parsing))
            {
                open += clock.Elapsed.TotalMilliseconds;
                for (var n = 1; n <= pdf.NumberOfPages; n++)
                {
                    clock.Restart();
                    var page = PdfGlyphs.Page(pdf, n);
                    var found = PdfWords.Build(page.Glyphs);
                    letters += clock.Elapsed.TotalMilliseconds;
                    clock.Restart();
                    found = PdfWords.Build(page.Glyphs);
                    words += clock.Elapsed.TotalMilliseconds;
                    clock.Restart();
                    var regions = found.Words.Count == 0 ? [] : PdfColumns.Split(found.Words);
                    columns += clock.Elapsed.TotalMilliseconds;
                    clock.Restart();
                    var list = new List<PdfTextBlock>();
                    foreach (var region in regions)
                    {
                        PdfTextBlocks.Build(region, list);
                    }
                    blocks += clock.Elapsed.TotalMilliseconds;
                }
            }
            // The whole analysis, as the reader runs it, on pages parsed afresh.
            using (var pdf = PdfDocument.Open(args[0], parsing))
            {
                for (var n = 1; n <= pdf.NumberOfPages; n++)
                {
                    var page = PdfGlyphs.Page(pdf, n);
                    clock.Restart();
                    _ = PdfPageLayout.Analyse(page);
                    analyse += clock.Elapsed.TotalMilliseconds;
                }
            }
            // The first Build includes the page's parsing into glyphs; the second is the word builder alone.
            Console.WriteLine($"open {open:F0} letters {letters - words:F0} words {words:F0} columns {columns:F0} lines+blocks {blocks:F0} ms; whole analysis after the letters {analyse:F0} ms");
        }
        return 0;
    }
}
