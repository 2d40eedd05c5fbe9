using System.Text.Json.Nodes;
using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Readers;
using Annotate.Annotators.Tests.Readers.Zip;
using Annotate.Annotators.Tests.Support;
using Annotate.Annotators.Writers.Json;

namespace Annotate.Annotators.Tests.Pipeline;

/// <summary>A container through the whole pipeline: its parts named as children in annotations.json, its place among its parents respected.</summary>
public class ContainerPipelineTests
{
    [Fact]
    public async Task A_zip_names_each_entry_with_the_id_of_the_document_it_becomes_and_lists_them_in_its_outputs()
    {
        using var dir = new TempDir();
        var path = ZipReaderTests.ZipOf(dir.File("batch.zip"), zip =>
        {
            ZipReaderTests.Add(zip, "a.txt", "First note.");
            ZipReaderTests.Add(zip, "b.md", "# Second\n\nA memo.\n");
        });

        var result = await TestPipeline.Create().RunAsync(new AnnotationRequest
        {
            DocumentId = "batch-1",
            Source = new DocumentSource(path, "batch.zip"),
            OutputDirectory = dir.File("out"),
            PartsDirectory = dir.File("parts"),
            ParentDocumentId = "mail-1",
            Depth = 1,
        }, CancellationToken.None);

        Assert.Equal([DocumentIds.ForPart("batch-1", 0), DocumentIds.ForPart("batch-1", 1)], result.Parts.Select(p => p.DocumentId));
        Assert.All(result.Parts, p => Assert.True(File.Exists(p.StagedPath)));
        var annotations = JsonNode.Parse(await File.ReadAllTextAsync(dir.File("out/annotations.json")))!;
        Assert.Empty(AnnotationsSchema.Validate(annotations));
        Assert.Equal("zip", (string?)annotations["source"]!["format"]);
        Assert.Equal("mail-1", (string?)annotations["parent"]!["documentId"]);
        var parts = annotations["parts"]!.AsArray();
        Assert.Equal(["a.txt", "b.md"], parts.Select(p => (string?)p!["name"]));
        Assert.Equal(result.Parts.Select(p => p.DocumentId), parts.Select(p => (string?)p!["documentId"]));
        Assert.Equal(result.Parts.Select(p => p.Sha256), parts.Select(p => (string?)p!["sha256"]));
        Assert.Contains("a.txt (11 bytes)", await File.ReadAllTextAsync(dir.File("out/content.md")));
    }

    [Fact]
    public async Task A_container_at_the_deepest_level_lists_its_files_without_handing_them_on()
    {
        using var dir = new TempDir();
        var path = ZipReaderTests.ZipOf(dir.File("deep.zip"), zip => ZipReaderTests.Add(zip, "a.txt", "Too deep."));

        var result = await TestPipeline.Create(new() { ["Annotate:Containers:MaxDepth"] = "2" }).RunAsync(new AnnotationRequest
        {
            DocumentId = "deep-1",
            Source = new DocumentSource(path, "deep.zip"),
            OutputDirectory = dir.File("out"),
            PartsDirectory = dir.File("parts"),
            Depth = 2,
        }, CancellationToken.None);

        Assert.Empty(result.Parts);
        Assert.False(Directory.Exists(dir.File("parts")));
        var notice = Assert.Single(result.Annotations.Notices, n => n.Code == DocumentPipeline.PartsTooDeepNotice);
        Assert.Contains("'deep.zip' is 2 level(s) inside other documents", notice.Message);
        Assert.Contains("'a.txt'", notice.Message);
        var annotations = JsonNode.Parse(await File.ReadAllTextAsync(dir.File("out/annotations.json")))!;
        Assert.Empty(AnnotationsSchema.Validate(annotations));
        Assert.Null(annotations["parts"]![0]!["documentId"]);
    }
}
