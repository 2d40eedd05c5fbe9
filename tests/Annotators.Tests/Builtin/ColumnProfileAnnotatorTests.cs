using System.Globalization;
using Annotate.Annotators.Annotations;
using Annotate.Annotators.Builtin;
using Annotate.Annotators.Documents;
using Microsoft.Extensions.Options;
using static Annotate.Annotators.Tests.Builtin.TestDocuments;

namespace Annotate.Annotators.Tests.Builtin;

public class ColumnProfileAnnotatorTests
{
    private static ColumnProfileAnnotator Annotator() => new(Options.Create(new PatternOptions()));

    private static async Task<List<ColumnProfile>> ProfileAsync(TableBlock table)
    {
        var context = Context(Text(Paragraph("intro", 1), table) with { Format = SourceFormat.Xlsx });
        var outcome = await Annotator().AnnotateAsync(context, CancellationToken.None);
        Assert.True(outcome.Ran);
        return context.Annotations.Columns;
    }

    [Fact]
    public async Task Column_types_ranges_and_statistics_are_inferred()
    {
        var rows = new List<IReadOnlyList<CellValue>>();
        for (var i = 1; i <= 20; i++)
        {
            rows.Add(
            [
                N(i),                                                   // integer
                i == 7 ? CellValue.Empty : T((i * 1.5).ToString(CultureInfo.InvariantCulture)), // number, as text, one empty
                D(2024, 1, i),                                          // date
                i % 2 == 0 ? T("yes please") : N(i),                   // mixed
                CellValue.FromBoolean(i % 3 == 0),                     // boolean
                T(i <= 10 ? "north" : "south"),                        // text, 2 distinct
                CellValue.Empty,                                       // empty
            ]);
        }
        var profiles = await ProfileAsync(Table("Sales", ["Id", "Ratio", "Day", "Notes", "Flag", "Region", "Blank"], rows, firstColumn: 2, headerRow: 3));

        Assert.Equal(["integer", "number", "date", "mixed", "boolean", "text", "empty"], profiles.Select(p => p.InferredType));
        var id = profiles[0];
        Assert.Equal("B4:B23", id.Range);
        Assert.Equal("Sales", id.Sheet);
        Assert.Equal("Id", id.Header);
        Assert.Equal(20, id.Count);
        Assert.Equal(20, id.DistinctCount);
        Assert.False(id.DistinctIsEstimate);
        Assert.Equal("1", id.Min);
        Assert.Equal("20", id.Max);
        Assert.Equal(["1", "2", "3", "4", "5"], id.Examples);

        var ratio = profiles[1];
        Assert.Equal(0.05, ratio.EmptyRatio);
        Assert.Equal("1.5", ratio.Min);
        Assert.Equal("30", ratio.Max);
        Assert.Equal(19, ratio.DistinctCount);

        Assert.Equal("2024-01-01", profiles[2].Min);
        Assert.Equal("2024-01-20", profiles[2].Max);
        Assert.Null(profiles[3].Min);
        Assert.Equal(2, profiles[5].DistinctCount);
        Assert.Equal(["north", "south"], profiles[5].Examples);
        Assert.Equal(1.0, profiles[6].EmptyRatio);
        Assert.Equal(0, profiles[6].DistinctCount);
        Assert.All(profiles, p => Assert.Equal("columns", p.Annotator));
    }

    [Fact]
    public async Task A_type_needs_95_percent_of_the_cells_or_the_column_is_mixed()
    {
        IReadOnlyList<CellValue> Row(int i, int textRows) => [i < textRows ? T("n/a") : N(i)];
        var almost = await ProfileAsync(Table("S", ["A"], Enumerable.Range(0, 100).Select(i => Row(i, 5))));
        Assert.Equal("integer", almost[0].InferredType);
        var notQuite = await ProfileAsync(Table("S", ["A"], Enumerable.Range(0, 100).Select(i => Row(i, 6))));
        Assert.Equal("mixed", notQuite[0].InferredType);
    }

