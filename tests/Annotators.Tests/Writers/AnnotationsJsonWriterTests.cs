using System.Text.Json.Nodes;
using Annotate.Annotators.Annotations;
using Annotate.Annotators.Builtin;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Readers;
using Annotate.Annotators.Tests.Support;
using Annotate.Annotators.Writers;
using Annotate.Annotators.Writers.Json;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using static Annotate.Annotators.Tests.Builtin.TestDocuments;

namespace Annotate.Annotators.Tests.Writers;

public class AnnotationsJsonWriterTests
{
    private static readonly DateTimeOffset Now = new(2025, 5, 6, 7, 8, 9, TimeSpan.Zero);

    private static async Task<JsonNode> WriteAsync(AnnotationContext context)
    {
        using var dir = new TempDir();
        var writer = new AnnotationsJsonWriter(new FakeTimeProvider(Now));
        Assert.True(writer.AppliesTo(context.Document));
        var outputs = await writer.WriteAsync(
            new OutputContext(context.DocumentId, context.Document, context.Annotations, new DocumentSource(dir.File("src"), "src"), dir.Path),
            CancellationToken.None);
        var output = Assert.Single(outputs);
        Assert.Equal("annotations.json", output.Name);
        Assert.Equal("annotations", output.Kind);
        Assert.Equal("application/json", output.MediaType);
        Assert.True(output.SizeBytes > 0);
        return JsonNode.Parse(await File.ReadAllTextAsync(dir.File("annotations.json")))!;
    }

    private static async Task RunBuiltinAnnotatorsAsync(AnnotationContext context)
    {
        var patterns = Options.Create(new PatternOptions());
        IAnnotator[] annotators = [new StatisticsAnnotator(), new PatternEntityAnnotator(patterns), new ColumnProfileAnnotator(patterns)];
        foreach (var annotator in annotators)
        {
            var outcome = await annotator.AnnotateAsync(context, CancellationToken.None);
            context.Annotations.Runs.Add(new AnnotatorRun(annotator.Name, outcome.Ran ? "ran" : "skipped", outcome.Reason, 1.23456));
        }
    }

    private static void AssertValid(JsonNode json)
    {
        var errors = AnnotationsSchema.Validate(json);
        Assert.True(errors.Count == 0, "Schema errors:\n" + string.Join('\n', errors) + "\n" + json.ToJsonString());
    }

