using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Annotate.Annotators;
using Annotate.Annotators.Annotations;
using Annotate.Annotators.Pipeline;
using Annotate.Messages;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Annotate.Worker.Tests.Consumers;

/// <summary>
/// Commands that point into the blob store: recorded outcomes (a repeat does nothing, a redispatch resends), reuse of
/// earlier outputs for the same bytes, and the references a worker accepts for sources and outputs.
/// </summary>
public sealed class BlobDocumentTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "annotate-worker-tests", Guid.NewGuid().ToString("N"));
    private readonly CountingAnnotator _counter = new();
    private readonly FinishedCommands _finished = new();

    private string Sources => Path.Combine(_root, "blobs");
    private string Outputs => Path.Combine(_root, "outbox");
    private string Results => Path.Combine(_root, "results");

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

    [Fact]
    public async Task A_command_for_a_document_with_a_recorded_outcome_publishes_nothing_and_leaves_its_outputs()
    {
        var harness = await StartAsync();
        var command = Source("done-1", "note.txt", "The budget of EUR 1,250.00 was approved on 15 March 2024.");
        await RunAsync(harness, command);
        Assert.True(File.Exists(Path.Combine(Results, "documents", "done-1.json")));
        var outputs = Directory.GetFiles(Path.Combine(Outputs, "done-1"));
        Assert.NotEmpty(outputs);
        var before = outputs.ToDictionary(f => f, f => (File.GetLastWriteTimeUtc(f), File.ReadAllBytes(f)));

        await RunAsync(harness, command);
        await RunAsync(harness, command, dispatch: 1);

        Assert.Equal(1, Count<DocumentAnnotationStarted>(harness, "done-1"));
        Assert.Equal(1, Count<DocumentAnnotated>(harness, "done-1"));
        Assert.Equal(0, Count<DocumentAnnotationFailed>(harness, "done-1"));
        Assert.Equal(1, _counter.Calls);
        Assert.Equal(before.Keys.Order(), Directory.GetFiles(Path.Combine(Outputs, "done-1")).Order());
        foreach (var (file, (time, bytes)) in before)
        {
            Assert.Equal(time, File.GetLastWriteTimeUtc(file));
            Assert.Equal(bytes, File.ReadAllBytes(file));
        }
    }

    [Fact]
    public async Task A_redispatch_of_a_finished_document_publishes_the_recorded_event_once()
    {
        var harness = await StartAsync();
        var command = Source("again-1", "note.txt", "Minutes of the meeting held in Berlin on 3 May 2024.");
        await RunAsync(harness, command);
        var first = harness.Published.Select<DocumentAnnotated>().Single().Context.Message;

        await RunAsync(harness, command, dispatch: 2);

        var events = harness.Published.Select<DocumentAnnotated>(x => x.Context.Message.DocumentId == "again-1").Select(x => x.Context.Message).ToList();
        Assert.Equal(2, events.Count);
        Assert.Equal(JsonSerializer.Serialize(first), JsonSerializer.Serialize(events[1]));
        Assert.Equal(1, Count<DocumentAnnotationStarted>(harness, "again-1"));
        Assert.Equal(0, Count<DocumentAnnotationFailed>(harness, "again-1"));
        Assert.Equal(1, _counter.Calls);
    }

    [Fact]
    public async Task A_permanent_failure_is_recorded_so_a_redelivery_publishes_nothing_and_a_redispatch_resends_it()
    {
        var harness = await StartAsync();
        var command = Source("empty-1", "empty.txt", "");
        await RunAsync(harness, command);
        var failed = harness.Published.Select<DocumentAnnotationFailed>().Single().Context.Message;
        Assert.Equal(FailureReason.Empty, failed.Reason);
        Assert.True(File.Exists(Path.Combine(Results, "documents", "empty-1.json")));

        await RunAsync(harness, command);
        Assert.Equal(1, Count<DocumentAnnotationFailed>(harness, "empty-1"));
        Assert.Equal(1, Count<DocumentAnnotationStarted>(harness, "empty-1"));

        await RunAsync(harness, command, dispatch: 3);
        var resent = harness.Published.Select<DocumentAnnotationFailed>(x => x.Context.Message.DocumentId == "empty-1").Select(x => x.Context.Message).ToList();
        Assert.Equal(2, resent.Count);
        Assert.Equal(JsonSerializer.Serialize(failed), JsonSerializer.Serialize(resent[1]));
        Assert.Equal(1, Count<DocumentAnnotationStarted>(harness, "empty-1"));
        Assert.Equal(0, Count<DocumentAnnotated>(harness, "empty-1"));
        Assert.False(await harness.Published.Any<Fault<AnnotateDocument>>());
    }

    [Fact]
    public async Task The_same_bytes_with_the_same_profile_reuse_the_first_documents_outputs()
    {
        var harness = await StartAsync();
        const string text = "Invoice 2024-117 from Contoso GmbH, Munich, due 30 June 2024: EUR 4,800.00.";
        await RunAsync(harness, Source("orig-1", "invoice.txt", text));
        var original = Single<DocumentAnnotated>(harness, "orig-1");
        Assert.Null(original.DuplicateOf);

        await RunAsync(harness, Source("copy-1", "invoice-copy.txt", text));

        var copy = Single<DocumentAnnotated>(harness, "copy-1");
        Assert.Equal("orig-1", copy.DuplicateOf);
        Assert.Equal("copy-1", copy.DocumentId);
        Assert.Equal("invoice-copy.txt", copy.FileName);
        Assert.Equal("blob:outputs/copy-1/", copy.OutputUri);
        Assert.Equal(original.Outputs.Select(o => o.Name).Order(), copy.Outputs.Select(o => o.Name).Order());
        Assert.Contains(copy.Outputs, o => o.Name == "annotations.json");
        foreach (var output in original.Outputs)
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(Outputs, "orig-1", output.Name)), File.ReadAllBytes(Path.Combine(Outputs, "copy-1", output.Name)));
        }
        Assert.Equal(1, _counter.Calls);
        Assert.Equal(0, Count<DocumentAnnotationFailed>(harness, "copy-1"));
    }

    [Fact]
    public async Task The_same_bytes_under_a_profile_that_shows_reviewed_examples_to_the_model_are_annotated_again()
    {
        // Reviewed examples change as people review and shape what the model writes, so their outputs are not reused.
        var harness = await StartAsync(model: Annotate.Worker.Tests.Isolation.IsolationHarness.Model);
        const string text = "Purchase order 5521 for 40 chairs, delivered to Leeds on 9 September 2024.";
        var examples = Annotate.Hosting.Blobs.BlobKeys.ExamplesOf("shots");
        await RunAsync(harness, Source("shot-1", "order.txt", text) with { Profile = "shots", ExamplesKey = examples });
        Assert.Null(Single<DocumentAnnotated>(harness, "shot-1").DuplicateOf);

        await RunAsync(harness, Source("shot-2", "order-copy.txt", text) with { Profile = "shots", ExamplesKey = examples });

        Assert.Null(Single<DocumentAnnotated>(harness, "shot-2").DuplicateOf);
        Assert.Equal(2, _counter.Calls);
        Assert.NotEqual(
            new Annotate.Annotators.Profiles.AnnotationProfile { Name = "shots" }.Fingerprint(),
            new Annotate.Annotators.Profiles.AnnotationProfile { Name = "shots", FewShotExamples = 2 }.Fingerprint());
    }

    [Fact]
    public async Task The_same_bytes_with_other_profile_settings_are_annotated_again()
    {
        var harness = await StartAsync();
        const string text = "Delivery note 88: 12 pallets shipped from Rotterdam on 2 April 2024.";
        await RunAsync(harness, Source("prof-1", "note.txt", text));

        await RunAsync(harness, Source("prof-2", "note.txt", text) with { Profile = "terse" });

        var second = Single<DocumentAnnotated>(harness, "prof-2");
        Assert.Null(second.DuplicateOf);
        Assert.NotEqual(Single<DocumentAnnotated>(harness, "prof-1").ProfileFingerprint, second.ProfileFingerprint);
        Assert.Equal(2, _counter.Calls);
        Assert.True(File.Exists(Path.Combine(Outputs, "prof-2", "annotations.json")));
    }

    [Fact]
    public async Task A_command_claiming_another_documents_hash_fails_and_gets_none_of_its_outputs()
    {
        var harness = await StartAsync();
        const string secret = "Salary review 2024: the board approved EUR 98,000.00 for the director.";
        await RunAsync(harness, Source("owner-1", "salaries.txt", secret));
        var claimed = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

        await RunAsync(harness, Source("thief-1", "salaries.txt", "Anything else at all.") with { ContentSha256 = claimed });

        var failed = Single<DocumentAnnotationFailed>(harness, "thief-1");
        Assert.Equal(FailureReason.ChecksumMismatch, failed.Reason);
        Assert.Equal(0, Count<DocumentAnnotated>(harness, "thief-1"));
        var thiefOutputs = Path.Combine(Outputs, "thief-1");
        Assert.True(!Directory.Exists(thiefOutputs) || Directory.GetFiles(thiefOutputs, "*", SearchOption.AllDirectories).Length == 0);
        Assert.DoesNotContain(Directory.GetFiles(Outputs, "*", SearchOption.AllDirectories), f => !f.StartsWith(Path.Combine(Outputs, "owner-1"), StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_missing_blob_fails_as_source_missing_naming_the_file_and_no_server_path()
    {
        var harness = await StartAsync();

        await RunAsync(harness, Command("gone-1", "blob:sources/gone-1/minutes.docx", "minutes.docx"));

        var failed = Single<DocumentAnnotationFailed>(harness, "gone-1");
        Assert.Equal(FailureReason.SourceMissing, failed.Reason);
        Assert.Contains("minutes.docx", failed.Message);
        Assert.DoesNotContain(_root, failed.Message);
        Assert.DoesNotContain(Path.GetTempPath(), failed.Message);
    }

    [Theory]
    [InlineData("blob:elsewhere/x/notes.txt")]
    [InlineData("blob:sources")]
    [InlineData("blob:sources/../results/documents/x.json")]
    [InlineData("blob:sources/x/")]
    public async Task A_source_reference_outside_the_store_fails_as_invalid_request(string sourceUri)
    {
        var harness = await StartAsync();

        await RunAsync(harness, Command("bad-ref-1", sourceUri, "notes.txt"));

        Assert.Equal(FailureReason.InvalidRequest, Single<DocumentAnnotationFailed>(harness, "bad-ref-1").Reason);
        Assert.False(await harness.Published.Any<Fault<AnnotateDocument>>());
    }

    [Fact]
    public async Task A_blob_that_is_a_link_to_a_file_outside_the_store_is_not_read()
    {
        var harness = await StartAsync();
        var outside = Path.Combine(_root, "private.txt");
        await File.WriteAllTextAsync(outside, "Private notes of the administrator, never to be annotated.");
        Directory.CreateDirectory(Path.Combine(Sources, "link-1"));
        File.CreateSymbolicLink(Path.Combine(Sources, "link-1", "notes.txt"), outside);

        await RunAsync(harness, Command("link-1", "blob:sources/link-1/notes.txt", "notes.txt"));

        Assert.Equal(FailureReason.SourceMissing, Single<DocumentAnnotationFailed>(harness, "link-1").Reason);
        Assert.Equal(0, Count<DocumentAnnotated>(harness, "link-1"));
        Assert.Equal(0, _counter.Calls);
    }

    [Fact]
    public async Task A_blob_in_a_linked_folder_is_not_read()
    {
        var harness = await StartAsync();
        var outside = Path.Combine(_root, "elsewhere");
        Directory.CreateDirectory(outside);
        await File.WriteAllTextAsync(Path.Combine(outside, "notes.txt"), "Private notes of the administrator, never to be annotated.");
        Directory.CreateDirectory(Sources);
        Directory.CreateSymbolicLink(Path.Combine(Sources, "link-2"), outside);

        await RunAsync(harness, Command("link-2", "blob:sources/link-2/notes.txt", "notes.txt"));

        Assert.Equal(FailureReason.SourceMissing, Single<DocumentAnnotationFailed>(harness, "link-2").Reason);
        Assert.Equal(0, _counter.Calls);
        Assert.False(await harness.Published.Any<Fault<AnnotateDocument>>());
    }

    [Fact]
    public async Task A_file_uri_is_refused_unless_local_paths_are_allowed()
    {
        var path = Path.Combine(_root, "local.txt");
        await File.WriteAllTextAsync(path, "A local file with a few words to annotate.");
        var command = Command("local-1", new Uri(path).AbsoluteUri, "local.txt");
        var harness = await StartAsync();

        await RunAsync(harness, command);

        var failed = Single<DocumentAnnotationFailed>(harness, "local-1");
        Assert.Equal(FailureReason.InvalidRequest, failed.Reason);
        Assert.Contains("local.txt", failed.Message);
        Assert.DoesNotContain(_root, failed.Message);
        Assert.Equal(0, _counter.Calls);
    }

    [Fact]
    public async Task A_file_uri_is_annotated_when_local_paths_are_allowed()
    {
        var path = Path.Combine(_root, "local.txt");
        await File.WriteAllTextAsync(path, "A local file with a few words to annotate.");
        var harness = await StartAsync(allowLocalPaths: true);

        await RunAsync(harness, Command("local-2", new Uri(path).AbsoluteUri, "local.txt"));

        Assert.Equal("blob:outputs/local-2/", Single<DocumentAnnotated>(harness, "local-2").OutputUri);
        Assert.True(File.Exists(Path.Combine(Outputs, "local-2", "annotations.json")));
    }

    [Fact]
    public async Task An_output_reference_under_outputs_is_honoured()
    {
        var harness = await StartAsync();

        await RunAsync(harness, Source("custom-1", "note.txt", "Notes for the custom folder.") with { OutputUri = "blob:outputs/custom/custom-1/" });

        var annotated = Single<DocumentAnnotated>(harness, "custom-1");
        Assert.Equal("blob:outputs/custom/custom-1/", annotated.OutputUri);
        Assert.All(annotated.Outputs, o => Assert.True(File.Exists(Path.Combine(Outputs, "custom", "custom-1", o.Name)), o.Name));
        Assert.False(Directory.Exists(Path.Combine(Outputs, "custom-1")));
    }

    [Theory]
    [InlineData("blob:sources/x/")]
    [InlineData("blob:results/x/")]
    [InlineData("blob:../")]
    [InlineData("blob:outputs/../sources/x/")]
    [InlineData("blob:outputs/")]
    [InlineData("blob:elsewhere/x/")]
    [InlineData("blob:outputs/other-document/")]
    public async Task An_output_reference_outside_outputs_is_refused(string outputUri)
    {
        var harness = await StartAsync();

        await RunAsync(harness, Source("out-1", "note.txt", "Notes that must not be written elsewhere.") with { OutputUri = outputUri });

        Assert.Equal(FailureReason.InvalidRequest, Single<DocumentAnnotationFailed>(harness, "out-1").Reason);
        Assert.Equal(0, _counter.Calls);
        Assert.False(Directory.Exists(Path.Combine(Sources, "x")));
        Assert.False(Directory.Exists(Path.Combine(Results, "x")));
        Assert.Equal(["note.txt"], Directory.GetFiles(Sources, "*", SearchOption.AllDirectories).Select(Path.GetFileName));
    }

    private AnnotateDocument Source(string id, string name, string content)
    {
        var folder = Path.Combine(Sources, id);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, name), content);
        return Command(id, $"blob:sources/{id}/{name}", name);
    }

    private static AnnotateDocument Command(string id, string sourceUri, string name) => new()
    {
        DocumentId = id,
        SourceUri = sourceUri,
        FileName = name,
        CorrelationId = "corr-" + id,
    };

    /// <summary>Publishes <paramref name="command"/> and returns once the worker has finished with it.</summary>
    private async Task RunAsync(ITestHarness harness, AnnotateDocument command, int? dispatch = null)
    {
        var messageId = NewId.NextGuid();
        var finished = _finished.For(messageId);
        await harness.Bus.Publish(command, context =>
        {
            context.MessageId = messageId;
            if (dispatch is { } number)
            {
                context.Headers.Set(DispatchHeader.Name, number);
            }
        });
        await finished.WaitAsync(TimeSpan.FromSeconds(60));
    }

    private static int Count<T>(ITestHarness harness, string documentId) where T : class =>
        harness.Published.Select<T>(x => DocumentIdOf(x.Context.Message) == documentId).Count();

    private static T Single<T>(ITestHarness harness, string documentId) where T : class =>
        harness.Published.Select<T>(x => DocumentIdOf(x.Context.Message) == documentId).Single().Context.Message;

    private static string? DocumentIdOf(object message) => message switch
    {
        DocumentAnnotated m => m.DocumentId,
        DocumentAnnotationFailed m => m.DocumentId,
        DocumentAnnotationStarted m => m.DocumentId,
        _ => null,
    };

    private async Task<ITestHarness> StartAsync(bool allowLocalPaths = false, string? model = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Annotate:Model:Path"] = model,
            ["Annotate:Model:ContextSize"] = "2048",
            ["Annotate:Profiles:shots:FewShotExamples"] = "2",
            ["Annotate:Profiles:shots:Annotators:0"] = "statistics",
            ["Annotate:Profiles:shots:Annotators:1"] = "metadata",
            ["Annotate:Profiles:shots:Annotators:2"] = "counter",
            ["Annotate:Blobs:Outputs"] = Outputs,
            ["Annotate:Blobs:Sources"] = Sources,
            ["Annotate:Blobs:Results"] = Results,
            ["Annotate:Blobs:Content"] = Path.Combine(Path.GetDirectoryName(Results)!, "content"),
            ["Annotate:Worker:AllowLocalPaths"] = allowLocalPaths ? "true" : "false",
            ["Annotate:Worker:RetryLimit"] = "1",
            ["Annotate:Worker:RetryDelay"] = "00:00:00.010",
            ["Annotate:Profiles:terse:KeywordCount"] = "3",
            ["Annotate:Language:Languages:0"] = "en",
            ["Annotate:Language:Languages:1"] = "de",
        }).Build());
        services.AddLogging(b => b.AddProvider(NullLoggerProvider.Instance));
        services.AddAnnotators();
        services.AddAnnotateWorkerServices();
        services.AddSingleton<IAnnotator>(_counter);
        services.AddMassTransitTestHarness(x => x.AddAnnotateWorkerConsumers());
        var provider = services.BuildServiceProvider(true);
        var harness = provider.GetRequiredService<ITestHarness>();
        harness.TestTimeout = TimeSpan.FromSeconds(60);
        // Loading the language models is a quiet spell the harness must not take for the end of the test.
        harness.TestInactivityTimeout = TimeSpan.FromSeconds(3);
        _ = provider.GetRequiredService<Annotate.Annotators.Builtin.LanguageDetectorProvider>().Detect("warm up");
        await harness.Start();
        harness.Bus.ConnectConsumeObserver(_finished);
        return harness;
    }

    /// <summary>Completes a task when the worker has finished consuming a command (its events are published by then).</summary>
    private sealed class FinishedCommands : IConsumeObserver
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, TaskCompletionSource> _waiting = new();

        public Task For(Guid messageId) => _waiting.GetOrAdd(messageId, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

        public Task PreConsume<T>(ConsumeContext<T> context) where T : class => Task.CompletedTask;

        public Task PostConsume<T>(ConsumeContext<T> context) where T : class => Finish(context);

        public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class => Finish(context);

        private Task Finish<T>(ConsumeContext<T> context) where T : class
        {
            if (context.Message is AnnotateDocument && context.MessageId is { } id && _waiting.TryGetValue(id, out var waiting))
            {
                waiting.TrySetResult();
            }
            return Task.CompletedTask;
        }
    }

    /// <summary>Counts how often the pipeline annotated a document (a reused result does not run it).</summary>
    private sealed class CountingAnnotator : IAnnotator
    {
        private int _calls;
        public int Calls => Volatile.Read(ref _calls);
        public string Name => "counter";
        public int Order => 1000;

        public Task<AnnotatorOutcome> AnnotateAsync(AnnotationContext context, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            return Task.FromResult(AnnotatorOutcome.Done);
        }
    }
}
