using Annotate.Gateway.Tests.Support;
using Annotate.Gateway.Intake;
using Annotate.Gateway.Jobs;
using Annotate.Gateway.Storage;
using Annotate.Gateway.Tests.Storage;
using Annotate.Hosting.Blobs;
using Annotate.Messages;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Annotate.Gateway.Tests.Jobs;

/// <summary>The sweeper over each state store; the worker's time limit is 10 minutes here, so the deadline is 15.</summary>
public abstract class SweepStuckDocumentsJobTests : JobTestsOnEachStore
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(T0);
    private PublishedMessages _published = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _published = await PublishedMessages.StartAsync();
    }

    private void RecoveryOver() => _recovery.Complete();

    public override async Task DisposeAsync()
    {
        await _published.DisposeAsync();
        await base.DisposeAsync();
    }

    private readonly StartupRecovery _recovery = new();

    private SweepStuckDocumentsJob NewJob()
    {
        var blobs = new BlobFolder(new FileSystemBlobStore(Options.Create(new BlobStoreOptions
        {
            Sources = Path.Combine(Root, "blobs"), Outputs = Path.Combine(Root, "outbox"), Results = Path.Combine(Root, "results"), Content = Path.Combine(Root, "content"),
        })));
        var intake = new DocumentIntake(Store, _published.Bus, blobs, _time, TestMetrics.Create(), NullLoggerFactory.Instance);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Annotate:Worker:DocumentTimeout"] = "00:10:00" }).Build();
        return new SweepStuckDocumentsJob(Store, intake, _published.Bus, Options.Create(new JobsOptions()), Options.Create(new GatewayOptions { CrashedAttempts = 3 }),
            _recovery, configuration, _time, NullLogger<SweepStuckDocumentsJob>.Instance);
    }

    /// <summary>A document handed over <paramref name="dispatches"/> times, the last at <paramref name="dispatchedAt"/>, and started at <paramref name="startedAt"/> when given.</summary>
    private async Task AddHandedOverAsync(string id, int dispatches, DateTimeOffset dispatchedAt, DateTimeOffset? startedAt)
    {
        await Store.TryAddAsync(new DocumentRecord
        {
            Id = id, FileName = id + ".pdf", Channel = "inbox", State = DocumentState.Received, ReceivedAt = T0,
            SourceUri = BlobFolder.ReferenceFor(id, id + ".pdf"), Sha256 = "abc",
        }, None);
        for (var i = 0; i < dispatches; i++)
        {
            await Store.CountDispatchAsync(id, dispatchedAt, null, None);
        }
        if (startedAt is { } started)
        {
            await Store.MarkProcessingAsync(id, started, 1, None);
        }
    }

    [StoreFact]
    public async Task A_document_without_word_past_the_deadline_is_handed_over_again_once()
    {
        RecoveryOver();
        await AddHandedOverAsync("stuck", 1, T0, T0.AddMinutes(1));
        await AddHandedOverAsync("sent-never-started", 1, T0, startedAt: null);
        await AddHandedOverAsync("working", 1, T0, T0.AddMinutes(10));
        _time.SetUtcNow(T0.AddMinutes(20));

        await NewJob().RunAsync(None);
        await NewJob().RunAsync(None);

        Assert.Equal(["sent-never-started", "stuck"], _published.Of<AnnotateDocument>().Select(c => c.DocumentId).Order());
        var stuck = (await Store.FindAsync("stuck", None))!;
        Assert.Equal((2, T0.AddMinutes(20), DocumentState.Processing), (stuck.Dispatches, stuck.DispatchedAt, stuck.State));
        Assert.Equal(1, (await Store.FindAsync("working", None))!.Dispatches);
        Assert.Empty(_published.Of<DocumentAnnotationFailed>());
    }

    [StoreFact]
    public async Task Nothing_is_swept_before_start_up_recovery_is_over()
    {
        await AddHandedOverAsync("stuck", 1, T0, T0.AddMinutes(1));
        _time.SetUtcNow(T0.AddMinutes(20));

        await NewJob().RunAsync(None);

        Assert.Empty(_published.Of<AnnotateDocument>());
        Assert.Equal(1, (await Store.FindAsync("stuck", None))!.Dispatches);
    }

    [StoreFact]
    public async Task A_document_handed_over_as_often_as_allowed_fails_timeout_when_started_and_crashed_when_never_started()
    {
        RecoveryOver();
        await AddHandedOverAsync("slow", 3, T0, T0.AddMinutes(1));
        await AddHandedOverAsync("lost", 3, T0, startedAt: null);
        _time.SetUtcNow(T0.AddMinutes(20));

        await NewJob().RunAsync(None);

        Assert.Empty(_published.Of<AnnotateDocument>());
        var failed = _published.Of<DocumentAnnotationFailed>().OrderBy(f => f.DocumentId).ToList();
        Assert.Equal([("lost", "crashed"), ("slow", "timeout")], failed.Select(f => (f.DocumentId, f.Reason)));
        Assert.All(failed, f => Assert.Contains($"'{f.DocumentId}.pdf'", f.Message, StringComparison.Ordinal));
        Assert.All(failed, f => Assert.Equal(T0.AddMinutes(20), f.FailedAt));
    }

    [StoreFact]
    public async Task Two_sweepers_running_at_once_hand_a_stuck_document_over_once()
    {
        RecoveryOver();
        for (var i = 0; i < 20; i++)
        {
            await AddHandedOverAsync($"stuck-{i:00}", 1, T0, T0.AddMinutes(1));
        }
        _time.SetUtcNow(T0.AddMinutes(20));

        await Task.WhenAll(Task.Run(() => NewJob().RunAsync(None)), Task.Run(() => NewJob().RunAsync(None)));

        var sent = _published.Of<AnnotateDocument>().Select(c => c.DocumentId).ToList();
        Assert.Equal(20, sent.Count);
        Assert.Equal(20, sent.Distinct().Count());
        Assert.All(await Store.ListByStateAsync([DocumentState.Processing], None), r => Assert.Equal(2, r.Dispatches));
    }
}

public sealed class SweepStuckDocumentsJobOnSqliteTests : SweepStuckDocumentsJobTests
{
    protected override Task<IDocumentStore> CreateStoreAsync() => SqliteStoreAsync();
}

[RequiresPostgres]
public sealed class SweepStuckDocumentsJobOnPostgresTests : SweepStuckDocumentsJobTests
{
    protected override Task<IDocumentStore> CreateStoreAsync() => PostgresStoreAsync();
}
