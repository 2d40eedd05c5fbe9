using Annotate.Gateway.Jobs;
using Annotate.Gateway.Stats;
using Annotate.Gateway.Storage;
using Annotate.Gateway.Tests.Jobs;
using Annotate.Gateway.Tests.Storage;
using Annotate.Messages;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Annotate.Gateway.Tests.Stats;

/// <summary><c>/api/stats</c>'s numbers, computed from each state store after the rollup, and again from a new store over the same database.</summary>
public abstract class StatsReaderTests : JobTestsOnEachStore
{
    // 08:30, so the last hour spans two clock hours and the day series has the current hour last.
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 8, 30, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(T0);

    private async Task CompleteAsync(string id, DateTimeOffset receivedAt, TimeSpan took, string? duplicateOf = null,
        string tenant = Tenants.Default, long? tokensIn = null, long? tokensOut = null)
    {
        await Store.TryAddAsync(new DocumentRecord { Id = id, FileName = id, Channel = "upload", State = DocumentState.Received, ReceivedAt = receivedAt, Tenant = tenant }, None);
        await Store.MarkCompletedAsync(id, new DocumentCompletion("blob:outputs/" + id + "/", [],
            new AnnotationDigest { Format = "text" }, new StageTimings { TotalMs = took.TotalMilliseconds }, receivedAt + took, DuplicateOf: duplicateOf,
            TokensIn: tokensIn, TokensOut: tokensOut), None);
    }

    private async Task FailAsync(string id, DateTimeOffset receivedAt, string reason, string tenant = Tenants.Default)
    {
        await Store.TryAddAsync(new DocumentRecord { Id = id, FileName = id, Channel = "inbox", State = DocumentState.Received, ReceivedAt = receivedAt, Tenant = tenant }, None);
        await Store.MarkFailedAsync(id, reason, "x", false, receivedAt.AddSeconds(1), None);
    }

    private async Task RollUpAsync() => await new RollUpThroughputJob(Store, Options.Create(new JobsOptions { RollupWindow = TimeSpan.FromDays(1) }), _time).RunAsync(None);

