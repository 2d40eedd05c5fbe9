using Annotate.Annotators.Builtin;
using Annotate.Annotators.Documents;
using Microsoft.Extensions.Options;
using static Annotate.Annotators.Tests.Builtin.TestDocuments;

namespace Annotate.Annotators.Tests.Builtin;

public class PatternEntityAnnotatorTests
{
    private static PatternEntityAnnotator Annotator(int maxEntities = 100_000) =>
        new(Options.Create(new PatternOptions { MaxEntities = maxEntities }));

    [Fact]
    public async Task Entities_in_paragraphs_point_at_block_offset_and_line()
    {
        var context = Context(Text(
            Paragraph("Nothing here.", 1),
            Paragraph("Pay €1,234.56 to DE89 3704 0044 0532 0130 00 by 15/03/2024.", 3)));

        await Annotator().AnnotateAsync(context, CancellationToken.None);

        var entities = context.Annotations.Entities;
        Assert.Equal(["money", "iban", "date"], entities.Select(e => e.Type));
        var iban = entities[1];
        Assert.Equal(1, iban.Location.Block);
        Assert.Equal(3, iban.Location.Line);
        Assert.Equal(17, iban.Location.Offset);
        Assert.Equal("DE89 3704 0044 0532 0130 00".Length, iban.Location.Length);
        Assert.Equal("DE89370400440532013000", iban.Value);
        Assert.Equal("patterns", iban.Annotator);
        Assert.Equal("EUR", entities[0].Currency);
        Assert.Equal("2024-03-15", entities[2].Value);
    }

    [Fact]
    public async Task Text_cells_are_scanned_with_their_cell_reference_but_typed_cells_are_not()
    {
        var table = Table("Customers", ["Name", "Contact", "Since", "Balance"],
            [
                [T("Ann"), T("mail: ann@example.com"), D(2024, 3, 15), N(20240315)],
                [T("Bob"), T("+44 20 7946 0958"), T("2023-01-31"), T("12,5 %")],
            ], firstColumn: 2, headerRow: 4);
        var context = Context(Text(Paragraph("Intro", 1), table));

        await Annotator().AnnotateAsync(context, CancellationToken.None);

        var entities = context.Annotations.Entities;
        Assert.Equal(["email", "phone", "date", "percentage"], entities.Select(e => e.Type));
        var email = entities[0];
        Assert.Equal("Customers", email.Location.Sheet);
        Assert.Equal("C5", email.Location.Cell);
        Assert.Equal(1, email.Location.Block);
        Assert.Equal(6, email.Location.Offset);
        Assert.Equal(15, email.Location.Length);
        Assert.Equal("C6", entities[1].Location.Cell);
        Assert.Equal("+442079460958", entities[1].Value);
        Assert.Equal("D6", entities[2].Location.Cell);
        Assert.Equal("E6", entities[3].Location.Cell);
    }

    [Fact]
    public async Task Entities_beyond_the_limit_are_dropped_with_a_notice()
    {
        var rows = Enumerable.Range(1, 10).Select(i => (IReadOnlyList<CellValue>)[T($"user{i}@example.com")]);
        var context = Context(Text(Table("S", ["Mail"], rows)));

        await Annotator(maxEntities: 4).AnnotateAsync(context, CancellationToken.None);

        Assert.Equal(4, context.Annotations.Entities.Count);
        var notice = Assert.Single(context.Annotations.Notices);
        Assert.Equal("entities-truncated", notice.Code);
        Assert.Equal("patterns", notice.Source);
    }

    [Fact]
    public async Task Cancellation_stops_a_long_table_scan()
    {
        using var cts = new CancellationTokenSource();
        var rows = new StreamedRows(() => Enumerable.Range(0, 1_000_000).Select(i =>
        {
            if (i == 10_000)
            {
                cts.Cancel();
            }
            return new TableRow(i + 2, [T("row " + i)]);
        }), null);
        var context = Context(Text(new TableBlock { Columns = ["A"], Rows = rows }));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Annotator().AnnotateAsync(context, cts.Token));
    }

    [Fact]
    public async Task A_text_repeated_in_many_cells_is_reported_at_each_cell()
    {
        var rows = Enumerable.Range(1, 4).Select(_ => (IReadOnlyList<CellValue>)[T("mail anna@example.com")]).ToList();
        var context = Context(Text(Table("Sheet1", ["Contact"], rows)));

        await Annotator().AnnotateAsync(context, CancellationToken.None);

        Assert.Equal(["A2", "A3", "A4", "A5"], context.Annotations.Entities.Select(e => e.Location.Cell));
        Assert.All(context.Annotations.Entities, e => Assert.Equal(5, e.Location.Offset));
    }

    [Fact]
    public async Task Columns_that_repeat_and_columns_that_do_not_are_all_reported_at_each_cell()
    {
        // Column A never repeats (its texts stop being remembered after a trial), B and C repeat (remembered): every
        // cell's entity is found at its own cell either way.
        const int Rows = 5_000;
        var rows = Enumerable.Range(0, Rows).Select(i => (IReadOnlyList<CellValue>)
        [
            T($"row {i} due {1 + (i % 28)} March 2024"),
            T($"user{i % 300}@example.com"),
            T($"pay €{i % 10}.50"),
        ]).ToList();
        var context = Context(Text(Table("Sheet1", ["Note", "Mail", "Amount"], rows)));

        await Annotator().AnnotateAsync(context, CancellationToken.None);

        var entities = context.Annotations.Entities;
        Assert.Equal(3 * Rows, entities.Count);
        for (var i = 0; i < Rows; i++)
        {
            var (date, email, money) = (entities[3 * i], entities[(3 * i) + 1], entities[(3 * i) + 2]);
            var row = i + 2;
            Assert.Equal(("date", $"A{row}", $"2024-03-{1 + (i % 28):00}"), (date.Type, date.Location.Cell, date.Value));
            Assert.Equal(("email", $"B{row}", $"user{i % 300}@example.com"), (email.Type, email.Location.Cell, email.Value));
            Assert.Equal(("money", $"C{row}", $"{i % 10}.50"), (money.Type, money.Location.Cell, money.Value));
        }
    }
}
