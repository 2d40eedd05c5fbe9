using System.Diagnostics;
using UglyToad.PdfPig;
using UglyToad.PdfPig.DocumentLayoutAnalysis.PageSegmenter;
using UglyToad.PdfPig.DocumentLayoutAnalysis.ReadingOrderDetector;
using UglyToad.PdfPig.DocumentLayoutAnalysis.WordExtractor;

namespace Annotate.Bench;

internal static class PdfPhases
{
    public static int Run(string[] args)
    {
        var seg = new DocstrumBoundingBoxes(new DocstrumBoundingBoxes.DocstrumBoundingBoxesOptions { MaxDegreeOfParallelism = 1 });
        for (var round = 0; round < 3; round++)
        {
            double letters = 0, words = 0, blocks = 0, order = 0, open = 0;
            var c = Stopwatch.StartNew();
            using var pdf = PdfDocument.Open(args[0], new ParsingOptions { UseLenientParsing = true, SkipMissingFonts = true });
            open += c.Elapsed.TotalMilliseconds;
            for (var n = 1; n <= pdf.NumberOfPages; n++)
            {
                c.Restart();
                var page = pdf.GetPage(n);
                var l = page.Letters;
                letters += c.Elapsed.TotalMilliseconds; c.Restart();
                var w = page.GetWords(NearestNeighbourWordExtractor.Instance).Where(x => !string.IsNullOrWhiteSpace(x.Text)).ToList();
                words += c.Elapsed.TotalMilliseconds; c.Restart();
                var b = seg.GetBlocks(w);
                blocks += c.Elapsed.TotalMilliseconds; c.Restart();
                var o = UnsupervisedReadingOrderDetector.Instance.Get(b).ToList();
                order += c.Elapsed.TotalMilliseconds;
            }
            Console.WriteLine($"open {open:F0} letters {letters:F0} words {words:F0} docstrum {blocks:F0} order {order:F0} ms");
        }
        return 0;
    }
}
