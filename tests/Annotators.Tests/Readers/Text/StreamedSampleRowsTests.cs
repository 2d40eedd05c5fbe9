using System.Text;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Readers;
using Annotate.Annotators.Readers.Text;
using Annotate.Annotators.Tests.Support;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.Tests.Readers.Text;

public class StreamedSampleRowsTests
{
    private const int Records = 600;

    private static async Task<(TableBlock Table, string Path)> ReadStreamed(TempDir dir, int sampleRows, bool spill = true)
    {
        var path = dir.File("ledger.csv");
        var text = new StringBuilder("id,customer,amount\n");
        for (var i = 1; i <= Records; i++)
        {
            text.Append(i).Append(",customer ").Append(i).Append(',').Append(i * 2).Append('\n');
        }
        await File.WriteAllTextAsync(path, text.ToString());
        var reader = new DelimitedTextReader(Options.Create(new ReaderOptions { StreamingTextBytes = 0, StreamedSampleRows = sampleRows, SpillStreamedRows = spill }));
        var document = await reader.ReadAsync(new DocumentSource(path, "ledger.csv"), CancellationToken.None);
        return (Assert.IsType<TableBlock>(Assert.Single(document.Blocks)), path);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(250)]
    public async Task A_streamed_table_keeps_as_many_rows_in_memory_as_configured(int sampleRows)
    {
        using var dir = new TempDir();

        var (table, _) = await ReadStreamed(dir, sampleRows);

        var rows = Assert.IsType<StreamedRows>(table.Rows);
        Assert.Equal(Enumerable.Range(2, sampleRows).Select(n => (long)n), rows.Head.Select(r => r.Number));
        Assert.Equal("customer 1", rows.Head[0].Cells[1].Text);
    }

    [Fact]
    public async Task The_preview_of_a_streamed_table_comes_from_the_rows_kept_in_memory()
    {
        using var dir = new TempDir();
        var (table, path) = await ReadStreamed(dir, TableBlock.TextRowLimit, spill: false);
        File.Delete(path);

        // The preview needs no source; every row does.
        var preview = table.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(TableBlock.TextRowLimit + 1, preview.Length);
        Assert.Equal("200\tcustomer 200\t400", preview[^1]);
        var missing = Assert.Throws<AnnotationException>(() => table.Rows.Count());
        Assert.Equal(FailureReason.SourceMissing, missing.Reason);
    }

    [Fact]
    public async Task Every_row_of_a_spilled_table_comes_from_the_spill_not_the_source()
    {
        using var dir = new TempDir();
        var (table, path) = await ReadStreamed(dir, 5);
        File.Delete(path);

        Assert.Equal(Records, table.Rows.Count());
        Assert.Equal("customer 600", table.Rows.Last().Cells[1].Text);
    }

    [Fact]
    public async Task A_table_shorter_than_the_sample_is_read_from_memory_alone()
    {
        using var dir = new TempDir();
        var (table, path) = await ReadStreamed(dir, Records);
        File.Delete(path);

        Assert.Equal(Records, table.Rows.Count());
    }
}
