using System.Text.Json.Nodes;
using Annotate.Annotators.Annotations;
using Annotate.Annotators.Builtin;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Models;
using Annotate.Annotators.Models.Chunking;
using Annotate.Annotators.Models.Grammar;
using Annotate.Annotators.Models.Tasks;
using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Profiles;
using Annotate.Annotators.Readers;
using Annotate.Annotators.Tests.Models.Host;
using Annotate.Annotators.Tests.Support;
using Annotate.Annotators.Writers;
using Annotate.Annotators.Writers.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Annotate.Annotators.Tests.Models.Tasks;

public class ModelTasksTests(ModelTaskFixture fixture) : IClassFixture<ModelTaskFixture>
{
    private const string ExtractionSchema = """
        {"type":"object","properties":{
          "invoiceNumber":{"type":["string","null"],"maxLength":10},
          "seller":{"type":["string","null"],"maxLength":10},
          "total":{"type":["number","null"]},
          "issueDate":{"type":["string","null"],"format":"date"}},
         "required":["invoiceNumber","seller","total","issueDate"]}
        """;

    private const string RecordSchema = """{"type":"object","properties":{"item":{"type":"string","maxLength":8},"amount":{"type":["number","null"]}},"required":["item","amount"]}""";

    private static AnnotationProfile Profile(Action<AnnotationProfile>? configure = null)
    {
        var profile = new AnnotationProfile
        {
            Name = "test",
            Instructions = "The document is an invoice.",
            Taxonomy = ["invoice", "letter", "other"],
            SummaryMaxWords = 2,
            KeywordCount = 2,
        };
        configure?.Invoke(profile);
        return profile;
    }

    private static Document Invoice() => new()
    {
        FileName = "invoice.md",
        Format = SourceFormat.Markdown,
        SizeBytes = 400,
        Sha256 = new string('b', 64),
        Blocks =
        [
            new HeadingBlock(1, "Invoice INV-117") { Location = SourceLocation.AtLine(1) },
            new ParagraphBlock("Acme Ltd sold a red ball to Lily on 15 March 2024. The total is 1,234.50 EUR.") { Location = SourceLocation.AtLine(3) },
            new TableBlock
            {
                Name = "Items", Columns = ["Item", "Amount"], HasHeaderRow = true, Location = new SourceLocation { Line = 5 },
                Rows = new InMemoryRows([new TableRow(2, [CellValue.FromText("Ball"), CellValue.FromNumber(1000)]), new TableRow(3, [CellValue.FromText("Dog"), CellValue.FromNumber(234.5)])]),
            },
        ],
    };

    /// <summary>Sixty pages of story text, far more than a context of 512 tokens.</summary>
    private static Document LongStory() => new()
    {
        FileName = "story.pdf",
        Format = SourceFormat.Pdf,
        Blocks = Enumerable.Range(1, 60).Select(page => (Block)new ParagraphBlock(string.Join(' ', Enumerable.Range(0, 12).Select(s =>
            $"On page {page} Lily and Tom went to the park number {s} and played with a big red ball until the sun went down."))) { Location = SourceLocation.OnPage(page) }).ToList(),
    };

    private static ModelTaskOptions Options(Action<ModelTaskOptions>? configure = null) => ModelTaskFixture.TaskOptions(configure);

    private MetadataAnnotator Metadata(ILanguageModel? model = null, DocumentChunker? chunker = null) =>
        new(model ?? fixture.Host, fixture.Generator(), chunker ?? ModelTaskFixture.Chunker(), Microsoft.Extensions.Options.Options.Create(Options()));

    private ExtractionAnnotator Extraction(ILanguageModel? model = null) =>
        new(model ?? fixture.Host, fixture.Generator(), ModelTaskFixture.Chunker(), new Grounding(), Microsoft.Extensions.Options.Options.Create(Options()));

    private ReformatAnnotator Reformat(ILanguageModel? model = null) =>
        new(model ?? fixture.Host, fixture.Generator(), ModelTaskFixture.Chunker(), Microsoft.Extensions.Options.Options.Create(Options()));

    private QuestionAnswerAnnotator Qa(ILanguageModel? model = null, Action<ModelTaskOptions>? configure = null, bool extendCutAnswers = true) =>
        new(model ?? fixture.Host, fixture.Generator(extendCutAnswers), ModelTaskFixture.Chunker(), Microsoft.Extensions.Options.Options.Create(Options(configure)));

