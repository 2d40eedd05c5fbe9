using System.Text.Json.Nodes;
using Annotate.Annotators.Models.Grammar;
using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Tests.Models.Host;
using Json.Schema;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace Annotate.Annotators.Tests.Models.Grammar;

/// <summary>
/// The production path: schema-constrained generation through the batched host, many requests in flight at once,
/// sampled (not greedy) so the answers vary. Every one must parse and validate.
/// </summary>
public class StructuredGenerationThroughHostTests(ITestOutputHelper output)
{
    private static readonly string[] Prompts =
    [
        "Once upon a time there was a little girl named Lily.",
        "The invoice from Acme Ltd is due on Monday.",
        "Tom had a big red ball and a small dog.",
        "Extract the entities of this contract between two parties.",
    ];

    [Fact]
    public async Task Hundreds_of_batched_sampled_answers_over_varied_schemas_all_parse_and_validate()
    {
        const int runsPerSchema = 12;
        await using var host = await ModelHostFactory.LoadedAsync(o =>
        {
            o.ContextSize = 4096;
            o.Temperature = 0.9f;
            o.Seed = 11;
            o.MaxOutputTokens = 400;
        });
        var generator = new StructuredGenerator(host, NullLogger<StructuredGenerator>.Instance,
            Options.Create(new GrammarOptions { MaxStringLength = 24, MaxArrayItems = 4 }));

        var work = SampleSchemas.All.SelectMany(s => Enumerable.Range(0, runsPerSchema).Select(i => (Name: s.Key, Text: s.Value, Run: i))).ToList();
        var results = await Task.WhenAll(work.Select(async w =>
        {
            var schema = JsonNode.Parse(w.Text)!;
            try
            {
                var result = await generator.GenerateAsync("You answer with JSON only.", $"{Prompts[w.Run % Prompts.Length]} ({w.Name}, run {w.Run})",
                    schema, maxTokens: 400, CancellationToken.None);
                var json = result.Value?.ToJsonString() ?? "null";
                var validator = JsonSchema.FromText(w.Text, new BuildOptions { SchemaRegistry = new SchemaRegistry(), Dialect = Dialect.Draft202012 });
                using var document = System.Text.Json.JsonDocument.Parse(json);
                var valid = validator.Evaluate(document.RootElement, new EvaluationOptions { RequireFormatValidation = true }).IsValid;
                return (w.Name, Json: json, Error: valid ? null : $"does not validate: {json}");
            }
            catch (AnnotationException ex)
            {
                return (w.Name, Json: (string?)null, Error: $"{ex.Reason}: {ex.Message}");
            }
        }));

        var failures = results.Where(r => r.Error is not null).Select(r => $"{r.Name}: {r.Error}").ToList();
        var distinct = results.Select(r => r.Json).Distinct().Count();
        output.WriteLine($"{results.Length} batched runs over {SampleSchemas.All.Count} schemas, {distinct} distinct answers, {results.Length - failures.Count} valid.");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(results.Length >= 200);
        // Sampling must explore the schemas rather than repeat one answer per schema.
        Assert.True(distinct > results.Length / 4, $"only {distinct} distinct answers in {results.Length} runs");
    }
}
