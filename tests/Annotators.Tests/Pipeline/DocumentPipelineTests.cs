using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Readers;
using Annotate.Annotators.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Annotate.Annotators.Tests.Pipeline;

public class DocumentPipelineTests
{
    private static IDocumentPipeline Pipeline(Dictionary<string, string?> settings) =>
        new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build())
            .AddLogging()
            .AddAnnotators()
            .BuildServiceProvider()
            .GetRequiredService<IDocumentPipeline>();

    [Fact]
    public async Task Only_the_annotators_a_profile_names_run_and_the_others_are_listed_as_skipped()
    {
        using var dir = new TempDir();
        var path = dir.File("note.txt");
        await File.WriteAllTextAsync(path, "The meeting on 15 March 2024 approved a budget of EUR 1,250.00 for the new office.");
        var pipeline = Pipeline(new() { ["Annotate:Profiles:lean:Annotators:0"] = "statistics" });

        var result = await pipeline.RunAsync(new AnnotationRequest
        {
            DocumentId = "lean-1",
            Source = new DocumentSource(path, "note.txt"),
            OutputDirectory = dir.File("out"),
            Profile = "lean",
        }, CancellationToken.None);

        var runs = result.Annotations.Runs.ToDictionary(r => r.Name);
        Assert.Equal("ran", runs["statistics"].Status);
        foreach (var name in new[] { "language", "patterns", "columns", "metadata", "extraction", "reformat", "rows", "qa" })
        {
            Assert.Equal("skipped", runs[name].Status);
            Assert.Equal("not in profile 'lean'", runs[name].Reason);
        }
        Assert.NotNull(result.Annotations.Statistics);
        Assert.Empty(result.Annotations.Entities);
        Assert.Null(result.Annotations.Language);
    }
}
