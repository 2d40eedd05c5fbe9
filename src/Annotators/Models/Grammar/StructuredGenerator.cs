using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Annotate.Annotators.Pipeline;
using Json.Schema;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.Models.Grammar;

/// <summary>
/// Asks the language model for an answer shaped by a JSON Schema: the schema is compiled once to a GBNF grammar that
/// constrains decoding, and the answer is parsed and validated before it is returned.
/// </summary>
public sealed class StructuredGenerator
{
    private const int ErrorsInMessage = 3;
    private const int PreviewLength = 200;

    private static readonly EvaluationOptions Evaluation = new()
    {
        OutputFormat = OutputFormat.List,
        // The grammar writes real dates for format "date"; checking them keeps the compiler honest.
        RequireFormatValidation = true,
    };

    private readonly ILanguageModel _model;
    private readonly ILogger<StructuredGenerator> _logger;
    private readonly GrammarOptions _options;

    // Keyed by the schema's JSON text: tasks reuse a handful of schemas, so this stays small; Lazy compiles each once
    // even when many documents ask for the same schema at the same moment.
    private readonly ConcurrentDictionary<string, Lazy<CompiledSchema>> _compiled = new(StringComparer.Ordinal);

    // Tokens kept free when an answer is given all the remaining context (the host counts end-of-generation too).
    private const int ContextMargin = 4;

    /// <summary>Creates the generator.</summary>
    /// <param name="model">The loaded model.</param>
    /// <param name="logger">Logger.</param>
    /// <param name="options">Grammar bounds; the defaults of <see cref="GrammarOptions"/> when null.</param>
    public StructuredGenerator(ILanguageModel model, ILogger<StructuredGenerator> logger, IOptions<GrammarOptions>? options = null)
    {
        _model = model;
        _logger = logger;
        _options = options?.Value ?? new GrammarOptions();
    }

    /// <summary>
    /// Generates an answer valid against <paramref name="schema"/>. Throws <see cref="AnnotationException"/> with
    /// <see cref="FailureReason.ModelInvalidOutput"/> when the answer does not parse or validate (typically because the
    /// token limit cut it), and <see cref="ArgumentException"/> when the schema uses something the grammar compiler does
    /// not support.
    /// </summary>
    public async Task<StructuredResult> GenerateAsync(string system, string user, JsonNode schema, int? maxTokens, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var compiled = Compiled(schema);
        var request = new ModelRequest { System = system, User = user, Grammar = compiled.Gbnf, MaxTokens = maxTokens };
        var completion = await _model.CompleteAsync(request, cancellationToken).ConfigureAwait(false);
        if (completion.FinishReason == "length" && _options.ExtendCutAnswers)
        {
            // Cut before the grammar completed: once more, with the room the context has left for this prompt.
            var room = _model.Status.ContextSize - completion.PromptTokens - ContextMargin;
            if (room > completion.CompletionTokens)
            {
                _logger.LogInformation("Model answer stopped at its limit of {Tokens} tokens; asking again with room for {Room}", completion.CompletionTokens, room);
                completion = await _model.CompleteAsync(request with { MaxTokens = room }, cancellationToken).ConfigureAwait(false);
            }
        }

        var cut = completion.FinishReason == "length"
            ? $" It stopped at the token limit ({completion.CompletionTokens} tokens); raise maxTokens or bound the schema's strings and arrays."
            : "";
        JsonNode? value;
        EvaluationResults results;
        try
        {
            value = JsonNode.Parse(completion.Text);
            using var document = JsonDocument.Parse(completion.Text);
            results = compiled.Validator.Evaluate(document.RootElement, Evaluation);
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or InvalidOperationException)
        {
            _logger.LogWarning("Model answer is not valid JSON ({FinishReason}, {Tokens} tokens): {Error}", completion.FinishReason, completion.CompletionTokens, ex.Message);
            throw new AnnotationException(FailureReason.ModelInvalidOutput,
                $"The model's answer is not valid JSON: {ex.Message}.{cut} Answer: {Preview(completion.Text)}", inner: ex);
        }
        if (!results.IsValid)
        {
            var errors = Errors(results).Take(ErrorsInMessage).ToList();
            _logger.LogWarning("Model answer does not match its schema ({FinishReason}): {Errors}", completion.FinishReason, string.Join("; ", errors));
            throw new AnnotationException(FailureReason.ModelInvalidOutput,
                $"The model's answer does not match the task's JSON Schema: {string.Join("; ", errors)}.{cut} Answer: {Preview(completion.Text)}");
        }
        return new StructuredResult(value, completion.PromptTokens, completion.CompletionTokens, completion.FinishReason, completion.Duration);
    }

    /// <summary>The GBNF grammar <see cref="GenerateAsync"/> decodes under for <paramref name="schema"/>.</summary>
    public string GrammarFor(JsonNode schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return Compiled(schema).Gbnf;
    }

    private CompiledSchema Compiled(JsonNode schema)
    {
        var text = schema.ToJsonString();
        return _compiled.GetOrAdd(text, key => new Lazy<CompiledSchema>(() => Compile(key))).Value;
    }

    private CompiledSchema Compile(string text)
    {
        var gbnf = JsonSchemaGrammar.Compile(JsonNode.Parse(text)!, _options);
        JsonSchema validator;
        try
        {
            // A registry per schema: two task schemas declaring the same $id must not collide in the global registry.
            // Schemas without "$schema" are read as draft 2020-12, which tolerates unknown keywords such as the
            // older "definitions".
            validator = JsonSchema.FromText(text, new BuildOptions { SchemaRegistry = new SchemaRegistry(), Dialect = Dialect.Draft202012 });
        }
        catch (Exception ex) when (ex is JsonSchemaException or JsonException)
        {
            throw new ArgumentException($"The JSON Schema cannot be used for validation: {ex.Message}", nameof(text), ex);
        }
        _logger.LogDebug("Compiled a JSON Schema of {SchemaLength} characters into a GBNF grammar of {GrammarLength} characters", text.Length, gbnf.Length);
        return new CompiledSchema(gbnf, validator);
    }

    private static IEnumerable<string> Errors(EvaluationResults results)
    {
        var nodes = new[] { results }.Concat(results.Details ?? []);
        foreach (var node in nodes)
        {
            foreach (var error in node.Errors ?? new Dictionary<string, string>())
            {
                var at = node.InstanceLocation.ToString();
                yield return $"{(at.Length == 0 ? "/" : at)} {error.Key}: {error.Value}";
            }
        }
    }

    private static string Preview(string text) => text.Length <= PreviewLength ? $"'{text}'" : $"'{text[..PreviewLength]}…' ({text.Length} characters)";

    private sealed record CompiledSchema(string Gbnf, JsonSchema Validator);
}
