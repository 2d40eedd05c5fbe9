using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Annotate.Annotators.Annotations;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Models;
using Annotate.Annotators.Models.Grammar;
using Annotate.Annotators.Models.Host;
using Annotate.Annotators.Tests.Models.Host;
using Annotate.Annotators.Models.Tasks;
using Annotate.Annotators.Profiles;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.Tests.Models.Tasks;

/// <summary>
/// Reviewed examples (few-shot) in the prompts of the real tiny model: what is checked is the prompt the model was sent,
/// not what it answered.
/// </summary>
public sealed class FewShotTests : IAsyncLifetime
{
    // A context of 2,048 like the gateway's tests: a quarter of 512 holds no example in the tiny model's small vocabulary.
    private LlamaModelHost _host = null!;

    public async Task InitializeAsync() => _host = await ModelHostFactory.LoadedAsync(o => o.ContextSize = 2048);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private const string ExtractionSchema = """{"type":"object","properties":{"number":{"type":["string","null"],"maxLength":8}},"required":["number"]}""";

    private static readonly ReviewedExample Example = new()
    {
        Input = "Bill B-7 to Tom.",
        Metadata = new JsonObject { ["documentType"] = "letter" },
        Values = new JsonObject { ["number"] = "B-7" },
    };

    private static AnnotationContext Context(int fewShot, params ReviewedExample[] examples) => new("doc-1", new Document
    {
        FileName = "invoice.md",
        Format = SourceFormat.Markdown,
        SizeBytes = 60,
        Sha256 = new string('c', 64),
        Blocks = [new ParagraphBlock("Invoice INV-117 to Lily.") { Location = SourceLocation.AtLine(1) }],
    }, new AnnotationProfile
    {
        Name = "test",
        Taxonomy = ["invoice", "letter", "other"],
        SummaryMaxWords = 2,
        KeywordCount = 1,
        ExtractionSchema = ExtractionSchema,
        FewShotExamples = fewShot,
    })
    {
        Examples = examples,
    };

    private (MetadataAnnotator Metadata, ExtractionAnnotator Extraction, RecordingModel Model) Annotators()
    {
        var model = new RecordingModel(_host);
        var generator = new StructuredGenerator(model, NullLogger<StructuredGenerator>.Instance, Options.Create(ModelTaskFixture.Bounds));
        var options = Options.Create(ModelTaskFixture.TaskOptions());
        return (new MetadataAnnotator(model, generator, ModelTaskFixture.Chunker(), options),
            new ExtractionAnnotator(model, generator, ModelTaskFixture.Chunker(), new Grounding(), options), model);
    }

    [Fact]
    public async Task A_reviewed_example_is_in_every_metadata_and_extraction_prompt_with_its_reviewed_answer()
    {
        var (metadata, extraction, model) = Annotators();
        var context = Context(1, Example);

        Assert.True((await metadata.AnnotateAsync(context, CancellationToken.None)).Ran);
        Assert.True((await extraction.AnnotateAsync(context, CancellationToken.None)).Ran);

        Assert.NotEmpty(model.Requests);
        Assert.All(model.Requests, r => Assert.Contains("Example 1 part:\nBill B-7 to Tom.", r.System, StringComparison.Ordinal));
        Assert.Contains(model.Requests, r => r.System.Contains("Example 1 answer: {\"documentType\":\"letter\"}", StringComparison.Ordinal));
        Assert.Contains(model.Requests, r => r.System.Contains("Example 1 answer: {\"number\":\"B-7\"}", StringComparison.Ordinal));
        // The example stays in the system text, which fits the context with the document.
        Assert.All(model.Requests, r => Assert.True(model.CountTokens(r.System) <= _host.Status.ContextSize / 2, r.System));
    }

    [Fact]
    public async Task Without_the_profile_setting_or_with_an_example_too_long_for_the_context_the_prompts_have_no_examples()
    {
        var (metadata, _, model) = Annotators();
        Assert.True((await metadata.AnnotateAsync(Context(0, Example), CancellationToken.None)).Ran);
        var huge = Example with { Metadata = new JsonObject { ["summary"] = string.Join(' ', Enumerable.Range(0, 800).Select(i => $"w{i}")) } };
        Assert.True((await metadata.AnnotateAsync(Context(1, huge), CancellationToken.None)).Ran);

        Assert.NotEmpty(model.Requests);
        Assert.All(model.Requests, r => Assert.DoesNotContain("Example 1", r.System, StringComparison.Ordinal));
    }

    /// <summary>The real model, with every request it was sent kept.</summary>
    private sealed class RecordingModel(ILanguageModel inner) : ILanguageModel
    {
        private readonly ConcurrentQueue<ModelRequest> _requests = new();

        public IReadOnlyList<ModelRequest> Requests => [.. _requests];

        public ModelStatus Status => inner.Status;

        public Task WaitUntilLoadedAsync(CancellationToken cancellationToken) => inner.WaitUntilLoadedAsync(cancellationToken);

        public int CountTokens(string text) => inner.CountTokens(text);

        public Task<ModelCompletion> CompleteAsync(ModelRequest request, CancellationToken cancellationToken)
        {
            _requests.Enqueue(request);
            return inner.CompleteAsync(request, cancellationToken);
        }
    }
}
