using Annotate.Annotators.Builtin;
using Annotate.Annotators.Documents;
using static Annotate.Annotators.Tests.Builtin.TestDocuments;

namespace Annotate.Annotators.Tests.Builtin;

public class StatisticsAnnotatorTests
{
    [Fact]
    public async Task Counts_words_characters_blocks_tables_and_rows_exactly()
    {
        var document = Text(
            new HeadingBlock(1, "Quarterly report") { Location = SourceLocation.AtLine(1) },
            Paragraph("Revenue grew by 12 % — see below.", 3),
            new ListBlock(false, ["first item", "second"]) { Location = SourceLocation.AtLine(5) },
            Table("Data", ["Name", "Amount due"], [[T("Ann Lee"), N(10)], [T("Bob"), CellValue.Empty]]));
        var context = Context(document);

        var outcome = await new StatisticsAnnotator().AnnotateAsync(context, CancellationToken.None);

        Assert.True(outcome.Ran);
        var stats = context.Annotations.Statistics!;
        // heading 2 + paragraph 6 ("—" holds no letter or digit) + list 3 + headers 3 + cells 4
        Assert.Equal(18, stats.Words);
        // "Quarterly report" 16, paragraph 33, list 16 without its line break, headers 14, cells 7 + 2 + 3
        Assert.Equal(16 + 33 + 16 + 14 + 12, stats.Characters);
        Assert.Equal(4, stats.Blocks);
        Assert.Equal(1, stats.Tables);
        Assert.Equal(2, stats.Rows);
        Assert.Equal(1, stats.ReadingTimeMinutes);
        Assert.Null(stats.Pages);
        Assert.Null(stats.Sheets);
        Assert.Equal("statistics", stats.Annotator);
    }

    [Fact]
    public async Task Reading_time_rounds_up_at_230_words_per_minute()
    {
        var words231 = string.Join(' ', Enumerable.Repeat("word", 231));
        var context = Context(Text(Paragraph(words231, 1)));
        await new StatisticsAnnotator().AnnotateAsync(context, CancellationToken.None);
        Assert.Equal(231, context.Annotations.Statistics!.Words);
        Assert.Equal(2, context.Annotations.Statistics.ReadingTimeMinutes);

        var empty = Context(Text());
        await new StatisticsAnnotator().AnnotateAsync(empty, CancellationToken.None);
        Assert.Equal(0, empty.Annotations.Statistics!.ReadingTimeMinutes);
    }

    [Fact]
    public async Task Pdf_pages_and_workbook_sheets_are_reported_for_their_formats()
    {
        var pdf = Context(Text(Paragraph("one", 1)) with { Format = SourceFormat.Pdf, Properties = new DocumentProperties { PageCount = 3 } });
        await new StatisticsAnnotator().AnnotateAsync(pdf, CancellationToken.None);
        Assert.Equal(3, pdf.Annotations.Statistics!.Pages);

        var workbook = Context(Text() with { Format = SourceFormat.Xlsx, Sheets = [new SheetInfo { Name = "A", Index = 1 }, new SheetInfo { Name = "B", Index = 2 }] });
        await new StatisticsAnnotator().AnnotateAsync(workbook, CancellationToken.None);
        Assert.Equal(2, workbook.Annotations.Statistics!.Sheets);
        Assert.Null(workbook.Annotations.Statistics.Pages);
    }

    [Fact]
    public async Task Streamed_rows_are_counted_in_one_pass_when_the_reader_does_not_know_their_number()
    {
        var opened = 0;
        var rows = new StreamedRows(() =>
        {
            opened++;
            return Enumerable.Range(0, 5000).Select(i => new TableRow(i + 2, [T("x y")]));
        }, count: null);
        var table = new TableBlock { Columns = ["Col"], Rows = rows, HasHeaderRow = true };
        var context = Context(Text(table));
        await new StatisticsAnnotator().AnnotateAsync(context, CancellationToken.None);
        Assert.Equal(5000, context.Annotations.Statistics!.Rows);
        Assert.Equal(10001, context.Annotations.Statistics.Words);
        Assert.Equal(1, opened);
    }
}
