using Annotate.Annotators.Documents;
using Annotate.Annotators.Models.Chunking;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.Tests.Models.Chunking;

public class DocumentChunkerTests
{
    // One token per word: easy to reason about, and strict about what fits.
    private static int Words(string text) => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;

    private static DocumentChunker Chunker(int maxChunks = 64) =>
        new(Options.Create(new ChunkingOptions { MaxChunksPerDocument = maxChunks }));

    private static Document Doc(params Block[] blocks) => new() { FileName = "doc.md", Format = SourceFormat.Markdown, Blocks = blocks };

    private static string Sentence(int i, int words) => string.Join(' ', Enumerable.Range(0, words).Select(w => $"w{i}x{w}")) + ".";

    [Fact]
    public void A_short_document_is_one_chunk_covering_every_block()
    {
        var doc = Doc(
            new HeadingBlock(1, "Invoice") { Location = SourceLocation.AtLine(1) },
            new ParagraphBlock("Please pay the amount below.") { Location = SourceLocation.AtLine(3) },
            new ListBlock(true, ["Consulting", "Travel"]) { Location = SourceLocation.AtLine(5) });

        var result = Chunker().Chunk(doc, Words, 100);

        var chunk = Assert.Single(result.Chunks);
        Assert.False(result.Truncated);
        Assert.Equal([0, 1, 2], chunk.Blocks);
        Assert.Equal("# Invoice\nPlease pay the amount below.\n1. Consulting\n2. Travel", chunk.Text);
        Assert.Equal(Words(chunk.Text), chunk.TokenCount);
        Assert.Equal(1, chunk.Location.Line);
        Assert.Equal(0, chunk.Location.Block);
    }

    [Fact]
    public void A_paragraph_longer_than_the_budget_is_split_by_sentences_then_hard()
    {
        var paragraph = string.Join(' ', Enumerable.Range(0, 6).Select(i => Sentence(i, 8))) + " " + string.Join(' ', Enumerable.Range(0, 50).Select(i => $"long{i}"));
        var result = Chunker().Chunk(Doc(new ParagraphBlock(paragraph) { Location = SourceLocation.OnPage(2) }), Words, 20);

        Assert.True(result.Chunks.Count >= 5);
        Assert.All(result.Chunks, c => Assert.InRange(Words(c.Text), 1, 20));
        Assert.All(result.Chunks, c => Assert.Equal(2, c.Location.Page));
        // Sentences stay whole: the first chunk ends at a full stop.
        Assert.EndsWith(".", result.Chunks[0].Text, StringComparison.Ordinal);
        // Nothing is lost or repeated.
        Assert.Equal(Words(paragraph), result.Chunks.Sum(c => Words(c.Text)));
    }

    [Fact]
    public void A_heading_starts_a_new_chunk_once_the_current_one_is_half_full()
    {
        var doc = Doc(
            new HeadingBlock(1, "One") { Location = SourceLocation.AtLine(1) },
            new ParagraphBlock(Sentence(1, 12)) { Location = SourceLocation.AtLine(2) },
            new HeadingBlock(1, "Two") { Location = SourceLocation.AtLine(3) },
            new ParagraphBlock(Sentence(2, 3)) { Location = SourceLocation.AtLine(4) });

        var result = Chunker().Chunk(doc, Words, 24);

        Assert.Equal(2, result.Chunks.Count);
        Assert.StartsWith("# Two", result.Chunks[1].Text, StringComparison.Ordinal);
        Assert.Equal([2, 3], result.Chunks[1].Blocks);
        Assert.Equal(3, result.Chunks[1].Location.Line);
    }

    [Fact]
    public void Table_rows_are_grouped_with_the_header_repeated_and_a_cell_range_per_chunk()
    {
        var rows = Enumerable.Range(0, 30).Select(i => new TableRow(i + 2, [CellValue.FromText($"item{i}"), CellValue.FromNumber(i)])).ToList();
        var table = new TableBlock
        {
            Name = "Ledger", Columns = ["Item", "Amount"], HasHeaderRow = true, Rows = new InMemoryRows(rows),
            Location = SourceLocation.InSheet("Ledger", "A1"),
        };

        var result = Chunker().Chunk(Doc(table), Words, 20);

        Assert.True(result.Chunks.Count > 1);
        Assert.All(result.Chunks, c => Assert.StartsWith("Item | Amount\n", c.Text, StringComparison.Ordinal));
        Assert.All(result.Chunks, c => Assert.InRange(Words(c.Text), 1, 20));
        Assert.Equal("Ledger", result.Chunks[0].Location.Sheet);
        Assert.StartsWith("A2:B", result.Chunks[0].Location.Cell, StringComparison.Ordinal);
        var lastRow = result.Chunks[^1].Location.Cell!.Split(':')[1];
        Assert.Equal("B31", lastRow);
        // Every row appears exactly once.
        var dataLines = result.Chunks.SelectMany(c => c.Text.Split('\n').Skip(1)).ToList();
        Assert.Equal(rows.Select(r => $"{r.Cells[0].Text} | {r.Cells[1].Text}"), dataLines);
    }

    [Fact]
    public void A_huge_streamed_table_is_read_only_as_far_as_the_chunk_limit_and_says_content_was_left_out()
    {
        var produced = 0;
        IEnumerable<TableRow> Open()
        {
            for (var i = 0; i < 1_000_000; i++)
            {
                produced++;
                yield return new TableRow(i + 2, [CellValue.FromText($"r{i}"), CellValue.FromNumber(i)]);
            }
        }
        var table = new TableBlock
        {
            Name = "Big", Columns = ["Name", "Value"], HasHeaderRow = true, Rows = new StreamedRows(Open, 1_000_000),
            Location = SourceLocation.InSheet("Big", "A1"),
        };

        var result = Chunker(maxChunks: 5).Chunk(Doc(table), Words, 40);

        Assert.True(result.Truncated);
        Assert.Equal(5, result.Chunks.Count);
        Assert.All(result.Chunks, c => Assert.True(c.TokenCount <= 40));
        Assert.InRange(produced, 5, 500);
    }

    [Fact]
    public void A_document_without_text_gives_no_chunks_and_pages_stand_in_for_missing_blocks()
    {
        Assert.Empty(Chunker().Chunk(Doc(new ParagraphBlock("   ")), Words, 10).Chunks);

        var paged = new Document { FileName = "scan.pdf", Format = SourceFormat.Pdf, Pages = ["first page text", "second page text"] };
        var result = Chunker().Chunk(paged, Words, 4);
        Assert.Equal(2, result.Chunks.Count);
        Assert.Equal(2, result.Chunks[1].Location.Page);
    }
}