    [Fact]
    public async Task A_business_letter_with_a_table_is_written_and_validates()
    {
        var document = Text(
            new HeadingBlock(1, "Invoice 2024-117") { Location = SourceLocation.AtLine(1) },
            Paragraph("Dear customer, please pay €1,234.56 to DE89 3704 0044 0532 0130 00 by 15/03/2024. Questions: billing@Example.com", 3),
            new ListBlock(true, ["Consulting", "Travel 12,5 %"]) { Location = SourceLocation.AtLine(5) },
            Table("Items", ["Item", "Amount", "Contact"], [[T("Consulting"), N(1000), T("+44 20 7946 0958")], [T("Travel"), N(234.56), T("")]]))
            with
            {
                Properties = new DocumentProperties { Title = "Invoice", Author = "Billing", Created = new DateTimeOffset(2024, 3, 1, 9, 30, 0, TimeSpan.FromHours(1)), Encoding = "utf-8" },
                Outline = [new OutlineEntry("Invoice 2024-117", 1, null)],
                Notices = [new Notice("converted", "Converted from Markdown.") { Source = "markdown" }],
            };
        var context = Context(document);
        await RunBuiltinAnnotatorsAsync(context);
        context.Annotations.Language = new LanguageAnnotation("en", "English", 0.97, "language");
        context.Annotations.BlockLanguages.Add(new BlockLanguageAnnotation(1, "en", 0.99, SourceLocation.AtLine(3) with { Block = 1 }, "language"));
        context.Annotations.Extensions["summary"] = new JsonObject { ["text"] = "An invoice.", ["model"] = "tiny" };

        var json = await WriteAsync(context);

        AssertValid(json);
        Assert.Equal(AnnotationsSchema.Id, (string?)json["$schema"]);
        Assert.Equal("1.1", (string?)json["schemaVersion"]);
        Assert.Equal("doc-1", (string?)json["documentId"]);
        Assert.Equal(Now, DateTimeOffset.Parse((string)json["generatedAt"]!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("annotate", (string?)json["generator"]!["name"]);
        Assert.Equal("markdown", (string?)json["source"]!["format"]);
        Assert.Equal(1234, (long)json["source"]!["sizeBytes"]!);
        Assert.Equal("2024-03-01T09:30:00+01:00", (string?)json["properties"]!["created"]);
        Assert.Null(json["properties"]!["subject"]);
        var blocks = json["blocks"]!.AsArray();
        Assert.Equal(["heading", "paragraph", "list", "table"], blocks.Select(b => (string)b!["kind"]!));
        Assert.Equal(1, (int)blocks[0]!["level"]!);
        Assert.Equal(2, (long)blocks[3]!["rows"]!);
        Assert.Equal(3, (int)blocks[3]!["columns"]!);
        Assert.Equal(3, (int)blocks[1]!["location"]!["line"]!);
        Assert.Null(blocks[1]!["location"]!["page"]);
        Assert.Equal("en", (string?)json["language"]!["code"]);
        var entityTypes = json["entities"]!.AsArray().Select(e => (string)e!["type"]!).ToList();
        Assert.Equal(["money", "iban", "date", "email", "percentage", "phone"], entityTypes);
        Assert.Equal("billing@example.com", (string?)json["entities"]![3]!["value"]);
        Assert.Equal("EUR", (string?)json["entities"]![0]!["currency"]);
        Assert.Null(json["entities"]![1]!["currency"]);
        Assert.Equal("C2", (string?)json["entities"]![5]!["location"]!["cell"]);
        Assert.Equal("Items", (string?)json["entities"]![5]!["location"]!["sheet"]);
        Assert.Equal(3, json["columns"]!.AsArray().Count);
        Assert.Equal("converted", (string?)json["notices"]![0]!["code"]);
        Assert.Equal(1.235, (double)json["annotators"]![0]!["durationMs"]!);
        Assert.Equal("tiny", (string?)json["extensions"]!["summary"]!["model"]);
        Assert.Equal(4, (int)json["statistics"]!["blocks"]!);
        Assert.Equal(2, (long)json["statistics"]!["rows"]!);
    }

    [Fact]
    public async Task A_workbook_with_a_streamed_sheet_and_no_language_validates_with_language_null()
    {
        var streamed = new TableBlock
        {
            Name = "Ledger",
            Columns = ["Date", "Account", "Amount"],
            HasHeaderRow = true,
            Location = SourceLocation.InSheet("Ledger", "A1"),
            Rows = new StreamedRows(() => Enumerable.Range(0, 3000).Select(i => new TableRow(i + 2,
                [CellValue.FromDateTime(new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Unspecified).AddDays(i % 365)), CellValue.FromText("GB82 WEST 1234 5698 7654 32"), CellValue.FromNumber(i * 0.5)])), null),
        };
        var document = new Document
        {
            FileName = "ledger.xlsx",
            Format = SourceFormat.Xlsx,
            SizeBytes = 98765,
            Sha256 = new string('0', 64),
            Blocks = [streamed, Table("Notes", ["Note"], [[T("ok")]])],
            Sheets =
            [
                new SheetInfo { Name = "Ledger", Index = 1, Dimension = "A1:C3001", RowCount = 3001, ColumnCount = 3, Streamed = true },
                new SheetInfo { Name = "Notes", Index = 2, Hidden = true, RowCount = 2, ColumnCount = 1, MergedRanges = ["A1:B1"] },
            ],
        };
        var context = Context(document);
        await RunBuiltinAnnotatorsAsync(context);
        context.Annotations.Runs.Add(new AnnotatorRun("language", "skipped", "too little text", 0));

        var json = await WriteAsync(context);

        AssertValid(json);
        Assert.True(json.AsObject().ContainsKey("language"));
        Assert.Null(json["language"]);
        Assert.Equal("xlsx", (string?)json["source"]!["format"]);
        Assert.Equal(3000, (long)json["blocks"]![0]!["rows"]!);
        Assert.True((bool)json["sheets"]![0]!["streamed"]!);
        Assert.Equal(["iban"], json["columns"]![1]!["personalData"]!.AsArray().Select(p => (string)p!));
        Assert.Equal("2024-01-01", (string?)json["columns"]![0]!["min"]);
        Assert.Equal(2, (int)json["statistics"]!["sheets"]!);
    }

    [Fact]
    public async Task An_empty_document_validates()
    {
        var context = Context(Text() with { Format = SourceFormat.Pdf, Notices = [new Notice("no-text-layer", "The PDF has no text layer.")] });
        var json = await WriteAsync(context);
        AssertValid(json);
        Assert.Empty(json["blocks"]!.AsArray());
        Assert.Null(json["statistics"]);
        Assert.Equal("no-text-layer", (string?)json["notices"]![0]!["code"]);
    }

    [Fact]
    public async Task More_than_100000_entities_are_cut_with_a_notice()
    {
        var context = Context(Text(Paragraph("x", 1)));
        for (var i = 0; i < AnnotationsJsonWriter.MaxEntities + 5; i++)
        {
            context.Annotations.Entities.Add(new EntityAnnotation
            {
                Type = "email", Text = "a@b.cd", Value = "a@b.cd", Location = new SourceLocation { Block = 0, Offset = 0, Length = 6 }, Annotator = "patterns",
            });
        }

        var json = await WriteAsync(context);

        Assert.Equal(AnnotationsJsonWriter.MaxEntities, json["entities"]!.AsArray().Count);
        var notice = Assert.Single(json["notices"]!.AsArray(), n => (string?)n!["code"] == "entities-truncated");
        Assert.Equal("annotations", (string?)notice!["source"]);
    }

    [Fact]
    public void A_box_is_written_as_its_four_edges_and_read_back_the_same()
    {
        var location = new SourceLocation { Page = 2, Box = new PageBox(50.5, 700, 120.25, 712) };
        var options = AnnotationsJsonContext.Default.Options;

        var json = System.Text.Json.JsonSerializer.Serialize(location, options);
        var box = JsonNode.Parse(json)!["box"]!.AsObject();

        Assert.Equal(["left", "bottom", "right", "top"], box.Select(p => p.Key));
        Assert.Equal(120.25, (double)box["right"]!);
        Assert.Equal(location, System.Text.Json.JsonSerializer.Deserialize<SourceLocation>(json, options));
        Assert.DoesNotContain("\"box\"", System.Text.Json.JsonSerializer.Serialize(new SourceLocation { Page = 2 }, options), StringComparison.Ordinal);
    }
}
