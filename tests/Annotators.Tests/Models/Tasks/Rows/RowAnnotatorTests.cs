using Annotate.Annotators.Annotations;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Models;
using Annotate.Annotators.Models.Host;
using Annotate.Annotators.Models.Tasks;
using Annotate.Annotators.Models.Tasks.Rows;
using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Profiles;
using Annotate.Annotators.Readers;
using Annotate.Annotators.Readers.Text;
using Annotate.Annotators.Tests.Models.Host;
using Annotate.Annotators.Tests.Readers.Xlsx;
using Annotate.Annotators.Tests.Support;
using Annotate.Annotators.Tests.Writers;
using Annotate.Annotators.Writers;
using ClosedXML.Excel;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace Annotate.Annotators.Tests.Models.Tasks.Rows;

public sealed class RowAnnotatorTests(RowModelFixture fixture, ITestOutputHelper output) : IClassFixture<RowModelFixture>
{
    public static TheoryData<bool> BothPaths => new() { false, true };

    [Fact]
    public void Every_row_of_the_ledger_gets_an_allowed_category_and_a_note_within_its_length()
    {
        var rows = fixture.Ledger.Annotations.Rows;
        Assert.NotNull(rows);
        Assert.Equal(["Category", "Note"], rows.Fields);
        Assert.Equal(RowAnnotator.AnnotatorName, rows.Annotator);
        Assert.Equal("spreadsheet-rows", rows.Provenance.Profile);
        Assert.Equal(fixture.Profile.Fingerprint(), rows.Provenance.ProfileFingerprint);
        Assert.Equal(ModelHostFactory.StoriesSha256, rows.Provenance.ModelSha256);
        Assert.Equal(RowPrompt.Version, rows.Provenance.PromptVersion);

        var table = Ledger(rows);
        var block = Assert.IsType<TableBlock>(fixture.Ledger.Document.Blocks[table.Block]);
        Assert.Equal(["Date", "Description", "Amount", "Account"], block.Columns);
        Assert.Equal(Enumerable.Range(2, RowModelFixture.LedgerRows).Select(n => (long)n), table.Rows.Keys.Order());
        var labels = fixture.Profile.RowFields[0].Labels;
        var noteLength = fixture.Profile.RowFields[1].MaxLength;
        foreach (var (number, values) in table.Rows)
        {
            output.WriteLine($"{number}: {values["Category"]} | {values["Note"]}");
            Assert.Contains(values["Category"], labels);
            Assert.True(values.ContainsKey("Note"));
            Assert.True((values["Note"]?.Length ?? 0) <= noteLength, $"row {number}: note of {values["Note"]?.Length} characters");
        }
        Assert.DoesNotContain(fixture.Ledger.Annotations.Notices, n => n.Code is RowAnnotator.LimitNotice or RowAnnotator.TruncatedNotice);
    }

    [Fact]
    public async Task Rows_share_prompts_up_to_the_profile_size_and_groups_shrink_to_fit_a_small_context()
    {
        const int rows = 16;
        const int smallContext = 700;
        var roomy = new ScriptedModel(fixture.Host);
        var tight = new ScriptedModel(fixture.Host, contextSize: smallContext);
        var first = RowModelFixture.Context(fixture.Ledger.Document, fixture.Profile);
        var second = RowModelFixture.Context(fixture.Ledger.Document, fixture.Profile);

        await fixture.Annotator(roomy, maxRows: rows).AnnotateAsync(first, CancellationToken.None);
        await fixture.Annotator(tight, maxRows: rows).AnnotateAsync(second, CancellationToken.None);

        Assert.Equal(rows / fixture.Profile.RowsPerPrompt, roomy.Calls);
        Assert.True(tight.Calls > roomy.Calls, $"{tight.Calls} calls in a context of {smallContext}");
        Assert.Single(roomy.Requests.Select(r => r.System).Distinct());
        foreach (var request in tight.Requests)
        {
            var tokens = fixture.Host.CountTokens(request.System) + fixture.Host.CountTokens(request.User) + RowPrompt.FormatOverheadTokens + request.MaxTokens!.Value;
            Assert.True(tokens <= smallContext, $"a request needs {tokens} tokens");
        }
        Assert.Equal(Enumerable.Range(2, rows).Select(n => (long)n), Ledger(second.Annotations.Rows!).Rows.Keys.Order());
    }