    [Fact]
    public async Task Personal_data_is_flagged_when_at_least_30_percent_of_values_match()
    {
        var rows = Enumerable.Range(0, 10).Select(i => (IReadOnlyList<CellValue>)
        [
            T(i < 3 ? $"person{i}@example.com" : "someone"),
            T(i < 2 ? "+49 30 1234567" : "unknown"),
            T(i < 4 ? "DE89 3704 0044 0532 0130 00" : i == 4 ? "DE89 3704 0044 0532 0130 01" : "cash"),
            T("+4930123456" + i),
        ]);
        var profiles = await ProfileAsync(Table("S", ["Mail", "Phone", "Iban", "Mobile"], rows));

        Assert.Equal(["email"], profiles[0].PersonalData);
        Assert.Empty(profiles[1].PersonalData);
        Assert.Equal(["iban"], profiles[2].PersonalData);
        Assert.Equal(["phone"], profiles[3].PersonalData);
        Assert.Equal("text", profiles[3].InferredType);
    }

    [Fact]
    public async Task A_200000_row_streamed_table_is_profiled_in_one_pass_with_an_estimated_distinct_count()
    {
        const int rowCount = 200_000;
        var opened = 0;
        var rows = new StreamedRows(() =>
        {
            opened++;
            return Generate();
        }, count: null);
        static IEnumerable<TableRow> Generate()
        {
            for (var i = 0; i < rowCount; i++)
            {
                yield return new TableRow(i + 2,
                [
                    CellValue.FromNumber(i),
                    CellValue.FromText("customer-" + (i % 50_000).ToString(CultureInfo.InvariantCulture) + "@example.com"),
                    CellValue.FromText(i % 4 == 0 ? "" : "group " + (i % 7).ToString(CultureInfo.InvariantCulture)),
                ]);
            }
        }
        var table = new TableBlock { Name = "Big", Columns = ["Id", "Mail", "Group"], HasHeaderRow = true, Rows = rows, Location = SourceLocation.InSheet("Big", "A1") };

        var profiles = await ProfileAsync(table);

        Assert.Equal(1, opened);
        var id = profiles[0];
        Assert.Equal(rowCount, id.Count);
        Assert.True(id.DistinctIsEstimate);
        Assert.InRange(id.DistinctCount, rowCount * 0.97, rowCount * 1.03);
        Assert.Equal("0", id.Min);
        Assert.Equal("199999", id.Max);
        Assert.Equal("A2:A200001", id.Range);
        var mail = profiles[1];
        Assert.True(mail.DistinctIsEstimate);
        Assert.InRange(mail.DistinctCount, 50_000 * 0.97, 50_000 * 1.03);
        Assert.Equal(["email"], mail.PersonalData);
        var group = profiles[2];
        Assert.False(group.DistinctIsEstimate);
        Assert.Equal(7, group.DistinctCount);
        Assert.Equal(0.25, group.EmptyRatio);
    }

    [Fact]
    public async Task A_document_without_tables_is_skipped()
    {
        var context = Context(Text(Paragraph("only prose", 1)));
        var outcome = await Annotator().AnnotateAsync(context, CancellationToken.None);
        Assert.False(outcome.Ran);
        Assert.Empty(context.Annotations.Columns);
    }

    [Fact]
    public async Task A_repeated_value_counts_at_every_row_it_appears_in()
    {
        // Each distinct text is classified once; every repetition must still count. One address on 4 of 10 rows is
        // 40 % of the column (over the 30 % that flags personal data); counted once it would be 10 %.
        var rows = Enumerable.Range(1, 10)
            .Select(i => (IReadOnlyList<CellValue>)[i % 5 < 2 ? T("anna@example.com") : T("note " + i), i % 2 == 0 ? T("12.5") : N(i)])
            .ToList();

        var profiles = await ProfileAsync(Table("Sheet1", ["Contact", "Amount"], rows));

        Assert.Equal(["email"], profiles[0].PersonalData);
        Assert.Equal(7, profiles[0].DistinctCount);
        Assert.Equal("number", profiles[1].InferredType);
        Assert.Equal("1", profiles[1].Min);
        Assert.Equal("12.5", profiles[1].Max);
        Assert.Equal(["1", "12.5", "3", "5", "7"], profiles[1].Examples);
    }

