using System.Text.Json.Nodes;
using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Readers;
using Annotate.Annotators.Tests.Support;
using Annotate.Annotators.Writers.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Annotate.Annotators.Tests.Semantic;

public class SemanticPipelineTests
{
    private static async Task<(AnnotationResult Result, JsonNode Json)> Run(string markdown, Dictionary<string, string?> settings, string? profile = null)
    {
        using var dir = new TempDir();
        var path = dir.File("document.md");
        await File.WriteAllTextAsync(path, markdown);
        await using var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build())
            .AddLogging()
            .AddAnnotators()
            .BuildServiceProvider();
        var result = await services.GetRequiredService<IDocumentPipeline>().RunAsync(new AnnotationRequest
        {
            DocumentId = "doc-1",
            Source = new DocumentSource(path, "document.md"),
            OutputDirectory = dir.File("out"),
            Profile = profile,
        }, CancellationToken.None);
        return (result, JsonNode.Parse(await File.ReadAllTextAsync(dir.File("out/annotations.json")))!);
    }

    [Fact]
    public async Task Without_a_model_the_default_profile_writes_document_type_keywords_and_summary_to_annotations_json_and_it_validates()
    {
        var invoice = LabelledDocuments.All(1).First(d => d.Label == "invoice" && d.Language == "de").Markdown;

        var (result, json) = await Run(invoice + "\n\n" + KeywordAnnotatorTests.HeatPumps, new() { ["Annotate:Semantic:KeywordsByDefault"] = "true" });

        Assert.Empty(AnnotationsSchema.Validate(json));
        Assert.Equal("invoice", (string?)json["documentType"]!["label"]);
        Assert.Equal(16, json["documentType"]!["scores"]!.AsArray().Count);
        Assert.Equal(8, json["keywords"]!.AsArray().Count);
        Assert.NotEmpty(json["summary"]!["sentences"]!.AsArray());
        var runs = result.Annotations.Runs.ToDictionary(r => r.Name);
        Assert.All(new[] { "document-type", "keywords", "summary" }, name => Assert.Equal("ran", runs[name].Status));
        Assert.Equal("skipped", runs["metadata"].Status);
    }

    [Fact]
    public async Task A_profile_that_does_not_name_them_runs_none_and_annotations_json_has_no_such_sections()
    {
        var (result, json) = await Run(KeywordAnnotatorTests.HeatPumps, new() { ["Annotate:Profiles:lean:Annotators:0"] = "statistics" }, "lean");

        Assert.Empty(AnnotationsSchema.Validate(json));
        Assert.Null(json["documentType"]);
        Assert.Null(json["keywords"]);
        Assert.Null(json["summary"]);
        Assert.Equal("not in profile 'lean'", result.Annotations.Runs.Single(r => r.Name == "keywords").Reason);
    }

    [Fact]
    public async Task A_document_without_text_completes_with_the_semantic_annotators_skipped_for_a_reason()
    {
        var (result, json) = await Run("\n\n---\n\n", new() { ["Annotate:Semantic:KeywordsByDefault"] = "true" });

        Assert.Empty(AnnotationsSchema.Validate(json));
        var runs = result.Annotations.Runs.ToDictionary(r => r.Name);
        Assert.Equal("no text to tell the document type from", runs["document-type"].Reason);
        Assert.Equal("no running text to take keywords from", runs["keywords"].Reason);
        Assert.Equal("skipped", runs["summary"].Status);
    }
}