    [Theory]
    [MemberData(nameof(BothPaths))]
    public async Task The_annotated_workbook_keeps_the_ledger_and_adds_the_model_values_beside_it(bool packageCopy)
    {
        using var dir = new TempDir();
        var writer = new AnnotatedWorkbookWriter(Options.Create(new ReaderOptions { StreamingWorkbookBytes = packageCopy ? 0 : long.MaxValue }), NullLogger<AnnotatedWorkbookWriter>.Instance);
        var context = WriterFixtures.Context(fixture.Ledger.Document, fixture.Ledger.Annotations, fixture.LedgerPath, dir.File("out"));

        var written = Assert.Single(await writer.WriteAsync(context, CancellationToken.None));

        using var original = new XLWorkbook(fixture.LedgerPath);
        using var annotated = new XLWorkbook(Path.Combine(context.OutputDirectory, written.Name));
        Assert.Equal(["Ledger", "About", "Annotations"], annotated.Worksheets.Select(w => w.Name));
        foreach (var sheet in original.Worksheets)
        {
            foreach (var cell in sheet.CellsUsed())
            {
                Assert.Equal(cell.Value, annotated.Worksheet(sheet.Name).Cell(cell.Address.ToString()).Value);
            }
        }
        var ledger = annotated.Worksheet("Ledger");
        Assert.Equal("Category", ledger.Cell("E1").GetString());
        Assert.Equal("Note", ledger.Cell("F1").GetString());
        Assert.True(ledger.Cell("E1").Style.Font.Bold);
        foreach (var (number, values) in Ledger(fixture.Ledger.Annotations.Rows!).Rows)
        {
            Assert.Equal(values["Category"], ledger.Cell((int)number, 5).GetString());
            Assert.Equal(values["Note"] ?? string.Empty, ledger.Cell((int)number, 6).GetString());
        }
        Assert.True(ledger.Cell(RowModelFixture.LedgerRows + 2, 5).IsEmpty());
    }

    [Fact]
    public async Task The_csv_of_the_ledger_has_the_model_values_as_extra_columns()
    {
        using var dir = new TempDir();
        var context = WriterFixtures.Context(fixture.Ledger.Document, fixture.Ledger.Annotations, fixture.LedgerPath, dir.File("out"));

        var written = await new CsvTablesWriter().WriteAsync(context, CancellationToken.None);

        var path = Path.Combine(context.OutputDirectory, Assert.Single(written, w => w.Name == "Ledger.csv").Name);
        var csv = await new DelimitedTextReader().ReadAsync(new DocumentSource(path, "Ledger.csv"), CancellationToken.None);
        var table = Assert.Single(csv.Blocks.OfType<TableBlock>());
        Assert.Equal(["Date", "Description", "Amount", "Account", "Category", "Note"], table.Columns);
        var values = Ledger(fixture.Ledger.Annotations.Rows!).Rows.OrderBy(r => r.Key).Select(r => r.Value).ToList();
        var rows = table.Rows.ToList();
        Assert.Equal(RowModelFixture.LedgerRows, rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            Assert.Equal(values[i]["Category"], rows[i].Cells[4].Text);
            Assert.Equal(values[i]["Note"] ?? string.Empty, rows[i].Cells.Count > 5 ? rows[i].Cells[5].Text ?? string.Empty : string.Empty);
        }
    }

