using System.Text.Json.Nodes;
using Annotate.Annotators.Annotations;
using Annotate.Annotators.Models.Chunking;
using Annotate.Annotators.Models.Grammar;
using Annotate.Annotators.Profiles;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.Models.Tasks;

/// <summary>
/// Extracts the values of the profile's extraction schema chunk by chunk, merges them (the first non-null scalar wins,
/// arrays are concatenated without duplicates) and grounds every leaf in the document's text.
/// </summary>
public sealed class ExtractionAnnotator : IAnnotator
{
    /// <summary>Version of the prompt; bump whenever its wording changes.</summary>
    public const string PromptVersion = "extraction-1";

    private const string Instructions =
        "You extract values from business documents. Answer with JSON only, following the schema. " +
        "Copy values exactly as the text states them; use null when this part of the document does not state a value. Never guess.";

    private readonly ILanguageModel _model;
    private readonly StructuredGenerator _generator;
    private readonly DocumentChunker _chunker;
    private readonly Grounding _grounding;
    private readonly ModelTaskOptions _options;

    /// <summary>Creates the annotator.</summary>
    public ExtractionAnnotator(ILanguageModel model, StructuredGenerator generator, DocumentChunker chunker, Grounding grounding, IOptions<ModelTaskOptions> options)
    {
        _model = model;
        _generator = generator;
        _chunker = chunker;
        _grounding = grounding;
        _options = options.Value;
    }

    /// <inheritdoc />
    public string Name => "extraction";

    /// <inheritdoc />
    public int Order => 510;

    /// <inheritdoc />
    public async Task<AnnotatorOutcome> AnnotateAsync(AnnotationContext context, CancellationToken cancellationToken)
    {
        var profile = context.Profile;
        if (string.IsNullOrWhiteSpace(profile.ExtractionSchema))
        {
            return AnnotatorOutcome.Skipped("no-extraction-schema");
        }
        if (await ModelTasks.CheckAvailableAsync(_model, context, cancellationToken).ConfigureAwait(false) is { } unavailable)
        {
            return unavailable;
        }
        var schema = ProfileCatalog.LoadSchema(profile.ExtractionSchema);
        var system = TaskChunks.SystemPrompt(Instructions, context, _model, example => example.Values);
        var userTemplate = $"Document '{TaskChunks.FileName(context.Document)}', one part:\n{{0}}\n\nExtract the values the schema asks for from this part.";
        var chunked = TaskChunks.Chunk(context, _model, _chunker, Name, _options.ExtractionMaxOutputTokens, system, userTemplate, cancellationToken);
        if (chunked is null)
        {
            return AnnotatorOutcome.Skipped("no-text");
        }
        var answers = await Task.WhenAll(chunked.Chunks.Select(chunk =>
            _generator.GenerateAsync(system, TaskChunks.User(userTemplate, chunk), schema, _options.ExtractionMaxOutputTokens, cancellationToken))).ConfigureAwait(false);

        var merged = new JsonObject();
        foreach (var answer in answers)
        {
            if (answer.Value is JsonObject values)
            {
                Merge(merged, values);
            }
        }
        context.Annotations.Extraction = new ExtractionAnnotation
        {
            Values = merged,
            Fields = _grounding.Ground(context.Document, merged, cancellationToken),
            Chunks = chunked.Chunks.Count,
            Provenance = ModelTasks.Provenance(_model, profile, PromptVersion),
            Annotator = Name,
        };
        return AnnotatorOutcome.Done;
    }

    /// <summary>Merges <paramref name="source"/> into <paramref name="target"/>: the first non-null scalar wins, objects merge, arrays concatenate without duplicates.</summary>
    public static void Merge(JsonObject target, JsonObject source)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(source);
        foreach (var (name, value) in source)
        {
            var existing = target[name];
            switch (existing, value)
            {
                case (null, _):
                    target[name] = value?.DeepClone();
                    break;
                case (JsonObject into, JsonObject from):
                    Merge(into, from);
                    break;
                case (JsonArray into, JsonArray from):
                    var seen = into.Select(i => i?.ToJsonString() ?? "null").ToHashSet(StringComparer.Ordinal);
                    foreach (var item in from)
                    {
                        if (seen.Add(item?.ToJsonString() ?? "null"))
                        {
                            into.Add(item?.DeepClone());
                        }
                    }
                    break;
                default:
                    // The first chunk that stated a scalar wins: later chunks rarely restate the headline values.
                    break;
            }
        }
    }
}
