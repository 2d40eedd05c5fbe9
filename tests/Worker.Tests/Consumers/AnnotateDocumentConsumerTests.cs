using Annotate.Annotators;
using Annotate.Annotators.Annotations;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Writers;
using Annotate.Messages;
using Annotate.Worker.Consumers;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging;

namespace Annotate.Worker.Tests.Consumers;

public sealed class AnnotateDocumentConsumerTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "annotate-worker-tests", Guid.NewGuid().ToString("N"));

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_root, recursive: true);
        return Task.CompletedTask;
    }

    private async Task<ITestHarness> StartAsync(Action<IServiceCollection>? configure = null, string documentTimeout = "00:05:00")
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Annotate:Blobs:Outputs"] = Path.Combine(_root, "outbox"),
            ["Annotate:Blobs:Sources"] = Path.Combine(_root, "blobs"),
            ["Annotate:Blobs:Results"] = Path.Combine(_root, "results"),
            ["Annotate:Blobs:Content"] = Path.Combine(_root, "content"),
            ["Annotate:Worker:AllowLocalPaths"] = "true",
            ["Annotate:Worker:RetryLimit"] = "2",
            ["Annotate:Worker:RetryDelay"] = "00:00:00.010",
            ["Annotate:Worker:DocumentTimeout"] = documentTimeout,
            // A short language list keeps Lingua's start-up cheap in tests that each build a provider.
            ["Annotate:Language:Languages:0"] = "en",
            ["Annotate:Language:Languages:1"] = "de",
        }).Build());
        services.AddLogging(b => b.AddProvider(NullLoggerProvider.Instance));
        services.AddAnnotators();
        services.AddAnnotateWorkerServices();
        configure?.Invoke(services);
        services.AddMassTransitTestHarness(x => x.AddAnnotateWorkerConsumers());
        var provider = services.BuildServiceProvider(true);
        var harness = provider.GetRequiredService<ITestHarness>();
        harness.TestTimeout = TimeSpan.FromSeconds(60);
        // The first document of a process loads the language models: a quiet spell the harness must not mistake for
        // the end of the test. Load them first, and allow some slack on a busy machine.
        harness.TestInactivityTimeout = TimeSpan.FromSeconds(3);
        _ = provider.GetRequiredService<Annotate.Annotators.Builtin.LanguageDetectorProvider>().Detect("warm up");
        await harness.Start();
        return harness;
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_root, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static AnnotateDocument Command(string id, string path, string? name = null) => new()
    {
        DocumentId = id,
        SourceUri = new Uri(path).AbsoluteUri,
        FileName = name ?? Path.GetFileName(path),
        CorrelationId = "corr-" + id,
    };

    [Fact]
    public async Task Text_document_is_annotated_and_the_outputs_are_published()
    {
        var harness = await StartAsync();
        var path = Write("note.txt", "Meeting notes\n\nThe budget of EUR 1,250.00 was approved on 15 March 2024 by the board.\n");

        await harness.Bus.Publish(Command("doc-1", path));

        Assert.True(await harness.Published.Any<DocumentAnnotationStarted>(x => x.Context.Message.DocumentId == "doc-1"));
        Assert.True(await harness.Published.Any<DocumentAnnotated>(x => x.Context.Message.DocumentId == "doc-1"));
        var annotated = harness.Published.Select<DocumentAnnotated>().Single().Context.Message;
        Assert.Equal("text", annotated.Digest.Format);
        Assert.Equal("corr-doc-1", annotated.CorrelationId);
        Assert.Contains(annotated.Outputs, o => o.Name == "annotations.json");
        Assert.Contains(annotated.Outputs, o => o.Name == "content.md");
        Assert.Equal("blob:outputs/doc-1/", annotated.OutputUri);
        Assert.All(annotated.Outputs, o => Assert.True(File.Exists(Path.Combine(_root, "outbox", "doc-1", o.Name)), o.Name));
        Assert.True(annotated.Timings.TotalMs > 0);
        Assert.False(await harness.Published.Any<Fault<AnnotateDocument>>());
        Assert.False(await harness.Published.Any<DocumentAnnotationFailed>());
    }

    [Fact]
    public async Task Inline_content_is_annotated_and_its_staged_bytes_removed()
    {
        var harness = await StartAsync();
        var command = new AnnotateDocument
        {
            DocumentId = "doc-inline",
            SourceUri = "",
            FileName = "inline.txt",
            ContentBase64 = Convert.ToBase64String("Inline notes: the budget of EUR 1,250.00 was approved.\n"u8.ToArray()),
        };

        await harness.Bus.Publish(command);

        Assert.True(await harness.Published.Any<DocumentAnnotated>(x => x.Context.Message.DocumentId == "doc-inline"));
        var annotated = harness.Published.Select<DocumentAnnotated>().Single().Context.Message;
        Assert.Equal("text", annotated.Digest.Format);
        Assert.False(File.Exists(Path.Combine(_root, "blobs", "doc-inline", "inline.txt")));
        Assert.False(await harness.Published.Any<Fault<AnnotateDocument>>());
    }

    [Fact]
    public async Task Invalid_inline_content_fails_with_invalid_request_and_no_fault()
    {
        var harness = await StartAsync();

        await harness.Bus.Publish(new AnnotateDocument { DocumentId = "doc-bad64", SourceUri = "", FileName = "bad.txt", ContentBase64 = "%%%" });

        Assert.True(await harness.Published.Any<DocumentAnnotationFailed>(x => x.Context.Message.DocumentId == "doc-bad64"));
        var failed = harness.Published.Select<DocumentAnnotationFailed>().Single().Context.Message;
        Assert.Equal("invalid-request", failed.Reason);
        Assert.Contains("'bad.txt'", failed.Message);
        Assert.False(await harness.Published.Any<Fault<AnnotateDocument>>());
    }

    [Theory]
    [InlineData("", "empty.txt", FailureReason.Empty)]
    [InlineData("%PDF-1.4\n1 0 obj\n<< /Type /Catalog", "cut.pdf", FailureReason.Corrupt)]
    public async Task Bad_input_publishes_a_failure_with_its_reason_and_no_fault(string content, string name, string reason)
    {
        var harness = await StartAsync();
        var path = Write(name, content);

        await harness.Bus.Publish(Command("bad-1", path));

        Assert.True(await harness.Published.Any<DocumentAnnotationFailed>());
        var failed = harness.Published.Select<DocumentAnnotationFailed>().Single().Context.Message;
        Assert.Equal(reason, failed.Reason);
        Assert.Contains(name, failed.Message);
        Assert.False(failed.Retryable);
        Assert.False(await harness.Published.Any<Fault<AnnotateDocument>>());
    }

    [Fact]
    public async Task Missing_source_fails_with_source_missing()
    {
        var harness = await StartAsync();

        await harness.Bus.Publish(Command("gone-1", Path.Combine(_root, "deleted.pdf")));

        Assert.True(await harness.Published.Any<DocumentAnnotationFailed>());
        var failed = harness.Published.Select<DocumentAnnotationFailed>().Single().Context.Message;
        Assert.Equal(FailureReason.SourceMissing, failed.Reason);
        Assert.Contains("deleted.pdf", failed.Message);
    }

    [Fact]
    public async Task Invalid_document_id_fails_as_invalid_request()
    {
        var harness = await StartAsync();
        var path = Write("ok.txt", "text");

        await harness.Bus.Publish(Command("../escape", path));

        Assert.True(await harness.Published.Any<DocumentAnnotationFailed>());
        Assert.Equal(FailureReason.InvalidRequest, harness.Published.Select<DocumentAnnotationFailed>().Single().Context.Message.Reason);
        Assert.False(Directory.Exists(Path.Combine(_root, "escape")));
    }

    [Fact]
    public async Task Checksum_mismatch_fails_before_reading()
    {
        var harness = await StartAsync();
        var path = Write("sum.txt", "text");

        await harness.Bus.Publish(Command("sum-1", path) with { ContentSha256 = new string('0', 64) });

        Assert.True(await harness.Published.Any<DocumentAnnotationFailed>());
        Assert.Equal(FailureReason.ChecksumMismatch, harness.Published.Select<DocumentAnnotationFailed>().Single().Context.Message.Reason);
    }

    [Fact]
    public async Task Transient_failure_is_retried_and_reported_retryable_when_retries_run_out()
    {
        var annotator = new UnavailableModelAnnotator();
        var harness = await StartAsync(s => s.AddSingleton<IAnnotator>(annotator));
        var path = Write("retry.txt", "Some text.");

        await harness.Bus.Publish(Command("retry-1", path));

        Assert.True(await harness.Published.Any<DocumentAnnotationFailed>());
        var failed = harness.Published.Select<DocumentAnnotationFailed>().Single().Context.Message;
        Assert.Equal(FailureReason.ModelUnavailable, failed.Reason);
        Assert.True(failed.Retryable);
        Assert.Equal(3, annotator.Calls); // the first try and RetryLimit = 2 retries
        Assert.False(await harness.Published.Any<DocumentAnnotated>());
    }

    [Fact]
    public async Task Unexpected_error_fails_the_document_as_internal_without_retrying()
    {
        var writer = new BrokenWriter();
        var harness = await StartAsync(s => s.AddSingleton<IOutputWriter>(writer));
        var path = Write("boom.txt", "Some text.");

        await harness.Bus.Publish(Command("boom-1", path));

        Assert.True(await harness.Published.Any<DocumentAnnotationFailed>());
        var failed = harness.Published.Select<DocumentAnnotationFailed>().Single().Context.Message;
        Assert.Equal(FailureReason.Internal, failed.Reason);
        Assert.Contains("disk quota", failed.Message);
        Assert.Equal(1, writer.Calls);
    }

    [Fact]
    public async Task A_document_that_hangs_is_cancelled_and_fails_with_reason_timeout()
    {
        var hanging = new HangingAnnotator();
        var harness = await StartAsync(s => s.AddSingleton<IAnnotator>(hanging), documentTimeout: "00:00:02");
        var path = Write("slow.txt", "Some text.");

        await harness.Bus.Publish(Command("slow-1", path));

        // Waits for the failure itself (not for a quiet spell, which a loaded machine gives before the timeout fires).
        using var wait = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        Assert.True(await harness.Published.Any<DocumentAnnotationFailed>(wait.Token));
        var failed = harness.Published.Select<DocumentAnnotationFailed>().Single().Context.Message;
        Assert.Equal(FailureReason.Timeout, failed.Reason);
        Assert.Contains("slow.txt", failed.Message);
        Assert.True(hanging.SawCancellation);
        Assert.False(await harness.Published.Any<DocumentAnnotated>());
    }

    private sealed class HangingAnnotator : IAnnotator
    {
        public bool SawCancellation;
        public string Name => "hangs";
        // First, before the built-in annotators (100 and up): the document's time limit must meet this one, not a model
        // loading slowly on a busy machine.
        public int Order => 1;

        public async Task<AnnotatorOutcome> AnnotateAsync(AnnotationContext context, CancellationToken cancellationToken)
        {
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                SawCancellation = true;
                throw;
            }
            return AnnotatorOutcome.Done;
        }
    }

    private sealed class UnavailableModelAnnotator : IAnnotator
    {
        public int Calls;
        public string Name => "model-stand-in";
        public int Order => 1000;

        public Task<AnnotatorOutcome> AnnotateAsync(AnnotationContext context, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Calls);
            throw new AnnotationException(FailureReason.ModelUnavailable, "The model file could not be loaded.", retryable: true);
        }
    }

    private sealed class BrokenWriter : IOutputWriter
    {
        public int Calls;
        public string Kind => "broken";
        public bool AppliesTo(Document document) => true;

        public Task<IReadOnlyList<WrittenOutput>> WriteAsync(OutputContext context, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Calls);
            throw new InvalidOperationException("disk quota exceeded");
        }
    }
}