    [Fact]
    public async Task A_table_of_thousands_of_rows_is_annotated_up_to_the_row_limit_with_a_notice()
    {
        using var dir = new TempDir();
        TestWorkbooks.Large(dir.File("big.xlsx"), 3000);
        var context = RowModelFixture.Context(XlsxReaderTests.Read(dir.File("big.xlsx"), streamed: true), fixture.Profile);

        var outcome = await fixture.Annotator(maxRows: 12).AnnotateAsync(context, CancellationToken.None);

        Assert.True(outcome.Ran);
        var table = Assert.Single(context.Annotations.Rows!.Tables);
        Assert.Equal(Enumerable.Range(2, 12).Select(n => (long)n), table.Rows.Keys.Order());
        Assert.All(table.Rows.Values, v => Assert.Contains(v["Category"], fixture.Profile.RowFields[0].Labels));
        var notice = Assert.Single(context.Annotations.Notices, n => n.Code == RowAnnotator.LimitNotice);
        Assert.Contains("first 12 of the 3,000 rows", notice.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_row_too_long_for_the_context_is_cut_with_a_notice_and_still_annotated()
    {
        using var dir = new TempDir();
        // 20 cells of 600 characters: several times what the model context holds.
        var wide = Enumerable.Range(1, 20).Select(i => (object?)string.Concat(Enumerable.Repeat($"word{i} ", 100))).ToArray();
        TestWorkbooks.FromRows(dir.File("wide.xlsx"), "Wide", Enumerable.Range(1, 20).Select(i => (object?)("Col" + i)).ToArray(), wide, ["short", "row"]);
        var context = RowModelFixture.Context(XlsxReaderTests.Read(dir.File("wide.xlsx"), streamed: false), fixture.Profile);

        var outcome = await fixture.Annotator(maxCellCharacters: 1000).AnnotateAsync(context, CancellationToken.None);

        Assert.True(outcome.Ran);
        var table = Assert.Single(context.Annotations.Rows!.Tables);
        // All-text rows: the reader sees no header row, so every row is data.
        Assert.Equal([1L, 2L, 3L], table.Rows.Keys.Order());
        var notice = Assert.Single(context.Annotations.Notices, n => n.Code == RowAnnotator.TruncatedNotice);
        Assert.StartsWith("1 rows or table headers of 'wide.xlsx'", notice.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_configured_model_the_annotator_is_skipped_with_a_notice_and_adds_no_columns()
    {
        await using var host = new LlamaModelHost(Options.Create(new ModelOptions()), TimeProvider.System, NullLogger<LlamaModelHost>.Instance);
        using var dir = new TempDir();
        var context = RowModelFixture.Context(fixture.Ledger.Document, fixture.Profile);

        var outcome = await fixture.Annotator(host).AnnotateAsync(context, CancellationToken.None);

        Assert.False(outcome.Ran);
        Assert.Equal(ModelTasks.NotConfiguredNotice, outcome.Reason);
        Assert.Single(context.Annotations.Notices, n => n.Code == ModelTasks.NotConfiguredNotice);
        Assert.Null(context.Annotations.Rows);
        var writer = new AnnotatedWorkbookWriter(Options.Create(new ReaderOptions()), NullLogger<AnnotatedWorkbookWriter>.Instance);
        var output = WriterFixtures.Context(context.Document, context.Annotations, fixture.LedgerPath, dir.File("out"));
        var written = Assert.Single(await writer.WriteAsync(output, CancellationToken.None));
        using var annotated = new XLWorkbook(Path.Combine(output.OutputDirectory, written.Name));
        Assert.Equal(4, annotated.Worksheet("Ledger").LastColumnUsed().ColumnNumber());
    }

    [Fact]
    public async Task A_profile_without_row_fields_is_skipped_without_calling_the_model()
    {
        var model = new ScriptedModel(fixture.Host);
        var context = RowModelFixture.Context(fixture.Ledger.Document, new AnnotationProfile { Name = "plain" });

        var outcome = await fixture.Annotator(model).AnnotateAsync(context, CancellationToken.None);

        Assert.False(outcome.Ran);
        Assert.Contains("no row fields", outcome.Reason, StringComparison.Ordinal);
        Assert.Null(context.Annotations.Rows);
        Assert.Equal(0, model.Calls);
    }

    [Fact]
    public async Task Cancellation_during_the_run_stops_it_with_an_operation_cancelled_error()
    {
        using var cancellation = new CancellationTokenSource();
        var model = new ScriptedModel(fixture.Host, _ => cancellation.CancelAsync());
        var context = RowModelFixture.Context(fixture.Ledger.Document, fixture.Profile);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => fixture.Annotator(model).AnnotateAsync(context, cancellation.Token));

        Assert.Null(context.Annotations.Rows);
    }

    [Fact]
    public async Task A_model_timeout_fails_the_annotator_with_its_reason()
    {
        var model = new ScriptedModel(fixture.Host, _ => throw new AnnotationException(FailureReason.ModelTimeout, "too slow", retryable: true));
        var context = RowModelFixture.Context(fixture.Ledger.Document, fixture.Profile);

        var error = await Assert.ThrowsAsync<AnnotationException>(() => fixture.Annotator(model).AnnotateAsync(context, CancellationToken.None));

        Assert.Equal(FailureReason.ModelTimeout, error.Reason);
        Assert.Null(context.Annotations.Rows);
    }

    [Fact]
    public async Task A_label_field_without_labels_fails_naming_the_profile_and_field()
    {
        var profile = new AnnotationProfile { Name = "broken", RowFields = [new RowField { Name = "Kind", Kind = "label" }] };
        var context = RowModelFixture.Context(fixture.Ledger.Document, profile);

        var error = await Assert.ThrowsAsync<AnnotationException>(() => fixture.Annotator().AnnotateAsync(context, CancellationToken.None));

        Assert.Equal(FailureReason.InvalidRequest, error.Reason);
        Assert.Contains("'broken'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'Kind'", error.Message, StringComparison.Ordinal);
    }

    private static TableRowAnnotations Ledger(RowAnnotations rows) => Assert.Single(rows.Tables, t => t.Sheet == "Ledger");
}
