using Annotate.Annotators.Documents;
using Annotate.Annotators.Models;
using Annotate.Annotators.Models.Tasks;
using Annotate.Annotators.Models.Tasks.Rows;
using Xunit.Abstractions;

namespace Annotate.Annotators.Tests.Models.Tasks.Rows;

public sealed class RowAnnotatorTests(RowModelFixture fixture, ITestOutputHelper output) : IClassFixture<RowModelFixture>
{
    [Fact]
    public void Every_row_of_the_ledger_gets_an_allowed_category_and_a_note_within_its_length()
    {
        var rows = fixture.Ledger.Annotations.Rows;
        Assert.NotNull(rows);
        Assert.Equal(["Category", "Note"], rows.Fields);
        Assert.Equal(RowAnnotator.AnnotatorName, rows.Annotator);
        Assert.Equal("spreadsheet-rows", rows.Provenance.Profile);
        Assert.Equal(fixture.Profile.Fingerprint(), rows.Provenance.ProfileFingerprint);
        Assert.Equal(Host.ModelHostFactory.StoriesSha256, rows.Provenance.ModelSha256);
        Assert.Equal(RowPrompt.Version, rows.Provenance.PromptVersion);

        var table = Assert.Single(rows.Tables, t => t.Sheet == "Ledger");
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
}
