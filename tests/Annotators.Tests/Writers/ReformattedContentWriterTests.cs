using System.Text.Json.Nodes;
using Annotate.Annotators.Annotations;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Profiles;
using Annotate.Annotators.Readers;
using Annotate.Annotators.Tests.Support;
using Annotate.Annotators.Writers;

namespace Annotate.Annotators.Tests.Writers;

public class ReformattedContentWriterTests
{
    private static readonly ModelProvenance Provenance = new("m", "00", "p", "f", "1");

    private static async Task<(IReadOnlyList<WrittenOutput> Written, TempDir Dir)> WriteAsync(ReformatAnnotation reformat)
    {
        var dir = new TempDir();
        var context = new AnnotationContext("d", new Document { FileName = "a.txt", Format = SourceFormat.Text }, new AnnotationProfile());
        context.Annotations.Reformat = reformat;
        var output = new OutputContext("d", context.Document, context.Annotations, new DocumentSource(dir.File("a.txt"), "a.txt"), dir.Path);
        return (await new ReformattedContentWriter().WriteAsync(output, CancellationToken.None), dir);
    }

    private static List<JsonObject> Records() =>
    [
        new() { ["item"] = "Chair, oak", ["amount"] = 120.5 },
        new() { ["item"] = "Desk \"XL\"", ["amount"] = null },
    ];

    [Fact]
    public async Task Json_records_are_written_as_one_array()
    {
        var (written, dir) = await WriteAsync(new ReformatAnnotation { Target = "json-records", Records = Records(), Columns = ["item", "amount"], Provenance = Provenance, Annotator = "reformat" });
        using (dir)
        {
            Assert.Equal("records.json", Assert.Single(written).Name);
            var array = JsonNode.Parse(await File.ReadAllTextAsync(dir.File("records.json")))!.AsArray();
            Assert.Equal(2, array.Count);
            Assert.Equal("Chair, oak", (string?)array[0]!["item"]);
            Assert.Null(array[1]!["amount"]);
        }
    }

    [Fact]
    public async Task Csv_records_are_quoted_and_have_a_header_row()
    {
        var (written, dir) = await WriteAsync(new ReformatAnnotation { Target = "csv", Records = Records(), Columns = ["item", "amount"], Provenance = Provenance, Annotator = "reformat" });
        using (dir)
        {
            Assert.Equal("records.csv", Assert.Single(written).Name);
            var lines = await File.ReadAllLinesAsync(dir.File("records.csv"));
            Assert.Equal(["item,amount", "\"Chair, oak\",120.5", "\"Desk \"\"XL\"\"\","], lines);
        }
    }
}
