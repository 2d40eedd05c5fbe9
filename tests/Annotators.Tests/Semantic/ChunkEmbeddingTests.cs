using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Readers;
using Annotate.Annotators.Tests.Support;

namespace Annotate.Annotators.Tests.Semantic;

public class ChunkEmbeddingTests
{
    private static readonly Dictionary<string, string?> SearchProfile = new() { ["Annotate:Profiles:search:ChunkEmbeddings"] = "true" };

    private static string LongReport()
    {
        var text = new StringBuilder("# Quarterly report\n\nSales grew in every region this quarter.\n\n");
        // One paragraph of about 600 word pieces: more than the encoder reads at once, so it must be cut at sentences.
        for (var i = 0; i < 40; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"In week {i + 1} the warehouse in Leipzig shipped {100 + i} pallets of garden furniture to retailers. ");
        }
        text.Append("\n\n- Returns fell by a third.\n- The new scanner saves two hours a day.\n");
        return text.ToString();
    }

    private static async Task<(AnnotationResult Result, List<JsonNode> Lines, string Output)> Run(TempDir dir, string fileName, string content,
        Dictionary<string, string?>? settings, string? profile)
    {
        var path = dir.File(fileName);
        await File.WriteAllTextAsync(path, content);
        var result = await TestPipeline.Create(settings).RunAsync(new AnnotationRequest
        {
            DocumentId = "doc-1",
            Source = new DocumentSource(path, fileName),
            OutputDirectory = dir.File("out"),
            Profile = profile,
        }, CancellationToken.None);
        var file = dir.File("out/embeddings.jsonl");
        var lines = File.Exists(file) ? File.ReadAllLines(file).Select(l => JsonNode.Parse(l)!).ToList() : [];
        return (result, lines, dir.File("out"));
    }

    [Fact]
    public async Task Off_by_default_no_embeddings_file_is_written_and_the_annotator_says_why()
    {
        using var dir = new TempDir();

        var (result, lines, output) = await Run(dir, "report.md", LongReport(), null, null);

        Assert.Empty(lines);
        Assert.False(File.Exists(Path.Combine(output, "embeddings.jsonl")));
        Assert.DoesNotContain(result.Outputs, o => o.Kind == "embeddings");
        var run = result.Annotations.Runs.Single(r => r.Name == "embeddings");
        Assert.Equal("skipped", run.Status);
        Assert.Contains("ChunkEmbeddings", run.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_profile_with_chunk_embeddings_writes_one_line_per_chunk_whose_text_is_where_its_location_says()
    {
        using var dir = new TempDir();

        var (result, lines, _) = await Run(dir, "report.md", LongReport(), SearchProfile, "search");

        var written = Assert.Single(result.Outputs, o => o.Kind == "embeddings");
        Assert.Equal("embeddings.jsonl", written.Name);
        Assert.Equal("application/jsonl", written.MediaType);
        Assert.True(lines.Count >= 5, $"{lines.Count} chunks");
        var blocks = result.Document.Blocks;
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            Assert.Equal(i, (int)line["index"]!);
            var vector = line["vector"]!.AsArray().Select(x => (float)x!).ToArray();
            Assert.Equal(384, vector.Length);
            Assert.InRange(Math.Sqrt(vector.Sum(x => (double)x * x)), 0.99, 1.01);
            var text = (string)line["text"]!;
            var location = line["location"]!;
            var block = blocks[(int)location["block"]!].Text;
            Assert.Equal(text, block.Substring((int)location["offset"]!, (int)location["length"]!));
            Assert.InRange((int)line["tokens"]!, 1, 254);
        }
        // The long paragraph is cut at sentence ends into chunks the encoder reads whole.
        var paragraph = lines.Where(l => ((string)l["text"]!).Contains("pallets", StringComparison.Ordinal)).ToList();
        Assert.True(paragraph.Count >= 2);
        Assert.All(paragraph, l => Assert.EndsWith("retailers.", (string)l["text"]!, StringComparison.Ordinal));
        Assert.Contains(lines, l => (string)l["text"]! == "Quarterly report");
    }

    [Fact]
    public async Task A_csv_is_embedded_by_groups_of_whole_rows_under_the_header_with_the_cells_they_cover()
    {
        using var dir = new TempDir();
        var csv = new StringBuilder("Product,Colour,Description\n");
        for (var i = 0; i < 60; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"Chair {i},{(i % 2 == 0 ? "red" : "blue")},A stackable chair of beech wood with a curved back and a seat of woven rush number {i}\n");
        }

        var (result, lines, _) = await Run(dir, "chairs.csv", csv.ToString(), SearchProfile, "search");

        Assert.True(lines.Count >= 2, $"{lines.Count} chunks");
        var table = Assert.IsType<TableBlock>(result.Document.Blocks.Single(b => b is TableBlock));
        var rows = table.Rows.ToDictionary(r => r.Number);
        var covered = new List<long>();
        foreach (var line in lines)
        {
            var text = ((string)line["text"]!).Split('\n');
            Assert.Equal("Product\tColour\tDescription", text[0]);
            var cells = ((string)line["location"]!["cell"]!).Split(':');
            Assert.StartsWith("A", cells[0], StringComparison.Ordinal);
            Assert.StartsWith("C", cells[1], StringComparison.Ordinal);
            var first = long.Parse(cells[0][1..], CultureInfo.InvariantCulture);
            var last = long.Parse(cells[1][1..], CultureInfo.InvariantCulture);
            Assert.Equal(last - first + 1, text.Length - 1);
            for (var n = first; n <= last; n++)
            {
                Assert.Equal(string.Join('\t', rows[n].Cells.Select(c => c.Text)), text[n - first + 1]);
                covered.Add(n);
            }
        }
        Assert.Equal(rows.Keys.Order(), covered);
    }

    [Fact]
    public async Task Past_the_chunk_limit_the_file_holds_the_first_chunks_and_a_notice_says_so()
    {
        using var dir = new TempDir();
        var settings = new Dictionary<string, string?>(SearchProfile) { ["Annotate:Semantic:MaxEmbeddingChunks"] = "3" };

        var (result, lines, _) = await Run(dir, "report.md", LongReport(), settings, "search");

        Assert.Equal(3, lines.Count);
        Assert.Equal("Quarterly report", (string)lines[0]["text"]!);
        Assert.Contains(result.Annotations.Notices, n => n.Code == "embeddings-truncated");
    }
}
