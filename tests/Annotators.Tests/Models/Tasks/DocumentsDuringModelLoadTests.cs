using Annotate.Annotators.Annotations;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Models;
using Annotate.Annotators.Models.Grammar;
using Annotate.Annotators.Models.Host;
using Annotate.Annotators.Models.Tasks;
using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Profiles;
using Annotate.Annotators.Tests.Models.Host;
using Annotate.Annotators.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.Tests.Models.Tasks;

/// <summary>Documents submitted while the real host is still loading the real tiny model, the load held open by the test.</summary>
public sealed class DocumentsDuringModelLoadTests
{
    private const string ExtractionSchema = """
        {"type":"object","properties":{"seller":{"type":["string","null"],"maxLength":10},"total":{"type":["number","null"]}},"required":["seller","total"]}
        """;

    private static AnnotationProfile Profile() => new()
    {
        Name = "test",
        Instructions = "The document is an invoice.",
        Taxonomy = ["invoice", "other"],
        SummaryMaxWords = 2,
        KeywordCount = 1,
        ExtractionSchema = ExtractionSchema,
        QaPairsPerChunk = 1,
        Reformat = new ReformatSettings { Target = "markdown" },
    };

    private static Document Invoice() => new()
    {
        FileName = "invoice.md",
        Format = SourceFormat.Markdown,
        Blocks =
        [
            new HeadingBlock(1, "Invoice INV-117") { Location = SourceLocation.AtLine(1) },
            new ParagraphBlock("Acme Ltd sold a red ball to Lily. The total is 12 EUR.") { Location = SourceLocation.AtLine(3) },
        ],
    };

    private static IAnnotator[] ModelAnnotators(ILanguageModel model)
    {
        var generator = new StructuredGenerator(model, NullLogger<StructuredGenerator>.Instance, Options.Create(ModelTaskFixture.Bounds));
        var options = Options.Create(ModelTaskFixture.TaskOptions());
        return
        [
            new MetadataAnnotator(model, generator, ModelTaskFixture.Chunker(), options),
            new ExtractionAnnotator(model, generator, ModelTaskFixture.Chunker(), new Grounding(), options),
            new ReformatAnnotator(model, generator, ModelTaskFixture.Chunker(), options),
            new QuestionAnswerAnnotator(model, generator, ModelTaskFixture.Chunker(), options),
        ];
    }

    /// <summary>Starts every model annotator on its own document; none may have finished while the load is held.</summary>
    private static List<(AnnotationContext Context, Task<AnnotatorOutcome> Run)> SubmitDuringLoad(HeldLoad load, CancellationToken cancellationToken)
    {
        Assert.Equal("loading", load.Host.Status.State);
        var runs = ModelAnnotators(load.Host).Select(annotator =>
        {
            var context = new AnnotationContext("doc-1", Invoice(), Profile());
            return (context, annotator.AnnotateAsync(context, cancellationToken));
        }).ToList();
        // The load is held, so nothing can have used the model yet: a run that already ended did not wait for it.
        Assert.All(runs, r => Assert.False(r.Item2.IsCompleted, r.Item2.Exception?.InnerException?.Message ?? "completed without the model"));
        return runs;
    }

    [Fact]
    public async Task Documents_submitted_while_the_model_loads_wait_for_it_and_complete()
    {
        await using var load = await HeldLoad.StartAsync(TestFiles.Model);
        var runs = SubmitDuringLoad(load, CancellationToken.None);

        load.Release();

        foreach (var (context, run) in runs)
        {
            var outcome = await run;
            Assert.True(outcome.Ran, outcome.Reason);
        }
        Assert.True(load.Host.Status.IsAvailable);
        Assert.NotNull(runs[0].Context.Annotations.Metadata);
        Assert.NotNull(runs[1].Context.Annotations.Extraction);
        Assert.NotNull(runs[2].Context.Annotations.Reformat);
        Assert.NotNull(runs[3].Context.Annotations.QuestionAnswers);
    }

    [Fact]
    public async Task Documents_submitted_while_the_model_loads_fail_as_retryable_model_unavailable_when_the_load_fails()
    {
        using var dir = new TempDir();
        var broken = dir.File("broken.gguf");
        await File.WriteAllTextAsync(broken, "this is not a model");
        await using var load = await HeldLoad.StartAsync(broken);
        var runs = SubmitDuringLoad(load, CancellationToken.None);

        load.Release();

        foreach (var (_, run) in runs)
        {
            var error = await Assert.ThrowsAsync<AnnotationException>(() => run);
            Assert.Equal(FailureReason.ModelUnavailable, error.Reason);
            Assert.True(error.Retryable);
            Assert.Contains("invoice.md", error.Message, StringComparison.Ordinal);
            // The model file is named, the server's folders are not.
            Assert.DoesNotContain(dir.Path, error.Message, StringComparison.Ordinal);
        }
        Assert.Equal("failed", load.Host.Status.State);
    }

    [Fact]
    public async Task A_document_that_gives_up_waiting_is_cancelled_and_the_load_goes_on_for_the_others()
    {
        await using var load = await HeldLoad.StartAsync(TestFiles.Model);
        using var documentTimeLimit = new CancellationTokenSource();
        var runs = SubmitDuringLoad(load, documentTimeLimit.Token);

        await documentTimeLimit.CancelAsync();
        foreach (var (_, run) in runs)
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        }
        load.Release();

        await load.Host.LoadAsync();
        Assert.True(load.Host.Status.IsAvailable, load.Host.Status.Reason);
    }

    /// <summary>A real host whose load has started and is held until <see cref="Release"/>; disposing releases it, so a failed test cannot hang.</summary>
    private sealed class HeldLoad : IAsyncDisposable
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private HeldLoad(LlamaModelHost host) => Host = host;

        public LlamaModelHost Host { get; }

        public static async Task<HeldLoad> StartAsync(string modelPath)
        {
            var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var load = new HeldLoad(ModelHostFactory.Create(o => o.Path = modelPath));
            load.Host.HoldLoad = () =>
            {
                held.TrySetResult();
                return load._release.Task;
            };
            await load.Host.StartAsync(CancellationToken.None);
            await held.Task;
            return load;
        }

        public void Release() => _release.TrySetResult();

        public async ValueTask DisposeAsync()
        {
            Release();
            await Host.DisposeAsync();
        }
    }
}
