using Annotate.Annotators;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Writers;
using Annotate.Messages;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Annotate.Worker.Tests.Consumers;

/// <summary>What users read in <see cref="DocumentAnnotationFailed.Message"/> names the file, never the server's folders.</summary>
public sealed class FailureMessagePathTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "annotate-worker-tests", Guid.NewGuid().ToString("N"));

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(_root, "blobs", "0123"));
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_root, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task An_internal_error_whose_message_holds_server_paths_is_reported_with_the_file_name_only()
    {
        var harness = await StartAsync(s => s.AddSingleton<IOutputWriter>(new PathLeakingWriter()));
        var path = Path.Combine(_root, "blobs", "0123", "report.txt");
        await File.WriteAllTextAsync(path, "Some text.");

        await harness.Bus.Publish(Command("leak-1", new Uri(path).AbsoluteUri, "report.txt"));

        var failed = await FailedAsync(harness);
        Assert.Equal(FailureReason.Internal, failed.Reason);
        Assert.Contains("report.txt", failed.Message);
        Assert.Contains("Disk quota exceeded", failed.Message);
        Assert.DoesNotContain(_root, failed.Message);
    }

    [Fact]
    public async Task A_location_the_worker_cannot_read_is_refused_without_repeating_it()
    {
        var harness = await StartAsync();

        await harness.Bus.Publish(Command("remote-1", "https://files.internal.example/share/q3/report.txt", "report.txt"));

        var failed = await FailedAsync(harness);
        Assert.Equal(FailureReason.InvalidRequest, failed.Reason);
        Assert.Contains("'report.txt'", failed.Message);
        // http(s) sources are fetched only from allowed hosts; none are allowed by default.
        Assert.Contains("Annotate:Worker:FetchHosts", failed.Message);
        Assert.DoesNotContain("files.internal.example", failed.Message);
        Assert.DoesNotContain("share/q3", failed.Message);
    }

    private static async Task<DocumentAnnotationFailed> FailedAsync(ITestHarness harness)
    {
        Assert.True(await harness.Published.Any<DocumentAnnotationFailed>());
        return harness.Published.Select<DocumentAnnotationFailed>().Single().Context.Message;
    }

    private static AnnotateDocument Command(string id, string sourceUri, string name) => new()
    {
        DocumentId = id,
        SourceUri = sourceUri,
        FileName = name,
    };

    private async Task<ITestHarness> StartAsync(Action<IServiceCollection>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Annotate:Blobs:Outputs"] = Path.Combine(_root, "outbox"),
            ["Annotate:Blobs:Sources"] = Path.Combine(_root, "blobs"),
            ["Annotate:Blobs:Results"] = Path.Combine(_root, "results"),
            ["Annotate:Blobs:Content"] = Path.Combine(_root, "content"),
            ["Annotate:Worker:AllowLocalPaths"] = "true",
            ["Annotate:Worker:RetryLimit"] = "1",
            ["Annotate:Worker:RetryDelay"] = "00:00:00.010",
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
        // Loading the language models is a quiet spell the harness must not take for the end of the test.
        harness.TestInactivityTimeout = TimeSpan.FromSeconds(3);
        _ = provider.GetRequiredService<Annotate.Annotators.Builtin.LanguageDetectorProvider>().Detect("warm up");
        await harness.Start();
        return harness;
    }

    /// <summary>Fails like a file-system error does: its message quotes where it was writing and what it was reading.</summary>
    private sealed class PathLeakingWriter : IOutputWriter
    {
        public string Kind => "leaks";
        public bool AppliesTo(Document document) => true;

        public Task<IReadOnlyList<WrittenOutput>> WriteAsync(OutputContext context, CancellationToken cancellationToken) =>
            throw new IOException($"Disk quota exceeded writing '{Path.Combine(context.OutputDirectory, "content.md")}' from '{context.Source.Path}'.");
    }
}
