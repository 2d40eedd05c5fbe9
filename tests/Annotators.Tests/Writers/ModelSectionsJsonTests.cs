using System.Text.Json.Nodes;
using Annotate.Annotators.Annotations;
using Annotate.Annotators.Writers;
using Annotate.Annotators.Writers.Json;
using Annotate.Annotators.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Annotate.Annotators.Tests.Writers;

public class ModelSectionsJsonTests
{
    [Fact]
    public async Task Row_values_are_written_per_table_in_row_order_and_validate()
    {
        var annotations = WriterFixtures.LedgerAnnotations();
        var provenance = new ModelProvenance("stories", new string('c', 64), "spreadsheet-rows", "0123456789abcdef", "rows-1");
        var rows = new RowAnnotations { Fields = ["Category", "Note"], Provenance = provenance, Annotator = "rows" };
        var table = new TableRowAnnotations { Sheet = "Ledger", Table = "Ledger", Block = 0 };
        table.Rows[3] = new() { ["Category"] = "expense", ["Note"] = null };
        table.Rows[2] = new() { ["Category"] = "income", ["Note"] = "first" };
        rows.Tables.Add(table);
        annotations.Rows = rows;
        using var dir = new TempDir();
        var context = WriterFixtures.Context(WriterFixtures.CsvDocument(), annotations, dir.File("src.csv"), dir.Path);

        await new AnnotationsJsonWriter(new FakeTimeProvider()).WriteAsync(context, CancellationToken.None);

        var json = JsonNode.Parse(await File.ReadAllTextAsync(dir.File("annotations.json")))!;
        Assert.Empty(AnnotationsSchema.Validate(json));
        var written = json["rows"]!["tables"]![0]!["rows"]!.AsArray();
        Assert.Equal([2L, 3L], written.Select(r => (long)r!["row"]!));
        Assert.Equal("income", (string?)written[0]!["values"]!["Category"]);
        Assert.Null(written[1]!["values"]!["Note"]);
        Assert.Equal("rows-1", (string?)json["rows"]!["provenance"]!["promptVersion"]);
    }

    [Fact]
    public void The_schema_accepts_versions_1_0_and_1_1_and_writes_1_1()
    {
        var schema = JsonNode.Parse(AnnotationsSchema.Text)!;
        Assert.Equal(["1.0", "1.1"], schema["properties"]!["schemaVersion"]!["enum"]!.AsArray().Select(v => (string)v!));
        Assert.Equal("1.1", AnnotationsSchema.Version);
    }
}
