using System.Text.Json.Nodes;
using Annotate.Annotators.Models.Grammar;
using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Tests.Models.Support;
using Json.Schema;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace Annotate.Annotators.Tests.Models.Grammar;

public class StructuredGeneratorTests(ModelFixture fixture, ITestOutputHelper output) : IClassFixture<ModelFixture>
{
    private const string SystemPrompt = "You read business documents and answer with JSON only.";

    private static readonly string[] Prompts =
    [
        "Once upon a time there was a little girl named Lily.",
        "Tom had a big red ball and a small dog.",
        "The invoice from Acme Ltd is due on Monday.",
        "One day, a bird flew over the park and saw a cat.",
        "Sue and Ben went to the shop to buy milk.",
        "Extract the entities of this contract between two parties.",
        "The sun was hot and the boy wanted to swim.",
        "Mom said: \"Please clean your room\".",
    ];

    // Strings and arrays are bounded tighter than production so every answer fits a small token budget.
    private readonly GrammarOptions _bounds = new() { MaxStringLength = 24, MaxArrayItems = 4 };

    private StructuredGenerator Generator(float temperature = 0.9f, uint seed = 1, bool extendCutAnswers = true)
    {
        fixture.Model.Temperature = temperature;
        fixture.Model.Seed = seed;
        _bounds.ExtendCutAnswers = extendCutAnswers;
        return new StructuredGenerator(fixture.Model, NullLogger<StructuredGenerator>.Instance, Options.Create(_bounds));
    }

    [Fact]
    public async Task Hundreds_of_sampled_answers_over_varied_schemas_all_parse_and_validate()
    {
        const int runsPerSchema = 15;
        var generator = Generator();
        var failures = new List<string>();
        var distinct = new HashSet<string>(StringComparer.Ordinal);
        var runs = 0;
        var tokens = 0;
        foreach (var (name, text) in SampleSchemas.All)
        {
            var schema = JsonNode.Parse(text)!;
            var validator = JsonSchema.FromText(text, new BuildOptions { SchemaRegistry = new SchemaRegistry(), Dialect = Dialect.Draft202012 });
            for (var i = 0; i < runsPerSchema; i++)
            {
                runs++;
                var user = $"{Prompts[i % Prompts.Length]} ({name}, run {i})";
                try
                {
                    var result = await generator.GenerateAsync(SystemPrompt, user, schema, maxTokens: 400, CancellationToken.None);
                    var json = result.Value?.ToJsonString() ?? "null";
                    tokens += result.CompletionTokens;
                    distinct.Add(json);

                    // Checked here again, independently of the generator, so a generator that skipped validation fails.
                    using var document = System.Text.Json.JsonDocument.Parse(json);
                    var check = validator.Evaluate(document.RootElement, new EvaluationOptions { RequireFormatValidation = true });
                    if (!check.IsValid)
                    {
                        failures.Add($"{name} #{i}: does not validate: {json}");
                    }
                    if (result.FinishReason != "stop")
                    {
                        failures.Add($"{name} #{i}: finished by {result.FinishReason}");
                    }
                }
                catch (AnnotationException ex)
                {
                    failures.Add($"{name} #{i}: {ex.Reason}: {ex.Message}");
                }
            }
        }

        output.WriteLine($"{runs} runs over {SampleSchemas.All.Count} schemas, {tokens} tokens, {distinct.Count} distinct answers, {runs - failures.Count} valid.");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(runs >= 300);
        // Sampling with varied prompts and seeds must explore the schemas, not repeat one answer per schema.
        Assert.True(distinct.Count > runs / 2, $"only {distinct.Count} distinct answers in {runs} runs");
    }

    [Fact]
    public async Task Required_properties_are_always_written_and_in_declaration_order()
    {
        var generator = Generator(seed: 7);
        var schema = SampleSchemas.Parse("required-and-optional");
        var declared = schema["properties"]!.AsObject().Select(p => p.Key).ToList();
        var optionalSeen = new HashSet<string>();

        for (var i = 0; i < 20; i++)
        {
            var result = await generator.GenerateAsync(SystemPrompt, Prompts[i % Prompts.Length], schema, 200, CancellationToken.None);

            var keys = result.Value!.AsObject().Select(p => p.Key).ToList();
            Assert.Contains("title", keys);
            Assert.Contains("pages", keys);
            Assert.Equal(declared.Where(keys.Contains), keys);
            optionalSeen.UnionWith(keys.Except(["title", "pages"]));
        }
        // Optional properties are really optional, not dropped by the grammar.
        Assert.NotEmpty(optionalSeen);
    }

