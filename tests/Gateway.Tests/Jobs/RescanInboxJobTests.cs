using System.Collections.Concurrent;
using Annotate.Annotators.Profiles;
using Annotate.Gateway.Inbox;
using Annotate.Gateway.Jobs;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Annotate.Gateway.Tests.Jobs;

/// <summary>The rescan job asks the running watcher for a scan; the watcher's own poll is an hour away here, on fake time.</summary>
public sealed class RescanInboxJobTests : IAsyncLifetime, IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "annotate-rescan-tests", Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly ConcurrentQueue<string> _claimed = new();
    private readonly InboxScanRequests _requests = new();
    private GatewayOptions _options = null!;
    private InboxWatcher _watcher = null!;

    public async Task InitializeAsync()
    {
        _options = new GatewayOptions
        {
            Inbox = Path.Combine(_root, "inbox"), Failed = Path.Combine(_root, "failed"), Database = Path.Combine(_root, "annotate.db"),
            PollInterval = TimeSpan.FromHours(1),
        };
        Directory.CreateDirectory(_options.Inbox);
        _watcher = new InboxWatcher(ClaimByDeleting, new ProfileCatalog(Options.Create(new ProfileOptions())), Options.Create(_options), _time,
            NullLogger<InboxWatcher>.Instance, scanRequests: _requests);
        await _watcher.StartAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _watcher.StopAsync(CancellationToken.None);
        Directory.Delete(_root, recursive: true);
    }

    public void Dispose() => _watcher.Dispose();

    private Task ClaimByDeleting(string path, string fileName, string? profile, CancellationToken cancellationToken)
    {
        _claimed.Enqueue(fileName);
        File.Delete(path);
        return Task.CompletedTask;
    }

    private Task RescanAsync() => new RescanInboxJob(_requests, Options.Create(_options)).Execute(null!, CancellationToken.None).AsTask();

    [Fact]
    public async Task A_rescan_runs_the_watchers_scan_now_so_a_settled_file_is_taken_before_the_next_poll()
    {
        await File.WriteAllTextAsync(Path.Combine(_options.Inbox, "arrived-while-down.txt"), "a document");

        await RescanAsync();
        Assert.Empty(_claimed);   // seen once: not settled yet

        _time.Advance(_options.SettleTime);
        await RescanAsync();

        Assert.Equal(["arrived-while-down.txt"], _claimed);
    }

    [Fact]
    public async Task Requests_made_together_are_all_answered()
    {
        await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => RescanAsync()));

        Assert.Empty(_claimed);
    }
}
