using System.Text.Json;
using Annotate.Annotators.Evaluation;
using Annotate.Annotators.Tests.Embeddings;
using Microsoft.Extensions.Configuration;

namespace Annotate.Annotators.Tests.Evaluation;

[Collection(EmbedderCollection.Name)]
public sealed class EvalCommandTests(EmbedderFixture fixture) : IDisposable
{
    private readonly EvaluationSet _set = new();

    private async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Annotate:Eval:MaxReferenceBytes"] = "4096" }).Build();
        var exit = await EvalCommand.RunAsync(args, configuration, output, error, fixture.Embedder, TimeProvider.System, CancellationToken.None);
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Eval_writes_the_report_json_and_histogram_and_prints_the_totals()
    {
        var outFolder = Path.Combine(_set.Root, "report");

        var (exit, output, error) = await RunAsync("eval", "--results", _set.Results, "--references", _set.References, "--out", outFolder);

        Assert.True(exit == 0, error);
        Assert.Contains("run-a: 3 of 4 documents evaluated, 1 missing, 1 extra.", output, StringComparison.Ordinal);
        Assert.Contains("structured: 10 of 12 right (83.3 %; 5 exact, 5 normalised, 1 wrong, 1 missing), grounded 77.8 %.", output, StringComparison.Ordinal);
        Assert.Contains("text: 2 strongly, 0 somewhat, 1 not similar, 1 missing;", output, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outFolder, EvalCommand.JsonFile)));
        var run = json.RootElement.GetProperty("run");
        Assert.Equal(12, run.GetProperty("structured").GetProperty("compared").GetInt32());
        Assert.Equal(3, run.GetProperty("evaluated").GetInt32());
        Assert.False(json.RootElement.TryGetProperty("compared", out _));
        Assert.Contains("| structured (all) | 12 | 5 | 5 | 1 | 1 |", File.ReadAllText(Path.Combine(outFolder, EvalCommand.MarkdownFile)), StringComparison.Ordinal);
        Assert.Equal(0x89, File.ReadAllBytes(Path.Combine(outFolder, SimilarityHistogram.FileName))[0]);
    }

    [Fact]
    public async Task Compare_puts_both_runs_in_one_report()
    {
        var outFolder = Path.Combine(_set.Root, "report");

        var (exit, output, error) = await RunAsync("eval", "--results", _set.Results, "--references", _set.References, "--compare", _set.ResultsB,
            "--out", outFolder, "--label", "small model", "--compare-label=fine-tuned");

        Assert.True(exit == 0, error);
        Assert.Contains("A (small model): 3 of 4", output, StringComparison.Ordinal);
        Assert.Contains("A structured: 10 of 12 right", output, StringComparison.Ordinal);
        Assert.Contains("B (fine-tuned): 3 of 4", output, StringComparison.Ordinal);
        Assert.Contains("B structured: 11 of 12 right", output, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outFolder, EvalCommand.JsonFile)));
        Assert.Equal("fine-tuned", json.RootElement.GetProperty("compared").GetProperty("label").GetString());
        var type = json.RootElement.GetProperty("differences").EnumerateArray().Single(d => d.GetProperty("field").GetString() == "documentType");
        Assert.Equal(0.5, type.GetProperty("accuracyDelta").GetDouble());
    }

    [Theory]
    [InlineData("eval", "--results")]
    [InlineData("eval", "--results", "a")]
    [InlineData("eval", "--results", "a", "--references", "b", "--bogus")]
    public async Task Bad_command_line_prints_usage_and_exits_2(params string[] args)
    {
        var (exit, _, error) = await RunAsync(args);

        Assert.Equal(EvalCommand.UsageError, exit);
        Assert.Contains("Usage:", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_prints_usage_and_exits_0()
    {
        var (exit, output, _) = await RunAsync("eval");

        Assert.Equal(0, exit);
        Assert.Contains("eval --results <folder> --references <folder>", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unusable_reference_exits_1_naming_the_file()
    {
        _set.Reference("huge.json", "{ \"summary\": \"" + new string('x', 10_000) + "\" }");

        var (exit, _, error) = await RunAsync("eval", "--results", _set.Results, "--references", _set.References, "--out", Path.Combine(_set.Root, "report"));

        Assert.Equal(EvalCommand.InputError, exit);
        Assert.Contains("Reference 'huge.json' is over the limit of 4,096 bytes", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_set.Root, "report")));
    }

    [Fact]
    public async Task Broken_annotations_json_exits_1_naming_the_document_folder()
    {
        File.WriteAllText(Path.Combine(_set.Results, "invoice-2", "annotations.json"), "{ not json");

        var (exit, _, error) = await RunAsync("eval", "--results", _set.Results, "--references", _set.References, "--out", Path.Combine(_set.Root, "report"));

        Assert.Equal(EvalCommand.InputError, exit);
        Assert.StartsWith("'invoice-2/annotations.json' is not valid JSON", error, StringComparison.Ordinal);
    }

    public void Dispose() => _set.Dispose();
}