    [Fact]
    public async Task Strings_without_maxLength_stay_within_the_configured_bound()
    {
        var generator = Generator(seed: 3);
        var schema = JsonNode.Parse("""{"type":"object","properties":{"text":{"type":"string"}},"required":["text"]}""")!;

        for (var i = 0; i < 10; i++)
        {
            var result = await generator.GenerateAsync(SystemPrompt, Prompts[i % Prompts.Length], schema, 200, CancellationToken.None);

            Assert.InRange(result.Value!["text"]!.GetValue<string>().Length, 0, _bounds.MaxStringLength);
        }
    }

    [Fact]
    public async Task Greedy_decoding_gives_the_same_answer_for_the_same_request()
    {
        var schema = SampleSchemas.Parse("entities");

        var first = await Generator(temperature: 0).GenerateAsync(SystemPrompt, Prompts[0], schema, 300, CancellationToken.None);
        var second = await Generator(temperature: 0).GenerateAsync(SystemPrompt, Prompts[0], schema, 300, CancellationToken.None);

        Assert.Equal(first.Value!.ToJsonString(), second.Value!.ToJsonString());
        Assert.True(first.PromptTokens > 0);
        Assert.True(first.CompletionTokens > 0);
        Assert.Equal("stop", first.FinishReason);
    }

    [Fact]
    public async Task An_answer_cut_by_the_token_limit_fails_with_model_invalid_output_and_says_why()
    {
        var generator = Generator(extendCutAnswers: false);

        var error = await Assert.ThrowsAsync<AnnotationException>(() =>
            generator.GenerateAsync(SystemPrompt, Prompts[0], SampleSchemas.Parse("nested-objects"), maxTokens: 4, CancellationToken.None));

        Assert.Equal(FailureReason.ModelInvalidOutput, error.Reason);
        Assert.Equal("model-invalid-output", error.Reason);
        Assert.False(error.Retryable);
        Assert.Contains("not valid JSON", error.Message);
        Assert.Contains("token limit (4 tokens)", error.Message);
        Assert.Contains("Answer: '{", error.Message);
    }

    [Fact]
    public async Task An_answer_cut_by_the_token_limit_is_asked_again_with_the_room_left_in_the_context()
    {
        var generator = Generator();

        var result = await generator.GenerateAsync(SystemPrompt, Prompts[0], SampleSchemas.Parse("nested-objects"), maxTokens: 4, CancellationToken.None);

        Assert.Equal("stop", result.FinishReason);
        Assert.True(result.CompletionTokens > 4);
        Assert.NotNull(result.Value);
    }

    [Fact]
    public async Task An_answer_the_grammar_allows_but_the_schema_rejects_fails_with_the_validation_errors()
    {
        // "pattern" is not compiled into the grammar (documented), so only the validator can catch it.
        var schema = JsonNode.Parse("""{"type":"object","properties":{"code":{"type":"string","minLength":3,"maxLength":3,"pattern":"^[0-9]{3}$"}},"required":["code"]}""")!;
        var generator = Generator(temperature: 0);

        var error = await Assert.ThrowsAsync<AnnotationException>(() =>
            generator.GenerateAsync(SystemPrompt, Prompts[1], schema, 50, CancellationToken.None));

        Assert.Equal(FailureReason.ModelInvalidOutput, error.Reason);
        Assert.Contains("does not match the task's JSON Schema", error.Message);
        Assert.Contains("/code pattern:", error.Message);
    }

    [Fact]
    public void Each_schema_is_compiled_once_whatever_its_formatting()
    {
        var generator = Generator();
        var compact = JsonNode.Parse("""{"type":"object","properties":{"a":{"type":"integer"}},"required":["a"]}""")!;
        var spaced = JsonNode.Parse("""
            {
              "type": "object",
              "properties": { "a": { "type": "integer" } },
              "required": [ "a" ]
            }
            """)!;

        Assert.Same(generator.GrammarFor(compact), generator.GrammarFor(spaced));
    }

    [Fact]
    public async Task An_unsupported_schema_fails_before_the_model_is_called()
    {
        var generator = Generator();
        var schema = JsonNode.Parse("""{"type":"object","properties":{"n":{"type":"integer","maximum":10}}}""")!;

        var error = await Assert.ThrowsAsync<ArgumentException>(() => generator.GenerateAsync(SystemPrompt, "x", schema, 50, CancellationToken.None));

        Assert.Contains("'maximum'", error.Message);
    }
}