    private static async Task<JsonNode> WriteAnnotationsAsync(AnnotationContext context, TempDir dir)
    {
        var writer = new AnnotationsJsonWriter(new FakeTimeProvider(new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero)));
        await writer.WriteAsync(Output(context, dir), CancellationToken.None);
        var json = JsonNode.Parse(await File.ReadAllTextAsync(dir.File("annotations.json")))!;
        var errors = AnnotationsSchema.Validate(json);
        Assert.True(errors.Count == 0, string.Join('\n', errors) + "\n" + json.ToJsonString());
        return json;
    }

    private static OutputContext Output(AnnotationContext context, TempDir dir) =>
        new("doc-1", context.Document, context.Annotations, new DocumentSource(dir.File("src"), "src"), dir.Path);

    private static void AssertProvenance(ModelProvenance provenance, AnnotationProfile profile, string promptVersion)
    {
        Assert.Equal(ModelHostFactory.StoriesSha256, provenance.ModelSha256);
        Assert.Equal(profile.Name, provenance.Profile);
        Assert.Equal(profile.Fingerprint(), provenance.ProfileFingerprint);
        Assert.Equal(promptVersion, provenance.PromptVersion);
    }

    [Fact]
    public async Task Metadata_of_an_invoice_follows_the_taxonomy_and_bounds_and_validates_in_annotations_json()
    {
        var profile = Profile();
        var context = new AnnotationContext("doc-1", Invoice(), profile);

        var outcome = await Metadata().AnnotateAsync(context, CancellationToken.None);

        Assert.True(outcome.Ran, outcome.Reason);
        var metadata = context.Annotations.Metadata!;
        Assert.Contains(metadata.DocumentType, profile.Taxonomy);
        Assert.InRange(metadata.Keywords.Count, 0, profile.KeywordCount);
        Assert.All(metadata.Entities, e => Assert.Contains(e.Type, MetadataAnnotator.EntityTypes));
        Assert.All(metadata.Dates, d => Assert.Contains(d.Role, MetadataAnnotator.DateRoles));
        // Context 512 less a 220-token answer leaves little room: even this invoice takes several chunks, combined by map-reduce.
        Assert.InRange(metadata.Chunks, 2, 4);
        Assert.False(string.IsNullOrEmpty(metadata.Summary));
        AssertProvenance(metadata.Provenance, profile, MetadataAnnotator.PromptVersion);

        using var dir = new TempDir();
        var json = await WriteAnnotationsAsync(context, dir);
        Assert.Equal("1.1", (string?)json["schemaVersion"]);
        Assert.Equal(metadata.DocumentType, (string?)json["metadata"]!["documentType"]);
        Assert.Equal(MetadataAnnotator.PromptVersion, (string?)json["metadata"]!["provenance"]!["promptVersion"]);
    }

    [Fact]
    public async Task A_document_far_larger_than_the_context_is_chunked_within_budget_and_summarised_by_map_reduce()
    {
        var profile = Profile();
        var document = LongStory();
        var context = new AnnotationContext("doc-1", document, profile);
        var chunker = ModelTaskFixture.Chunker(maxChunks: 6);

        var outcome = await Metadata(chunker: chunker).AnnotateAsync(context, CancellationToken.None);

        Assert.True(outcome.Ran, outcome.Reason);
        Assert.Equal(6, context.Annotations.Metadata!.Chunks);
        Assert.Contains(context.Annotations.Notices, n => n.Code == "model-content-truncated" && n.Message.Contains("story.pdf", StringComparison.Ordinal));

        // The same chunks the task sent: every one within the budget by the model's own tokenizer.
        var budget = chunker.BudgetFor(fixture.Host, document.FileName, "metadata", Options().MetadataMaxOutputTokens, "system", "user");
        var chunks = chunker.Chunk(document, fixture.Host.CountTokens, budget);
        Assert.Equal(6, chunks.Chunks.Count);
        Assert.True(chunks.Truncated);
        Assert.All(chunks.Chunks, c =>
        {
            Assert.Equal(fixture.Host.CountTokens(c.Text), c.TokenCount);
            Assert.True(c.TokenCount <= budget, $"chunk {c.Index}: {c.TokenCount} > {budget}");
            Assert.NotNull(c.Location.Page);
        });
        Assert.True(fixture.Host.CountTokens(string.Join('\n', document.Blocks.Select(b => b.Text))) > fixture.Host.Status.ContextSize * 10);
    }

    [Fact]
    public async Task A_five_thousand_row_table_is_annotated_without_errors_in_a_bounded_number_of_chunks()
    {
        var enumerated = 0;
        IEnumerable<TableRow> Rows()
        {
            for (var i = 0; i < 5000; i++)
            {
                enumerated++;
                yield return new TableRow(i + 2, [CellValue.FromText($"Ball {i}"), CellValue.FromNumber(i * 1.5)]);
            }
        }
        var document = new Document
        {
            FileName = "ledger.xlsx",
            Format = SourceFormat.Xlsx,
            Blocks = [new TableBlock { Name = "Ledger", Columns = ["Item", "Amount"], HasHeaderRow = true, Rows = new StreamedRows(Rows, 5000), Location = SourceLocation.InSheet("Ledger", "A1") }],
        };
        var context = new AnnotationContext("doc-1", document, Profile(p => p.QaPairsPerChunk = 1));

        var outcome = await Qa().AnnotateAsync(context, CancellationToken.None);

        Assert.True(outcome.Ran, outcome.Reason);
        var qa = context.Annotations.QuestionAnswers!;
        Assert.Equal(4, qa.Chunks);
        Assert.Equal(4, qa.Pairs.Count);
        Assert.All(qa.Pairs, p => Assert.Equal("Ledger", p.Location.Sheet));
        Assert.All(qa.Pairs, p => Assert.Matches("^A[0-9]+:B[0-9]+$", p.Location.Cell!));
        Assert.True(enumerated < 5000, $"{enumerated} rows were read");
        Assert.Contains(context.Annotations.Notices, n => n.Code == "model-content-truncated");
    }

    [Fact]
    public async Task Extraction_marks_every_value_the_model_invents_as_ungrounded()
    {
        var profile = Profile(p => p.ExtractionSchema = ExtractionSchema);
        var document = Invoice();
        var context = new AnnotationContext("doc-1", document, profile);

        var outcome = await Extraction().AnnotateAsync(context, CancellationToken.None);

        Assert.True(outcome.Ran, outcome.Reason);
        var extraction = context.Annotations.Extraction!;
        AssertProvenance(extraction.Provenance, profile, ExtractionAnnotator.PromptVersion);
        Assert.Equal(Grounding.Leaves(extraction.Values).Select(l => l.Path), extraction.Fields.Select(f => f.Path));
        var texts = document.Blocks.Where(b => b is not TableBlock).Select(b => Grounding.NormaliseText(b.Text)).ToList();
        foreach (var field in extraction.Fields)
        {
            if (field.Grounded)
            {
                // A grounded value points at text that says it.
                Assert.NotNull(field.Location);
                var block = document.Blocks[field.Location!.Block!.Value];
                var source = field.Location.Offset is { } offset ? block.Text.Substring(offset, field.Location.Length!.Value) : field.Text!;
                Assert.Equal(field.Text, source);
            }
            else if (field.Value is JsonValue value && value.TryGetValue<string>(out var text) && field.Status == ExtractedField.UngroundedStatus
                     && !System.Text.RegularExpressions.Regex.IsMatch(text, @"^[-\d.,]+$") && !DateOnly.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out _))
            {
                // An ungrounded text value really is absent from the text.
                var wanted = Grounding.NormaliseText(text);
                Assert.DoesNotContain(texts, t => System.Text.RegularExpressions.Regex.IsMatch(t, $@"(?<![\p{{L}}\p{{N}}]){System.Text.RegularExpressions.Regex.Escape(wanted)}(?![\p{{L}}\p{{N}}])"));
            }
        }

        using var dir = new TempDir();
        var json = await WriteAnnotationsAsync(context, dir);
        Assert.Equal(extraction.Fields.Count, json["extraction"]!["fields"]!.AsArray().Count);
    }

    [Fact]
    public async Task Reformat_to_markdown_and_to_csv_records_writes_the_files_and_summarises_them_in_annotations_json()
    {
        using var dir = new TempDir();
        var markdown = new AnnotationContext("doc-1", Invoice(), Profile(p => p.Reformat = new ReformatSettings { Target = "markdown" }));
        Assert.True((await Reformat().AnnotateAsync(markdown, CancellationToken.None)).Ran);
        var written = await new ReformattedContentWriter().WriteAsync(Output(markdown, dir), CancellationToken.None);
        Assert.Equal("reformatted.md", Assert.Single(written).Name);
        Assert.Equal(markdown.Annotations.Reformat!.MarkdownText, await File.ReadAllTextAsync(dir.File("reformatted.md")));
        var json = await WriteAnnotationsAsync(markdown, dir);
        Assert.Equal("reformatted.md", (string?)json["reformat"]!["fileName"]);

        using var csvDir = new TempDir();
        var csv = new AnnotationContext("doc-1", Invoice(), Profile(p => p.Reformat = new ReformatSettings { Target = "csv", RecordSchema = RecordSchema }));
        Assert.True((await Reformat().AnnotateAsync(csv, CancellationToken.None)).Ran);
        await new ReformattedContentWriter().WriteAsync(Output(csv, csvDir), CancellationToken.None);
        var lines = await File.ReadAllLinesAsync(csvDir.File("records.csv"));
        Assert.Equal("item,amount", lines[0]);
        Assert.Equal(csv.Annotations.Reformat!.Records.Count + 1, lines.Length);
        var csvJson = await WriteAnnotationsAsync(csv, csvDir);
        Assert.Equal(csv.Annotations.Reformat.Records.Count, (int)csvJson["reformat"]!["recordCount"]!);
    }

    [Fact]
    public async Task Reformat_keeps_each_chunk_small_enough_for_its_rewrite_to_fit_the_answer_limit()
    {
        var model = new Rows.ScriptedModel(fixture.Host);
        var options = Options();
        var context = new AnnotationContext("doc-1", LongStory(), Profile(p => p.Reformat = new ReformatSettings { Target = "markdown" }));

        var annotator = new ReformatAnnotator(model, new StructuredGenerator(model, NullLogger<StructuredGenerator>.Instance, Microsoft.Extensions.Options.Options.Create(ModelTaskFixture.Bounds)),
            ModelTaskFixture.Chunker(maxChunks: 3), Microsoft.Extensions.Options.Options.Create(options));
        await annotator.AnnotateAsync(context, CancellationToken.None);

        Assert.NotEmpty(model.Requests);
        var template = model.CountTokens("Document 'story.pdf', one part:\n\n\nRewrite this part as Markdown.");
        Assert.All(model.Requests, r => Assert.True(model.CountTokens(r.User) <= (options.ReformatMaxOutputTokens * 2 / 3) + template + 2,
            $"{model.CountTokens(r.User)} tokens of input for an answer limit of {options.ReformatMaxOutputTokens}"));
    }

    [Fact]
    public async Task Reformat_to_json_records_writes_an_array_of_records_that_follow_the_record_schema()
    {
        using var dir = new TempDir();
        var context = new AnnotationContext("doc-1", Invoice(), Profile(p => p.Reformat = new ReformatSettings { Target = "json-records", RecordSchema = RecordSchema }));

        Assert.True((await Reformat().AnnotateAsync(context, CancellationToken.None)).Ran);
        var written = await new ReformattedContentWriter().WriteAsync(Output(context, dir), CancellationToken.None);

        Assert.Equal("records.json", Assert.Single(written).Name);
        var records = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(dir.File("records.json")))!.AsArray();
        Assert.Equal(context.Annotations.Reformat!.Records.Count, records.Count);
        var schema = Json.Schema.JsonSchema.FromText(RecordSchema);
        Assert.All(records, r =>
        {
            using var record = System.Text.Json.JsonDocument.Parse(r!.ToJsonString());
            Assert.True(schema.Evaluate(record.RootElement).IsValid, r.ToJsonString());
        });
        var json = await WriteAnnotationsAsync(context, dir);
        Assert.Equal("json-records", (string?)json["reformat"]!["target"]);
        Assert.Equal(records.Count, (int)json["reformat"]!["recordCount"]!);
    }

    [Fact]
    public async Task Question_answer_pairs_are_written_as_chat_lines_with_three_roles()
    {
        var context = new AnnotationContext("doc-1", Invoice(), Profile(p => p.QaPairsPerChunk = 2));

        Assert.True((await Qa().AnnotateAsync(context, CancellationToken.None)).Ran);

        var qa = context.Annotations.QuestionAnswers!;
        Assert.Equal(2, qa.Pairs.Count);
        Assert.All(qa.Pairs, p => Assert.Equal(0, p.Chunk));
        using var dir = new TempDir();
        var written = await new QaJsonlWriter().WriteAsync(Output(context, dir), CancellationToken.None);
        Assert.Equal("qa.jsonl", Assert.Single(written).Name);
        var lines = await File.ReadAllLinesAsync(dir.File("qa.jsonl"));
        Assert.Equal(2, lines.Length);
        for (var i = 0; i < lines.Length; i++)
        {
            var messages = JsonNode.Parse(lines[i])!["messages"]!.AsArray();
            Assert.Equal(["system", "user", "assistant"], messages.Select(m => (string)m!["role"]!));
            Assert.Contains("invoice.md", (string)messages[0]!["content"]!, StringComparison.Ordinal);
            Assert.Equal(qa.Pairs[i].Question, (string)messages[1]!["content"]!);
            Assert.Equal(qa.Pairs[i].Answer, (string)messages[2]!["content"]!);
        }
        var json = await WriteAnnotationsAsync(context, dir);
        Assert.Equal(2, (int)json["qa"]!["pairCount"]!);
    }

    [Fact]
    public async Task An_answer_cut_by_the_token_limit_fails_the_document_with_model_invalid_output()
    {
        var context = new AnnotationContext("doc-1", Invoice(), Profile(p => p.QaPairsPerChunk = 2));

        var error = await Assert.ThrowsAsync<AnnotationException>(() =>
            Qa(configure: o => o.QaMaxOutputTokens = 16, extendCutAnswers: false).AnnotateAsync(context, CancellationToken.None));

        Assert.Equal(FailureReason.ModelInvalidOutput, error.Reason);
        Assert.Null(context.Annotations.QuestionAnswers);
    }

    [Fact]
    public async Task An_answer_cut_by_a_small_token_limit_is_completed_with_the_room_left_in_the_context()
    {
        var context = new AnnotationContext("doc-1", Invoice(), Profile(p => p.QaPairsPerChunk = 2));

        var outcome = await Qa(configure: o => o.QaMaxOutputTokens = 16).AnnotateAsync(context, CancellationToken.None);

        Assert.True(outcome.Ran);
        Assert.NotEmpty(context.Annotations.QuestionAnswers!.Pairs);
    }

    [Fact]
    public async Task Cancellation_stops_every_task()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var profile = Profile(p =>
        {
            p.ExtractionSchema = ExtractionSchema;
            p.QaPairsPerChunk = 1;
            p.Reformat = new ReformatSettings { Target = "markdown" };
        });
        IAnnotator[] tasks = [Metadata(), Extraction(), Reformat(), Qa()];
        foreach (var task in tasks)
        {
            var context = new AnnotationContext("doc-1", LongStory(), profile);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task.AnnotateAsync(context, cancelled.Token));
        }
    }

    [Fact]
    public async Task Without_a_model_every_task_is_skipped_with_the_notice_and_the_rest_still_works()
    {
        await using var none = new Annotate.Annotators.Models.Host.LlamaModelHost(
            Microsoft.Extensions.Options.Options.Create(new ModelOptions { Path = null }), TimeProvider.System,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<Annotate.Annotators.Models.Host.LlamaModelHost>.Instance);
        var profile = Profile(p =>
        {
            p.ExtractionSchema = ExtractionSchema;
            p.QaPairsPerChunk = 1;
            p.Reformat = new ReformatSettings { Target = "markdown" };
        });
        var context = new AnnotationContext("doc-1", Invoice(), profile);
        IAnnotator[] annotators = [new StatisticsAnnotator(), Metadata(none), Extraction(none), Reformat(none), Qa(none)];

        foreach (var annotator in annotators)
        {
            var outcome = await annotator.AnnotateAsync(context, CancellationToken.None);
            context.Annotations.Runs.Add(new AnnotatorRun(annotator.Name, outcome.Ran ? "ran" : "skipped", outcome.Reason, 1));
        }

        Assert.Equal(["ran", "skipped", "skipped", "skipped", "skipped"], context.Annotations.Runs.Select(r => r.Status));
        Assert.All(context.Annotations.Runs.Skip(1), r => Assert.Equal(ModelTasks.NotConfiguredNotice, r.Reason));
        Assert.Single(context.Annotations.Notices, n => n.Code == ModelTasks.NotConfiguredNotice);
        Assert.NotNull(context.Annotations.Statistics);
        using var dir = new TempDir();
        var json = await WriteAnnotationsAsync(context, dir);
        Assert.Null(json["metadata"]);
        Assert.Empty(await new QaJsonlWriter().WriteAsync(Output(context, dir), CancellationToken.None));
        Assert.Empty(await new ReformattedContentWriter().WriteAsync(Output(context, dir), CancellationToken.None));
    }
}