    [StoreFact]
    public async Task Stats_give_a_minute_series_for_the_last_hour_an_hour_series_for_the_day_and_latency_percentiles_from_the_store()
    {
        // Ten documents completed in minute 08:20, taking 1 s … 10 s; one of them a duplicate.
        for (var i = 1; i <= 10; i++)
        {
            await CompleteAsync($"d{i}", T0.AddMinutes(-10), TimeSpan.FromSeconds(i), duplicateOf: i == 10 ? "d1" : null);
        }
        // Two failures in minute 08:25, and one five hours earlier (outside the hour, inside the day).
        await FailAsync("f1", T0.AddMinutes(-5), "corrupt");
        await FailAsync("f2", T0.AddMinutes(-5), "empty");
        await FailAsync("f3", T0.AddHours(-5), "corrupt");
        // One still in flight.
        await Store.TryAddAsync(new DocumentRecord { Id = "w", FileName = "w", Channel = "upload", State = DocumentState.Received, ReceivedAt = T0 }, None);
        _time.SetUtcNow(T0.AddSeconds(30));
        await RollUpAsync();

        var stats = await new StatsReader(Store, _time).ReadAsync(None);

        Assert.Equal(60, stats.PerMinute.Count);
        Assert.Equal(T0, stats.PerMinute[^1].Start);
        Assert.Equal(T0.AddMinutes(-59), stats.PerMinute[0].Start);
        var busy = stats.PerMinute.Single(p => p.Start == T0.AddMinutes(-10));
        Assert.Equal((10, 10, 1, 0), (busy.Received, busy.Completed, busy.Duplicates, busy.Failed));
        var failing = stats.PerMinute.Single(p => p.Start == T0.AddMinutes(-5));
        Assert.Equal((2, 0, 2), (failing.Received, failing.Completed, failing.Failed));
        Assert.Equal(1, stats.PerMinute[^1].Received);
        Assert.Equal(13, stats.PerMinute.Sum(p => p.Received));

        Assert.Equal(24, stats.PerHour.Count);
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero), stats.PerHour[^1].Start);
        Assert.Equal((10, 2), (stats.PerHour[^1].Completed, stats.PerHour[^1].Failed));
        Assert.Equal(1, stats.PerHour.Single(p => p.Start == new DateTimeOffset(2026, 3, 1, 3, 0, 0, TimeSpan.Zero)).Failed);

        // Nearest rank over 1 … 10 s: the 5th and the 10th.
        Assert.Equal(new LatencyStats(10, 5000, 10000), stats.LatencyLastHour);
        Assert.Equal(10, stats.LatencyLastDay.Documents);

        Assert.Equal((12, 2), (stats.FailuresLastHour.Finished, stats.FailuresLastHour.Failed));
        Assert.Equal(2.0 / 12, stats.FailuresLastHour.Rate, 6);
        Assert.Equal([("corrupt", 2), ("empty", 1)], stats.FailuresLastDay.ByReason.Select(r => (r.Reason, r.Failed)));
        Assert.Equal(2.0 / 13, stats.FailuresLastDay.ByReason[0].Rate, 6);
        Assert.Equal(1, stats.InFlight);
    }

    [StoreFact]
    public async Task Stats_survive_a_restart_because_they_are_read_from_the_database()
    {
        await CompleteAsync("a", T0.AddMinutes(-3), TimeSpan.FromSeconds(2));
        await RollUpAsync();

        var reopened = await CreateStoreAsync(reuseDatabase: true);
        await reopened.InitializeAsync(None);
        var stats = await new StatsReader(reopened, _time).ReadAsync(None);

        Assert.Equal(1, stats.PerMinute.Single(p => p.Start == T0.AddMinutes(-3)).Completed);
        Assert.Equal(new LatencyStats(1, 2000, 2000), stats.LatencyLastHour);
        if (reopened is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
    }

    [StoreFact]
    public async Task A_tenants_stats_count_only_its_documents_and_tokens_per_second_come_from_the_completed_documents()
    {
        await CompleteAsync("a1", T0.AddMinutes(-10), TimeSpan.FromSeconds(2), tenant: "acme", tokensIn: 3000, tokensOut: 600);
        await CompleteAsync("a2", T0.AddMinutes(-9), TimeSpan.FromSeconds(4), tenant: "acme", tokensIn: 600, tokensOut: 120);
        await CompleteAsync("a3", T0.AddHours(-3), TimeSpan.FromSeconds(4), tenant: "acme", tokensIn: 3600, tokensOut: 0);
        await FailAsync("af", T0.AddMinutes(-8), "corrupt", tenant: "acme");
        await CompleteAsync("g1", T0.AddMinutes(-7), TimeSpan.FromSeconds(30), tenant: "globex", tokensIn: 7200, tokensOut: 36);
        await FailAsync("gf", T0.AddMinutes(-6), "timeout", tenant: "globex");
        await Store.TryAddAsync(new DocumentRecord { Id = "gw", FileName = "gw", Channel = "upload", State = DocumentState.Received, ReceivedAt = T0, Tenant = "globex" }, None);
        _time.SetUtcNow(T0.AddSeconds(30));
        await RollUpAsync();
        var reader = new StatsReader(Store, _time);

        var acme = await reader.ReadAsync("acme", None);
        var globex = await reader.ReadAsync("globex", None);
        var all = await reader.ReadAsync(None);

        Assert.Equal(("acme", 3, 2, 1), (acme.Tenant, acme.PerMinute.Sum(p => p.Received), acme.PerMinute.Sum(p => p.Completed), acme.PerMinute.Sum(p => p.Failed)));
        Assert.Equal([("corrupt", 1)], acme.FailuresLastHour.ByReason.Select(r => (r.Reason, r.Failed)));
        Assert.Equal(new LatencyStats(2, 2000, 4000), acme.LatencyLastHour);
        Assert.Equal(0, acme.InFlight);
        // 3,600 tokens in and 720 out in the last hour: 1 and 0.2 per second; the day adds 3,600 in over 86,400 s.
        Assert.Equal(new TokenStats(3600, 720, 1, 0.2), acme.TokensLastHour);
        Assert.Equal(new TokenStats(7200, 720, 7200 / 86400d, 720 / 86400d), acme.TokensLastDay);
        Assert.Equal(3600, acme.PerMinute.Sum(p => p.TokensIn));

        Assert.Equal(("globex", 2, 1, 1, 1), (globex.Tenant, globex.PerMinute.Sum(p => p.Received) - 1, globex.PerMinute.Sum(p => p.Completed), globex.PerMinute.Sum(p => p.Failed), globex.InFlight));
        Assert.Equal([("timeout", 1)], globex.FailuresLastHour.ByReason.Select(r => (r.Reason, r.Failed)));
        Assert.Equal(new TokenStats(7200, 36, 2, 0.01), globex.TokensLastHour);

        Assert.Null(all.Tenant);
        Assert.Equal((3, 2, 1), (all.PerMinute.Sum(p => p.Completed), all.PerMinute.Sum(p => p.Failed), all.InFlight));
        Assert.Equal(new TokenStats(10800, 756, 3, 0.21), all.TokensLastHour);
        Assert.Equal(3, all.LatencyLastHour.Documents);
    }

    [StoreFact]
    public async Task Stats_of_an_empty_store_have_zeros_and_no_percentiles()
    {
        var stats = await new StatsReader(Store, _time).ReadAsync(None);

        Assert.All(stats.PerMinute, p => Assert.Equal(0, p.Received + p.Completed + p.Failed));
        Assert.Equal(new LatencyStats(0, null, null), stats.LatencyLastDay);
        Assert.Equal(0, stats.FailuresLastDay.Rate);
    }

    /// <summary>A second store over this test's database (a restarted gateway).</summary>
    protected abstract Task<IDocumentStore> CreateStoreAsync(bool reuseDatabase);
}

public sealed class StatsReaderOnSqliteTests : StatsReaderTests
{
    protected override Task<IDocumentStore> CreateStoreAsync() => SqliteStoreAsync();

    protected override Task<IDocumentStore> CreateStoreAsync(bool reuseDatabase) => SqliteStoreAsync();
}

[RequiresPostgres]
public sealed class StatsReaderOnPostgresTests : StatsReaderTests
{
    private string? _connectionString;

    protected override async Task<IDocumentStore> CreateStoreAsync()
    {
        _connectionString = await TestDatabase.CreateAsync(this);
        return new PostgresDocumentStore(Options.Create(new StateStoreOptions { PostgresConnectionString = _connectionString }));
    }

    protected override Task<IDocumentStore> CreateStoreAsync(bool reuseDatabase) =>
        Task.FromResult<IDocumentStore>(new PostgresDocumentStore(Options.Create(new StateStoreOptions { PostgresConnectionString = _connectionString! })));
}
