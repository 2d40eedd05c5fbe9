using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Annotate.Annotators.Annotations;
using Annotate.Annotators.Models.Chunking;
using Annotate.Annotators.Models.Grammar;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.Models.Tasks;

/// <summary>
/// Asks the model for the document's title, type, summary, keywords, named entities and dates, chunk by chunk; the
/// chunk summaries are combined by further prompts (map-reduce), the type is the majority, the rest merged.
/// </summary>
public sealed class MetadataAnnotator : IAnnotator
{
    /// <summary>Version of the prompts; bump whenever their wording or schema changes.</summary>
    public const string PromptVersion = "metadata-1";

    /// <summary>Entity types the model chooses from.</summary>
    public static readonly IReadOnlyList<string> EntityTypes = ["person", "organisation", "place", "product"];

    /// <summary>Date roles the model chooses from.</summary>
    public static readonly IReadOnlyList<string> DateRoles = ["issued", "due", "signed", "effective", "other"];

    // Words average about six characters with their space; the schema bounds characters, the prompt asks for words.
    private const int CharactersPerWord = 7;

    private const string Instructions =
        "You describe business documents. Answer with JSON only, following the schema. Use only what the text says.";

    private readonly ILanguageModel _model;
    private readonly StructuredGenerator _generator;
    private readonly DocumentChunker _chunker;
    private readonly ModelTaskOptions _options;

    /// <summary>Creates the annotator.</summary>
    public MetadataAnnotator(ILanguageModel model, StructuredGenerator generator, DocumentChunker chunker, IOptions<ModelTaskOptions> options)
    {
        _model = model;
        _generator = generator;
        _chunker = chunker;
        _options = options.Value;
    }

    /// <inheritdoc />
    public string Name => "metadata";

    /// <inheritdoc />
    public int Order => 500;

    /// <inheritdoc />
    public async Task<AnnotatorOutcome> AnnotateAsync(AnnotationContext context, CancellationToken cancellationToken)
    {
        var profile = context.Profile;
        if (await ModelTasks.CheckAvailableAsync(_model, context, cancellationToken).ConfigureAwait(false) is { } unavailable)
        {
            return unavailable;
        }
        var system = TaskChunks.SystemPrompt(Instructions, context, _model, example => example.Metadata);
        var summaryWords = Math.Max(profile.SummaryMaxWords, 1);
        var keywordCount = Math.Max(profile.KeywordCount, 0);
        var userTemplate =
            $"Document '{TaskChunks.FileName(context.Document)}', one part:\n{{0}}\n\n" +
            $"Give its title, document type, a summary of at most {summaryWords} words, up to {keywordCount} keywords, " +
            "the people, organisations, places and products named, and the dates with their role.";
        var chunked = TaskChunks.Chunk(context, _model, _chunker, Name, _options.MetadataMaxOutputTokens, system, userTemplate, cancellationToken);
        if (chunked is null)
        {
            return AnnotatorOutcome.Skipped("no-text");
        }

        var schema = ChunkSchema(profile.Taxonomy, summaryWords * CharactersPerWord, keywordCount);
        var answers = await Task.WhenAll(chunked.Chunks.Select(chunk =>
            _generator.GenerateAsync(system, TaskChunks.User(userTemplate, chunk), schema, _options.MetadataMaxOutputTokens, cancellationToken))).ConfigureAwait(false);

        var summaries = answers.Select(a => Text(a.Value?["summary"])).Where(s => s.Length > 0).ToList();
        var summary = await CombineAsync(context, system, summaries, summaryWords, cancellationToken).ConfigureAwait(false);
        var values = answers.Select(a => a.Value as JsonObject ?? []).ToList();

        context.Annotations.Metadata = new MetadataAnnotation
        {
            Title = values.Select(v => Text(v["title"])).FirstOrDefault(t => t.Length > 0),
            DocumentType = Majority(values.Select(v => Text(v["documentType"])).Where(t => t.Length > 0)),
            Summary = summary,
            Keywords = Keywords(values, keywordCount),
            Entities = values.SelectMany((v, i) => (v["entities"] as JsonArray ?? []).OfType<JsonObject>()
                    .Select(e => new NamedEntity(Text(e["name"]), Text(e["type"]), chunked.Chunks[i].Location)))
                .Where(e => e.Name.Length > 0)
                .DistinctBy(e => (e.Type, Key(e.Name)))
                .ToList(),
            Dates = values.SelectMany((v, i) => (v["dates"] as JsonArray ?? []).OfType<JsonObject>()
                    .Select(d => new DatedEvent(Text(d["date"]), Text(d["role"]), chunked.Chunks[i].Location)))
                .Where(d => d.Date.Length > 0)
                .DistinctBy(d => (d.Date, d.Role))
                .ToList(),
            Chunks = chunked.Chunks.Count,
            Provenance = ModelTasks.Provenance(_model, profile, PromptVersion),
            Annotator = Name,
        };
        return AnnotatorOutcome.Done;
    }

