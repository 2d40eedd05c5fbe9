using System.Text.Json.Nodes;
using Annotate.Annotators.Annotations;
using Annotate.Annotators.Models.Chunking;
using Annotate.Annotators.Models.Grammar;
using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Profiles;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.Models.Tasks;

/// <summary>
/// Has the model rewrite the content chunk by chunk, as the profile's <c>Reformat.Target</c> says: clean Markdown, JSON
/// records following <c>Reformat.RecordSchema</c>, or the same records as CSV columns.
/// </summary>
public sealed class ReformatAnnotator : IAnnotator
{
    /// <summary>Version of the prompts; bump whenever their wording changes.</summary>
    public const string PromptVersion = "reformat-1";

    private const string MarkdownInstructions =
        "You rewrite parts of business documents as clean Markdown: headings, paragraphs, lists and tables, keeping every fact and the wording. " +
        "Answer with JSON only: the Markdown as a list of lines.";

    private const string RecordInstructions =
        "You turn parts of business documents into records. Answer with JSON only: the records this part holds, each following the schema, " +
        "with values copied from the text; an empty list when it holds none.";

    private readonly ILanguageModel _model;
    private readonly StructuredGenerator _generator;
    private readonly DocumentChunker _chunker;
    private readonly ModelTaskOptions _options;

    /// <summary>Creates the annotator.</summary>
    public ReformatAnnotator(ILanguageModel model, StructuredGenerator generator, DocumentChunker chunker, IOptions<ModelTaskOptions> options)
    {
        _model = model;
        _generator = generator;
        _chunker = chunker;
        _options = options.Value;
    }

    /// <inheritdoc />
    public string Name => "reformat";

    /// <inheritdoc />
    public int Order => 520;

    /// <inheritdoc />
    public async Task<AnnotatorOutcome> AnnotateAsync(AnnotationContext context, CancellationToken cancellationToken)
    {
        var profile = context.Profile;
        var target = (profile.Reformat.Target ?? "none").Trim().ToLowerInvariant();
        if (target is "" or "none")
        {
            return AnnotatorOutcome.Skipped("no-reformat-target");
        }
        if (target is not (ReformatAnnotation.Markdown or ReformatAnnotation.JsonRecords or ReformatAnnotation.Csv))
        {
            throw new AnnotationException(FailureReason.InvalidRequest,
                $"Profile '{profile.Name}' asks to reformat '{context.Document.FileName}' as '{profile.Reformat.Target}'; the targets are none, markdown, json-records and csv.");
        }
        JsonObject? recordSchema = null;
        if (target != ReformatAnnotation.Markdown)
        {
            if (string.IsNullOrWhiteSpace(profile.Reformat.RecordSchema))
            {
                throw new AnnotationException(FailureReason.InvalidRequest,
                    $"Profile '{profile.Name}' asks for {target} from '{context.Document.FileName}' but has no Reformat.RecordSchema.");
            }
            recordSchema = ProfileCatalog.LoadSchema(profile.Reformat.RecordSchema) as JsonObject
                ?? throw new AnnotationException(FailureReason.InvalidRequest, $"Profile '{profile.Name}': Reformat.RecordSchema must be a JSON object.");
        }
        if (await ModelTasks.CheckAvailableAsync(_model, context, cancellationToken).ConfigureAwait(false) is { } unavailable)
        {
            return unavailable;
        }

        var system = TaskChunks.SystemPrompt(recordSchema is null ? MarkdownInstructions : RecordInstructions, profile);
        var userTemplate = recordSchema is null
            ? $"Document '{TaskChunks.FileName(context.Document)}', one part:\n{{0}}\n\nRewrite this part as Markdown."
            : $"Document '{TaskChunks.FileName(context.Document)}', one part:\n{{0}}\n\nList the records in this part.";
        // A rewrite is about as long as what it rewrites, plus JSON around it: chunks stay well under the answer
        // limit so a faithful rewrite is never cut off.
        var chunked = TaskChunks.Chunk(context, _model, _chunker, Name, _options.ReformatMaxOutputTokens, system, userTemplate, cancellationToken,
            maxChunkTokens: _options.ReformatMaxOutputTokens * 2 / 3);
        if (chunked is null)
        {
            return AnnotatorOutcome.Skipped("no-text");
        }
        var schema = recordSchema is null ? MarkdownSchema() : RecordsSchema(recordSchema);
        var answers = await Task.WhenAll(chunked.Chunks.Select(chunk =>
            _generator.GenerateAsync(system, TaskChunks.User(userTemplate, chunk), schema, _options.ReformatMaxOutputTokens, cancellationToken))).ConfigureAwait(false);

        var provenance = ModelTasks.Provenance(_model, profile, PromptVersion);
        if (recordSchema is null)
        {
            var parts = answers.Select(a => string.Join('\n', (a.Value?["lines"] as JsonArray ?? []).Select(l => l?.GetValue<string>() ?? string.Empty)).Trim())
                .Where(p => p.Length > 0);
            context.Annotations.Reformat = new ReformatAnnotation
            {
                Target = target,
                MarkdownText = string.Join("\n\n", parts) + "\n",
                Chunks = chunked.Chunks.Count,
                Provenance = provenance,
                Annotator = Name,
            };
        }
        else
        {
            context.Annotations.Reformat = new ReformatAnnotation
            {
                Target = target,
                Records = answers.SelectMany(a => (a.Value?["records"] as JsonArray ?? []).OfType<JsonObject>()).Select(r => (JsonObject)r.DeepClone()).ToList(),
                Columns = (recordSchema["properties"] as JsonObject)?.Select(p => p.Key).ToList() ?? [],
                Chunks = chunked.Chunks.Count,
                Provenance = provenance,
                Annotator = Name,
            };
        }
        return AnnotatorOutcome.Done;
    }

    private JsonObject MarkdownSchema() => new()
    {
        ["type"] = "object",
        ["properties"] = new JsonObject
        {
            ["lines"] = new JsonObject
            {
                ["type"] = "array",
                ["maxItems"] = _options.MarkdownLinesPerChunk,
                ["items"] = new JsonObject { ["type"] = "string", ["maxLength"] = _options.MarkdownLineMaxLength },
            },
        },
        ["required"] = new JsonArray("lines"),
    };

    /// <summary>The answer schema for records: an array of the record schema, its definitions lifted to the root so its local references still resolve.</summary>
    private JsonObject RecordsSchema(JsonObject recordSchema)
    {
        var record = (JsonObject)recordSchema.DeepClone();
        var root = new JsonObject
        {
            ["type"] = "object",
            ["properties"] = new JsonObject
            {
                ["records"] = new JsonObject { ["type"] = "array", ["maxItems"] = _options.RecordsPerChunk },
            },
            ["required"] = new JsonArray("records"),
        };
        foreach (var keyword in new[] { "$defs", "definitions" })
        {
            if (record[keyword] is JsonObject definitions)
            {
                record.Remove(keyword);
                root[keyword] = definitions;
            }
        }
        record.Remove("$schema");
        record.Remove("$id");
        root["properties"]!["records"]!["items"] = record;
        return root;
    }
}
