using System.Text;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Readers;
using Annotate.Annotators.Readers.Text;
using Annotate.Annotators.Tests.Support;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.Tests.Readers.Text;

public class DelimitedTextStreamingTests
{
    private static readonly DelimitedTextReader InMemory = new();
    private static readonly DelimitedTextReader Streaming = new(Options.Create(new ReaderOptions { StreamingTextBytes = 0 }));

    static DelimitedTextStreamingTests() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    [Theory]
    [InlineData("Invoice,Date,Amount,Paid\nINV-1,2024-03-15,1234.50,true\nINV-2,2024-04-01,99,false\n", "utf-8")]
    [InlineData("Name;Betrag;Datum\nMüller;1.234,56;15.03.2024\nSchäfer;99,00;01.02.2023\n", "windows-1252")]
    [InlineData("\uFEFFa\tb\n1\t\"two\nlines\"\n3\t4\n", "utf-8")]
    [InlineData("1,2,3\n4,5,6\n", "utf-8")]
    public async Task Streamed_and_in_memory_reading_give_the_same_table(string content, string encoding)
    {
        using var dir = new TempDir();
        var path = dir.File("data.csv");
        await File.WriteAllBytesAsync(path, Encoding.GetEncoding(encoding == "utf-8" ? "utf-8" : "windows-1252").GetBytes(content));
        var source = new DocumentSource(path, "data.csv");

        var expected = await InMemory.ReadAsync(source, CancellationToken.None);
        var actual = await Streaming.ReadAsync(source, CancellationToken.None);

        Assert.Equal(expected.Properties, actual.Properties);
        var e = Assert.IsType<TableBlock>(Assert.Single(expected.Blocks));
        var a = Assert.IsType<TableBlock>(Assert.Single(actual.Blocks));
        Assert.IsType<StreamedRows>(a.Rows);
        Assert.Equal(e.Columns, a.Columns);
        Assert.Equal(e.HasHeaderRow, a.HasHeaderRow);
        Assert.Equal(e.FirstRow, a.FirstRow);
        Assert.Equal(e.Location, a.Location);
        Assert.Equal(e.Rows.Count, a.Rows.Count);
        Assert.Equal(e.Rows.Select(r => (r.Number, string.Join("|", r.Cells.Select(c => $"{c.Kind}:{c.Text}:{c.Display}")))),
                     a.Rows.Select(r => (r.Number, string.Join("|", r.Cells.Select(c => $"{c.Kind}:{c.Text}:{c.Display}")))));
    }

    [Fact]
    [Trait("Category", "Large")]
    public async Task A_large_file_is_streamed_and_can_be_read_more_than_once()
    {
        using var dir = new TempDir();
        var path = dir.File("ledger.csv");
        const int records = 300_000;
        await using (var writer = new StreamWriter(path))
        {
            await writer.WriteLineAsync("id,booked,customer,amount");
            for (var i = 1; i <= records; i++)
            {
                await writer.WriteLineAsync($"{i},2024-01-{(i % 28) + 1:00},customer {i % 97},{i * 1.5:0.0}");
            }
        }

        var document = await new DelimitedTextReader(Options.Create(new ReaderOptions())).ReadAsync(new DocumentSource(path, "ledger.csv"), CancellationToken.None);

        var table = Assert.IsType<TableBlock>(Assert.Single(document.Blocks));
        Assert.IsType<StreamedRows>(table.Rows);
        Assert.True(new FileInfo(path).Length > new ReaderOptions().StreamingTextBytes);
        Assert.Equal(records, table.Rows.Count);
        Assert.Equal(["id", "booked", "customer", "amount"], table.Columns);
        var last = table.Rows.Last();
        Assert.Equal(records + 1, last.Number);
        Assert.Equal(records * 1.5, last.Cells[3].Number);
        Assert.Equal(records, table.Rows.LongCount());
    }

    [Fact]
    public async Task Malformed_quoting_in_a_streamed_file_fails_as_corrupt_with_the_line()
    {
        using var dir = new TempDir();
        var path = dir.File("bad.csv");
        await File.WriteAllTextAsync(path, "a,b\n1,2\n3,\"open\n");

        var ex = await Assert.ThrowsAsync<AnnotationException>(() => Streaming.ReadAsync(new DocumentSource(path, "bad.csv"), CancellationToken.None));

        Assert.Equal(FailureReason.Corrupt, ex.Reason);
        Assert.Contains("bad.csv", ex.Message);
        Assert.Contains("line", ex.Message);
    }
}
