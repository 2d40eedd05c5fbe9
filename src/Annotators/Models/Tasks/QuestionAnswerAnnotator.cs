using System.Text.Json.Nodes;
using Annotate.Annotators.Annotations;
using Annotate.Annotators.Models.Chunking;
using Annotate.Annotators.Models.Grammar;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.Models.Tasks;

/// <summary>
/// Generates the profile's <c>QaPairsPerChunk</c> question–answer pairs from every chunk, each answerable from that
/// chunk alone, for fine-tuning data (written as <c>qa.jsonl</c>).
/// </summary>
public sealed class QuestionAnswerAnnotator : IAnnotator
{
    /// <summary>Version of the prompt; bump whenever its wording changes.</summary>
    public const string PromptVersion = "qa-1";

    private const string Instructions =
        "You write question and answer pairs for training an assistant on business documents. Every question must be answerable " +
        "from the given part of the document alone, and every answer must be taken from that part. Answer with JSON only.";

    private readonly ILanguageModel _model;
    private readonly StructuredGenerator _generator;
    private readonly DocumentChunker _chunker;
    private readonly ModelTaskOptions _options;

    /// <summary>Creates the annotator.</summary>
    public QuestionAnswerAnnotator(ILanguageModel model, StructuredGenerator generator, DocumentChunker chunker, IOptions<ModelTaskOptions> options)
    {
        _model = model;
        _generator = generator;
        _chunker = chunker;
        _options = options.Value;
    }

    /// <inheritdoc />
    public string Name => "qa";

    /// <inheritdoc />
    public int Order => 530;

    /// <inheritdoc />
    public async Task<AnnotatorOutcome> AnnotateAsync(AnnotationContext context, CancellationToken cancellationToken)
    {
        var profile = context.Profile;
        var pairs = profile.QaPairsPerChunk;
        if (pairs <= 0)
        {
            return AnnotatorOutcome.Skipped("no-qa-pairs");
        }
        if (await ModelTasks.CheckAvailableAsync(_model, context, cancellationToken).ConfigureAwait(false) is { } unavailable)
        {
            return unavailable;
        }
        var system = TaskChunks.SystemPrompt(Instructions, profile);
        var userTemplate =
            $"Document '{TaskChunks.FileName(context.Document)}', one part:\n{{0}}\n\n" +
            $"Write {pairs} question and answer pairs that this part alone answers.";
        var chunked = TaskChunks.Chunk(context, _model, _chunker, Name, _options.QaMaxOutputTokens, system, userTemplate, cancellationToken);
        if (chunked is null)
        {
            return AnnotatorOutcome.Skipped("no-text");
        }
        var schema = Schema(pairs);
        var answers = await Task.WhenAll(chunked.Chunks.Select(chunk =>
            _generator.GenerateAsync(system, TaskChunks.User(userTemplate, chunk), schema, _options.QaMaxOutputTokens, cancellationToken))).ConfigureAwait(false);

        var result = new List<QaPair>();
        for (var i = 0; i < answers.Length; i++)
        {
            foreach (var pair in (answers[i].Value?["pairs"] as JsonArray ?? []).OfType<JsonObject>())
            {
                var question = pair["question"]?.GetValue<string>().Trim() ?? string.Empty;
                var answer = pair["answer"]?.GetValue<string>().Trim() ?? string.Empty;
                if (question.Length > 0 && answer.Length > 0)
                {
                    result.Add(new QaPair(question, answer, chunked.Chunks[i].Index, chunked.Chunks[i].Location));
                }
            }
        }
        context.Annotations.QuestionAnswers = new QaAnnotations
        {
            Pairs = result,
            Chunks = chunked.Chunks.Count,
            Provenance = ModelTasks.Provenance(_model, profile, PromptVersion),
            Annotator = Name,
        };
        return AnnotatorOutcome.Done;
    }

    private JsonObject Schema(int pairs) => new()
    {
        ["type"] = "object",
        ["properties"] = new JsonObject
        {
            ["pairs"] = new JsonObject
            {
                ["type"] = "array",
                ["minItems"] = pairs,
                ["maxItems"] = pairs,
                ["items"] = new JsonObject
                {
                    ["type"] = "object",
                    ["properties"] = new JsonObject
                    {
                        ["question"] = new JsonObject { ["type"] = "string", ["minLength"] = 1, ["maxLength"] = _options.QuestionMaxLength },
                        ["answer"] = new JsonObject { ["type"] = "string", ["minLength"] = 1, ["maxLength"] = _options.AnswerMaxLength },
                    },
                    ["required"] = new JsonArray("question", "answer"),
                },
            },
        },
        ["required"] = new JsonArray("pairs"),
    };
}