    /// <summary>The JSON Schema of one chunk's answer.</summary>
    public JsonObject ChunkSchema(IReadOnlyList<string> taxonomy, int summaryMaxLength, int keywordCount)
    {
        JsonNode documentType = taxonomy.Count > 0
            ? new JsonObject { ["type"] = "string", ["enum"] = new JsonArray(taxonomy.Distinct(StringComparer.Ordinal).Select(t => (JsonNode)JsonValue.Create(t)).ToArray()) }
            : BoundedString(_options.NameMaxLength);
        return new JsonObject
        {
            ["type"] = "object",
            ["properties"] = new JsonObject
            {
                ["title"] = BoundedString(_options.TitleMaxLength),
                ["documentType"] = documentType,
                ["summary"] = BoundedString(summaryMaxLength),
                ["keywords"] = new JsonObject { ["type"] = "array", ["maxItems"] = keywordCount, ["items"] = BoundedString(_options.NameMaxLength) },
                ["entities"] = new JsonObject
                {
                    ["type"] = "array",
                    ["maxItems"] = _options.MaxEntitiesPerChunk,
                    ["items"] = new JsonObject
                    {
                        ["type"] = "object",
                        ["properties"] = new JsonObject
                        {
                            ["name"] = BoundedString(_options.NameMaxLength),
                            ["type"] = Enum(EntityTypes),
                        },
                        ["required"] = new JsonArray("name", "type"),
                    },
                },
                ["dates"] = new JsonObject
                {
                    ["type"] = "array",
                    ["maxItems"] = _options.MaxDatesPerChunk,
                    ["items"] = new JsonObject
                    {
                        ["type"] = "object",
                        ["properties"] = new JsonObject
                        {
                            ["date"] = new JsonObject { ["type"] = "string", ["format"] = "date" },
                            ["role"] = Enum(DateRoles),
                        },
                        ["required"] = new JsonArray("date", "role"),
                    },
                },
            },
            ["required"] = new JsonArray("title", "documentType", "summary", "keywords", "entities", "dates"),
        };
    }

    /// <summary>
    /// Combines chunk summaries into one: as many summaries as fit the context go into one prompt, and the round
    /// repeats over the combined ones until one is left.
    /// </summary>
    private async Task<string?> CombineAsync(AnnotationContext context, string system, List<string> summaries, int summaryWords, CancellationToken cancellationToken)
    {
        if (summaries.Count <= 1)
        {
            return summaries.FirstOrDefault();
        }
        var userTemplate =
            $"Summaries of the parts of document '{TaskChunks.FileName(context.Document)}', in order:\n{{0}}\n\n" +
            $"Combine them into one summary of the whole document of at most {summaryWords} words.";
        var budget = _chunker.BudgetFor(_model, context.Document.FileName, Name, _options.MetadataMaxOutputTokens, system,
            string.Format(CultureInfo.InvariantCulture, userTemplate, string.Empty));
        var schema = new JsonObject
        {
            ["type"] = "object",
            ["properties"] = new JsonObject { ["summary"] = BoundedString(summaryWords * CharactersPerWord) },
            ["required"] = new JsonArray("summary"),
        };
        while (summaries.Count > 1)
        {
            var groups = Group(summaries, budget);
            if (groups.Count == summaries.Count)
            {
                // Not even two summaries fit one prompt: the first part's summary stands for the document.
                return summaries[0];
            }
            var combined = await Task.WhenAll(groups.Select(group => group.Count == 1
                ? Task.FromResult(group[0])
                : CombineGroupAsync(system, userTemplate, group, schema, cancellationToken))).ConfigureAwait(false);
            summaries = combined.Where(s => s.Length > 0).ToList();
        }
        return summaries.FirstOrDefault();
    }

    private async Task<string> CombineGroupAsync(string system, string userTemplate, List<string> group, JsonObject schema, CancellationToken cancellationToken)
    {
        var text = string.Join('\n', group.Select(s => "- " + s));
        var result = await _generator.GenerateAsync(system, string.Format(CultureInfo.InvariantCulture, userTemplate, text), schema,
            _options.MetadataMaxOutputTokens, cancellationToken).ConfigureAwait(false);
        return Text(result.Value?["summary"]);
    }

    private List<List<string>> Group(List<string> summaries, int budget)
    {
        var groups = new List<List<string>>();
        var current = new List<string>();
        foreach (var summary in summaries)
        {
            var candidate = current.Append(summary).ToList();
            if (current.Count > 0 && _model.CountTokens(string.Join('\n', candidate.Select(s => "- " + s))) > budget)
            {
                groups.Add(current);
                current = [summary];
            }
            else
            {
                current = candidate;
            }
        }
        if (current.Count > 0)
        {
            groups.Add(current);
        }
        // A group of one over the budget cannot be sent; it is kept as it is.
        return groups;
    }

    private static List<string> Keywords(List<JsonObject> values, int count)
    {
        var seen = new Dictionary<string, (string Text, int Count, int First)>(StringComparer.Ordinal);
        var position = 0;
        foreach (var keyword in values.SelectMany(v => (v["keywords"] as JsonArray ?? []).Select(Text)))
        {
            position++;
            if (keyword.Length == 0)
            {
                continue;
            }
            var key = Key(keyword);
            seen[key] = seen.TryGetValue(key, out var known) ? known with { Count = known.Count + 1 } : (keyword, 1, position);
        }
        return seen.Values.OrderByDescending(k => k.Count).ThenBy(k => k.First).Take(count).Select(k => k.Text).ToList();
    }

    private static string? Majority(IEnumerable<string> types) =>
        types.Select((t, i) => (Type: t, Index: i)).GroupBy(t => t.Type, StringComparer.Ordinal)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Min(t => t.Index)).Select(g => g.Key).FirstOrDefault();

    private static string Key(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var part in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            builder.Append(builder.Length == 0 ? "" : " ").Append(part.ToLowerInvariant());
        }
        return builder.ToString();
    }

    private static string Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text.Trim() : string.Empty;

    private static JsonObject BoundedString(int maxLength) => new() { ["type"] = "string", ["maxLength"] = Math.Max(maxLength, 1) };

    private static JsonObject Enum(IEnumerable<string> values) =>
        new() { ["type"] = "string", ["enum"] = new JsonArray(values.Select(v => (JsonNode)JsonValue.Create(v)).ToArray()) };
}
