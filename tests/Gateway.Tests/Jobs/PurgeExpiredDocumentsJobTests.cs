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

/// <summary>Retention over each state store, with files in a real blob store.</summary>
public abstract class PurgeExpiredDocumentsJobTests : JobTestsOnEachStore
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(T0);
    private IBlobStore _blobs = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _blobs = new FileSystemBlobStore(Options.Create(new BlobStoreOptions
        {
            Sources = Path.Combine(Root, "blobs"), Outputs = Path.Combine(Root, "outbox"), Results = Path.Combine(Root, "results"), Content = Path.Combine(Root, "content"),
        }));
    }

    private PurgeExpiredDocumentsJob NewJob(int retentionDays) =>
        new(Store, _blobs, new BlobFolder((FileSystemBlobStore)_blobs), Options.Create(new JobsOptions { RetentionDays = retentionDays }), _time, NullLogger<PurgeExpiredDocumentsJob>.Instance);

    private static string[] KeysOf(string id) =>
        [$"sources/{id}/{id}.pdf", $"outputs/{id}/annotations.json", $"outputs/{id}/content.md", $"results/documents/{id}.json"];

    /// <summary>A document with its source, two outputs and the worker's record, finished <paramref name="finishedDaysAgo"/> days before now (null: still Processing).</summary>
    private async Task AddWithFilesAsync(string id, int? finishedDaysAgo, bool failed = false)
    {
        await Store.TryAddAsync(new DocumentRecord
        {
            Id = id, FileName = id + ".pdf", Channel = "inbox", State = DocumentState.Received, ReceivedAt = T0.AddDays(-100),
            SourceUri = BlobReference.For($"sources/{id}/{id}.pdf"), Sha256 = "abc",
        }, None);
        foreach (var key in KeysOf(id))
        {
            await _blobs.PutAsync(key, new MemoryStream("bytes"u8.ToArray()), None);
        }
        await Store.MarkProcessingAsync(id, T0.AddDays(-100), 1, None);
        if (finishedDaysAgo is not { } days)
        {
            return;
        }
        var at = T0.AddDays(-days);
        if (failed)
        {
            await Store.MarkFailedAsync(id, "corrupt", "bad", false, at, None);
            return;
        }
        await Store.MarkCompletedAsync(id, new DocumentCompletion(BlobReference.For($"outputs/{id}/"),
            [new OutputFile { Name = "annotations.json", Kind = "annotations", MediaType = "application/json", SizeBytes = 5 }],
            new AnnotationDigest { Format = "pdf" }, new StageTimings(), at), None);
    }

    private async Task<bool> AllLeftAsync(string id)
    {
        foreach (var key in KeysOf(id))
        {
            if (!await _blobs.ExistsAsync(key, None))
            {
                return false;
            }
        }
        return true;
    }

    private async Task<bool> AnyLeftAsync(string id)
    {
        foreach (var key in KeysOf(id))
        {
            if (await _blobs.ExistsAsync(key, None))
            {
                return true;
            }
        }
        return false;
    }

    [StoreFact]
    public async Task Files_of_documents_finished_longer_ago_than_the_retention_are_deleted_and_the_records_marked()
    {
        await AddWithFilesAsync("old-completed", finishedDaysAgo: 31);
        await AddWithFilesAsync("old-failed", finishedDaysAgo: 40, failed: true);
        await AddWithFilesAsync("recent", finishedDaysAgo: 29);
        await AddWithFilesAsync("unfinished", finishedDaysAgo: null);

        Assert.Equal(2, await NewJob(30).RunAsync(None));

        Assert.False(await AnyLeftAsync("old-completed"));
        Assert.False(await AnyLeftAsync("old-failed"));
        Assert.True(await AllLeftAsync("recent"));
        Assert.True(await AllLeftAsync("unfinished"));
        var purged = (await Store.FindAsync("old-completed", None))!;
        Assert.Equal((DocumentState.Completed, T0), (purged.State, purged.PurgedAt));
        Assert.Null((await Store.FindAsync("recent", None))!.PurgedAt);
        Assert.Null((await Store.FindAsync("unfinished", None))!.PurgedAt);
        Assert.Equal(0, await NewJob(30).RunAsync(None));
    }

    [StoreFact]
    public async Task Nothing_is_deleted_when_retention_is_off()
    {
        await AddWithFilesAsync("ancient", finishedDaysAgo: 3_000);

        Assert.Equal(0, await NewJob(0).RunAsync(None));

        Assert.True(await AllLeftAsync("ancient"));
        Assert.Null((await Store.FindAsync("ancient", None))!.PurgedAt);
    }

    [StoreFact]
    public async Task Two_runs_at_once_purge_each_document_once()
    {
        for (var i = 0; i < 10; i++)
        {
            await AddWithFilesAsync($"old-{i}", finishedDaysAgo: 60);
        }

        var counts = await Task.WhenAll(Task.Run(() => NewJob(30).RunAsync(None)), Task.Run(() => NewJob(30).RunAsync(None)));

        Assert.Equal(10, counts.Sum());
        for (var i = 0; i < 10; i++)
        {
            Assert.False(await AnyLeftAsync($"old-{i}"));
        }
    }
}

public sealed class PurgeExpiredDocumentsJobOnSqliteTests : PurgeExpiredDocumentsJobTests
{
    protected override Task<IDocumentStore> CreateStoreAsync() => SqliteStoreAsync();
}

[RequiresPostgres]
public sealed class PurgeExpiredDocumentsJobOnPostgresTests : PurgeExpiredDocumentsJobTests
{
    protected override Task<IDocumentStore> CreateStoreAsync() => PostgresStoreAsync();
}
