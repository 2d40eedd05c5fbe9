using Annotate.Gateway.Jobs;
using Annotate.Gateway.Storage;
using Annotate.Gateway.Tests.Storage;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Annotate.Gateway.Tests.Jobs;

/// <summary>The rollup over each state store.</summary>
public abstract class RollUpThroughputJobTests : JobTestsOnEachStore
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(T0);

    private RollUpThroughputJob NewJob() => new(Store, Options.Create(new JobsOptions()), _time);

    private async Task AddAsync(string id, DateTimeOffset receivedAt, string? failedWith = null, DateTimeOffset? finishedAt = null)
    {
        await Store.TryAddAsync(new DocumentRecord { Id = id, FileName = id, Channel = "inbox", State = DocumentState.Received, ReceivedAt = receivedAt }, None);
        if (failedWith is not null)
        {
            await Store.MarkFailedAsync(id, failedWith, "x", false, finishedAt!.Value, None);
        }
    }

    [StoreFact]
    public async Task Each_run_recomputes_the_window_up_to_the_current_minute_so_late_finishes_are_counted()
    {
        await AddAsync("a", T0.AddSeconds(10));
        await AddAsync("b", T0.AddSeconds(20), "timeout", T0.AddMinutes(2).AddSeconds(5));
        _time.SetUtcNow(T0.AddMinutes(1).AddSeconds(30));

        await NewJob().RunAsync(None);
        var first = await Store.ListThroughputAsync(T0.AddHours(-2), T0.AddHours(2), None);

        Assert.Equal([(T0, 2, 0)], first.Select(m => (m.Minute, m.Received, m.Failed)));

        // A gateway that was down for half an hour: the next run still sees the failure of minute 2.
        _time.SetUtcNow(T0.AddMinutes(32));
        await NewJob().RunAsync(None);
        await NewJob().RunAsync(None);
        var later = await Store.ListThroughputAsync(T0.AddHours(-2), T0.AddHours(2), None);

        Assert.Equal([(T0, 2, 0), (T0.AddMinutes(2), 0, 1)], later.Select(m => (m.Minute, m.Received, m.Failed)));
        Assert.Equal(1, later[1].FailedByReason["timeout"]);
    }

    [StoreFact]
    public async Task Minutes_older_than_the_window_are_kept_as_they_were()
    {
        await AddAsync("old", T0);
        _time.SetUtcNow(T0.AddMinutes(1));
        await NewJob().RunAsync(None);

        _time.SetUtcNow(T0.AddHours(5));
        await NewJob().RunAsync(None);

        Assert.Equal([(T0, 1)], (await Store.ListThroughputAsync(T0.AddHours(-1), T0.AddHours(6), None)).Select(m => (m.Minute, m.Received)));
    }
}

public sealed class RollUpThroughputJobOnSqliteTests : RollUpThroughputJobTests
{
    protected override Task<IDocumentStore> CreateStoreAsync() => SqliteStoreAsync();
}

[RequiresPostgres]
public sealed class RollUpThroughputJobOnPostgresTests : RollUpThroughputJobTests
{
    protected override Task<IDocumentStore> CreateStoreAsync() => PostgresStoreAsync();
}
