using System.Text;
using Annotate.Gateway.Intake;
using Annotate.Gateway.Jobs;
using Annotate.Gateway.Storage;
using Annotate.Gateway.Tests.Storage;
using Annotate.Hosting.Blobs;
using Annotate.Messages;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Annotate.Gateway.Tests.Jobs;

/// <summary>Pruning of stored bytes over each state store: what unfinished documents need stays.</summary>
public abstract class PruneContentJobTests : JobTestsOnEachStore
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private BlobFolder _folder = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _folder = new BlobFolder(new FileSystemBlobStore(Options.Create(new BlobStoreOptions
        {
            Sources = Path.Combine(Root, "blobs"), Outputs = Path.Combine(Root, "outbox"), Results = Path.Combine(Root, "results"), Content = Path.Combine(Root, "content"),
        })), _time);
    }

    private PruneContentJob NewJob() =>
        new(Store, _folder, Options.Create(new JobsOptions { ContentGrace = TimeSpan.FromMinutes(15) }), NullLogger<PruneContentJob>.Instance);

    /// <summary>A document whose bytes are <paramref name="text"/>, in <paramref name="state"/>.</summary>
    private async Task<string> AddAsync(string id, string text, DocumentState state)
    {
        var stored = await _folder.StoreAsync(new MemoryStream(Encoding.UTF8.GetBytes(text)), None);
        await Store.TryAddAsync(new DocumentRecord
        {
            Id = id, FileName = id + ".txt", Channel = "upload", State = DocumentState.Received, ReceivedAt = _time.GetUtcNow(),
            SourceUri = BlobReference.For(stored.Key),
        }, None);
        await Store.SetContentAsync(id, BlobReference.For(stored.Key), stored.Sha256, stored.SizeBytes, None);
        _folder.Confirm(stored);
        switch (state)
        {
            case DocumentState.Processing:
                await Store.MarkProcessingAsync(id, _time.GetUtcNow(), 1, None);
                break;
            case DocumentState.Completed:
                await Store.MarkCompletedAsync(id, new DocumentCompletion(BlobReference.For($"outputs/{id}/"), [], new AnnotationDigest { Format = "text" },
                    new StageTimings(), _time.GetUtcNow()), None);
                break;
            case DocumentState.Failed:
                await Store.MarkFailedAsync(id, "corrupt", "bad", false, _time.GetUtcNow(), None);
                break;
        }
        return Path.Combine(Root, "content", "sha256", stored.Sha256);
    }

    [StoreFact]
    public async Task Bytes_of_finished_documents_go_after_the_grace_period_and_bytes_unfinished_ones_share_stay()
    {
        var received = await AddAsync("received", "waiting", DocumentState.Received);
        var processing = await AddAsync("processing", "in hand", DocumentState.Processing);
        var completed = await AddAsync("completed", "done", DocumentState.Completed);
        var failed = await AddAsync("failed", "bad", DocumentState.Failed);
        // The same bytes as a document still being worked on: needed by it.
        var shared = await AddAsync("shared-done", "in hand", DocumentState.Completed);

        Assert.Equal(0, await NewJob().RunAsync(None));
        _time.Advance(TimeSpan.FromMinutes(16));
        Assert.Equal(2, await NewJob().RunAsync(None));

        Assert.True(File.Exists(received));
        Assert.True(File.Exists(processing));
        Assert.Equal(processing, shared);
        Assert.False(File.Exists(completed));
        Assert.False(File.Exists(failed));
        Assert.Equal(0, await NewJob().RunAsync(None));
    }
}

public sealed class PruneContentJobOnSqliteTests : PruneContentJobTests
{
    protected override Task<IDocumentStore> CreateStoreAsync() => SqliteStoreAsync();
}

[RequiresPostgres]
public sealed class PruneContentJobOnPostgresTests : PruneContentJobTests
{
    protected override Task<IDocumentStore> CreateStoreAsync() => PostgresStoreAsync();
}
