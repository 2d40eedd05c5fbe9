using Annotate.Annotators.Annotations;
using Annotate.Annotators.Documents;

namespace Annotate.Annotators.Builtin;

/// <summary>
/// Counts pages, sheets, blocks, words, characters, tables and rows, and estimates reading time at 230 words per
/// minute. Words and characters cover running text, table headers and every cell; each table is read once.
/// </summary>
public sealed class StatisticsAnnotator : IAnnotator
{
    /// <summary>The annotator's name.</summary>
    public const string AnnotatorName = "statistics";

    /// <summary>Reading speed used for the estimate, in words per minute.</summary>
    public const int WordsPerMinute = 230;

    private const int CancellationCheckRows = 4096;

    /// <inheritdoc />
    public string Name => AnnotatorName;

    /// <inheritdoc />
    public int Order => 100;

    /// <inheritdoc />
    public bool RunsAlongside => true;

    /// <inheritdoc />
    public Task<AnnotatorOutcome> AnnotateAsync(AnnotationContext context, CancellationToken cancellationToken)
    {
        var document = context.Document;
        long words = 0, characters = 0, rows = 0;
        var tables = 0;
        foreach (var block in document.Blocks)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (block is TableBlock table)
            {
                tables++;
                rows += CountTable(table, ref words, ref characters, cancellationToken);
            }
            else
            {
                var text = block.Text;
                words += TextCounting.CountWords(text);
                characters += TextCounting.CountCharacters(text);
            }
        }
        int? pages = document.Format is SourceFormat.Pdf or SourceFormat.Png or SourceFormat.Jpeg or SourceFormat.Tiff
            ? document.Properties.PageCount ?? document.Pages.Count
            : null;
        int? sheets = document.Format == SourceFormat.Xlsx ? document.Sheets.Count : null;
        context.Annotations.Statistics = new DocumentStatistics
        {
            Pages = pages,
            Sheets = sheets,
            Blocks = document.Blocks.Count,
            Words = words,
            Characters = characters,
            ReadingTimeMinutes = (int)((words + WordsPerMinute - 1) / WordsPerMinute),
            Tables = tables,
            Rows = rows,
            Annotator = AnnotatorName,
        };
        return Task.FromResult(AnnotatorOutcome.Done);
    }

    private static long CountTable(TableBlock table, ref long words, ref long characters, CancellationToken cancellationToken)
    {
        if (table.HasHeaderRow)
        {
            foreach (var header in table.Columns)
            {
                words += TextCounting.CountWords(header);
                characters += TextCounting.CountCharacters(header);
            }
        }
        var counted = 0L;
        // Numbers and dates are counted from their text rendered into this buffer, not from a string per cell.
        Span<char> buffer = stackalloc char[CellValue.MaxDerivedTextLength];
        foreach (var row in table.Rows.Scan())
        {
            if (++counted % CancellationCheckRows == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
            // By index: a foreach over the list's interface would allocate an enumerator per row.
            var cells = row.Cells;
            for (var c = 0; c < cells.Count; c++)
            {
                var cell = cells[c];
                if (cell.KnownRenderedLength() is var length and > 0)
                {
                    // A boolean, date or whole number: one word of that many characters, without rendering it.
                    words++;
                    characters += length;
                }
                else if (!cell.IsEmpty)
                {
                    var text = cell.GetText(buffer);
                    words += TextCounting.CountWords(text);
                    characters += TextCounting.CountCharacters(text);
                }
            }
        }
        // The reader's own count is authoritative when it has one (it knows about rows it skipped).
        return table.Rows.Count ?? counted;
    }
}