    [Fact]
    public async Task Texts_that_never_repeat_are_each_classified()
    {
        // Past a trial of unique texts a column stops remembering classifications: every cell still counts as
        // what it holds (a third of the column e-mail addresses, every amount a number).
        const int Rows = 4_000;
        var rows = Enumerable.Range(0, Rows).Select(i => (IReadOnlyList<CellValue>)
            [T(i % 3 == 0 ? $"person{i}@example.com" : $"note {i}"), T($"{i}.25")]).ToList();

        var profiles = await ProfileAsync(Table("Sheet1", ["Contact", "Amount"], rows));

        Assert.Equal(["email"], profiles[0].PersonalData);
        Assert.Equal("text", profiles[0].InferredType);
        Assert.Equal(Rows, profiles[0].DistinctCount);
        Assert.Equal("number", profiles[1].InferredType);
        Assert.Equal(("0.25", $"{Rows - 1}.25"), (profiles[1].Min, profiles[1].Max));
        Assert.Equal(Rows, profiles[1].DistinctCount);
    }

    [Fact]
    public async Task A_number_or_date_and_the_same_written_as_text_count_as_one_value_and_one_example()
    {
        // Typed numbers and dates are counted by value, not rendered per cell; the count is still that of their texts.
        IReadOnlyList<CellValue>[] rows =
        [
            [N(5), D(2024, 1, 1)],
            [T("5"), T("2024-01-01")],
            [N(5), D(2024, 1, 1)],
            [N(5.5), D(2024, 1, 2)],
            [T("five"), T("soon")],
            [N(-0.0), D(2024, 1, 2)],
            [N(0), D(2024, 1, 3)],
        ];

        var profiles = await ProfileAsync(Table("Sheet1", ["Amount", "Due"], rows));

        // 5, 5.5, five, -0, 0 ("-0" is its own text, as the round-trip format writes it).
        Assert.False(profiles[0].DistinctIsEstimate);
        Assert.Equal(5, profiles[0].DistinctCount);
        Assert.Equal(["5", "5.5", "five", "-0", "0"], profiles[0].Examples);
        // 2024-01-01, 2024-01-02, soon, 2024-01-03.
        Assert.Equal(4, profiles[1].DistinctCount);
        Assert.Equal(["2024-01-01", "2024-01-02", "soon", "2024-01-03"], profiles[1].Examples);
    }

    [Fact]
    public async Task Columns_of_many_distinct_numbers_and_dates_are_estimated_by_value()
    {
        const int Rows = 30_000;
        var start = new DateTime(2020, 1, 1);
        var rows = Enumerable.Range(0, Rows).Select(i => (IReadOnlyList<CellValue>)
            [N(i + 0.25), CellValue.FromDateTime(start.AddMinutes(i)), N(i % 100)]).ToList();

        var profiles = await ProfileAsync(Table("Sheet1", ["Amount", "At", "Group"], rows));

        Assert.True(profiles[0].DistinctIsEstimate);
        Assert.InRange(profiles[0].DistinctCount, Rows * 0.97, Rows * 1.03);
        Assert.Equal(["0.25", "1.25", "2.25", "3.25", "4.25"], profiles[0].Examples);
        Assert.True(profiles[1].DistinctIsEstimate);
        Assert.InRange(profiles[1].DistinctCount, Rows * 0.97, Rows * 1.03);
        Assert.Equal("date", profiles[1].InferredType);
        Assert.False(profiles[2].DistinctIsEstimate);
        Assert.Equal(100, profiles[2].DistinctCount);
    }
}
