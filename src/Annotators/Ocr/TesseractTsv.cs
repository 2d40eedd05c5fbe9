using System.Globalization;
using System.Text;

namespace Annotate.Annotators.Ocr;

/// <summary>A word Tesseract recognised, in pixels of the image it read (origin top left).</summary>
internal sealed record OcrWord(string Text, int Left, int Top, int Width, int Height, double Confidence, int Block, int Paragraph, int Line);

/// <summary>One page (image) Tesseract read: its size in pixels and its words in reading order.</summary>
internal sealed record OcrPage(int Page, int Width, int Height, IReadOnlyList<OcrWord> Words);

/// <summary>Parses Tesseract's TSV output (<c>tesseract in out tsv</c>): level 1 rows give a page's size, level 5 rows its words.</summary>
internal static class TesseractTsv
{
    private const int PageLevel = 1;
    private const int WordLevel = 5;

    public static IReadOnlyList<OcrPage> Parse(byte[] tsv)
    {
        var pages = new List<OcrPage>();
        int page = 0, width = 0, height = 0;
        var words = new List<OcrWord>();
        using var reader = new StringReader(Encoding.UTF8.GetString(tsv));
        while (reader.ReadLine() is { } line)
        {
            var cells = line.Split('\t');
            if (cells.Length < 12 || !int.TryParse(cells[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var level))
            {
                continue; // the header row, or a line cut short
            }
            if (!TryNumbers(cells, out var numbers))
            {
                continue;
            }
            if (level == PageLevel)
            {
                if (page > 0)
                {
                    pages.Add(new OcrPage(page, width, height, words));
                    words = [];
                }
                (page, width, height) = (numbers[1], numbers[8], numbers[9]);
            }
            else if (level == WordLevel && page > 0)
            {
                // The text is everything after the eleventh tab: a tab inside a word cannot happen, but a cut one must not throw.
                var text = string.Join(' ', cells.Skip(11)).Trim();
                if (text.Length > 0 && double.TryParse(cells[10], NumberStyles.Float, CultureInfo.InvariantCulture, out var confidence))
                {
                    words.Add(new OcrWord(text, numbers[6], numbers[7], numbers[8], numbers[9], confidence, numbers[2], numbers[3], numbers[4]));
                }
            }
        }
        if (page > 0)
        {
            pages.Add(new OcrPage(page, width, height, words));
        }
        return pages;
    }

    /// <summary>Columns 1–9 (page, block, paragraph, line, word, left, top, width, height) as numbers, at their own index.</summary>
    private static bool TryNumbers(string[] cells, out int[] numbers)
    {
        numbers = new int[10];
        for (var i = 1; i < 10; i++)
        {
            if (!int.TryParse(cells[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out numbers[i]))
            {
                return false;
            }
        }
        return true;
    }
}
