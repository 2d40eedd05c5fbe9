using System.Diagnostics;
using System.Threading.Channels;
using Annotate.Annotators.Profiles;
using Annotate.Gateway.Inbox;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Annotate.Gateway.Tests.Inbox;

/// <summary>
/// <see cref="InboxWatcher.ScanAsync"/> on a real folder with fake time: what is taken, when, and what is left alone.
/// The claim is a stand-in that records the file and removes it, as the intake's move would.
/// </summary>
public sealed class InboxWatcherScanTests : IDisposable
{
    private static readonly TimeSpan PollInterval = new GatewayOptions().PollInterval;
    private readonly string _root = Path.Combine(Path.GetTempPath(), "annotate-inbox-tests", Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly List<(string Name, long Length, string? Profile)> _claimed = [];
    private readonly RecordingLogger _log = new();

    public InboxWatcherScanTests() => Directory.CreateDirectory(Inbox);

    private string Inbox => Path.Combine(_root, "inbox");

    private InboxWatcher Watcher(GatewayOptions? options = null, InboxWatcher.ClaimFile? claim = null)
    {
        options ??= new GatewayOptions();
        options.Inbox = Inbox;
        return new InboxWatcher(claim ?? ClaimByDeleting, new ProfileCatalog(Options.Create(new ProfileOptions())), Options.Create(options), _time, _log);
    }

    private Task ClaimByDeleting(string path, string fileName, string? profile, CancellationToken cancellationToken)
    {
        _claimed.Add((fileName, new FileInfo(path).Length, profile));
        File.Delete(path);
        return Task.CompletedTask;
    }

    /// <summary>Scans as the running service would: one pass every poll interval, for <paramref name="duration"/> of fake time.</summary>
    private async Task ScanForAsync(InboxWatcher watcher, TimeSpan duration)
    {
        for (var elapsed = TimeSpan.Zero; elapsed <= duration; elapsed += PollInterval)
        {
            await watcher.ScanAsync(Inbox, CancellationToken.None);
            _time.Advance(PollInterval);
        }
    }

    [Fact]
    public async Task A_file_appended_to_every_one_and_a_half_seconds_is_taken_whole_with_the_default_settings()
    {
        var watcher = Watcher();
        var path = Path.Combine(Inbox, "slow.csv");
        var kilobyte = new byte[1024];
        Array.Fill(kilobyte, (byte)'a');

        for (var i = 0; i < 6; i++)
        {
            await using (var stream = new FileStream(path, FileMode.Append, FileAccess.Write))
            {
                await stream.WriteAsync(kilobyte);
            }
            await ScanForAsync(watcher, TimeSpan.FromSeconds(1.5) - PollInterval);
            Assert.Empty(_claimed);
        }
        await ScanForAsync(watcher, TimeSpan.FromSeconds(10));

        var taken = Assert.Single(_claimed);
        Assert.Equal(("slow.csv", 6 * 1024L), (taken.Name, taken.Length));
    }

    [Fact]
    public async Task A_running_watcher_takes_a_file_when_its_settle_time_is_up_not_at_the_next_poll()
    {
        await File.WriteAllTextAsync(Path.Combine(Inbox, "note.txt"), "still");

        // The first scan saw the file; the watcher then waits for the moment it has been still for the settle time.
        Assert.Equal("note.txt", await TakenByRunningWatcherAsync(_ => Task.CompletedTask));
    }

    [Fact]
    public async Task A_file_dropped_into_a_running_watcher_is_seen_at_once_through_the_folder_events_not_at_the_next_poll()
    {
        var taken = await TakenByRunningWatcherAsync(async requests =>
        {
            // A scan with the inbox still empty has run: the watcher now waits for its poll, an hour away.
            await requests.RequestAsync(CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(2));
            // Written beside the inbox and moved in whole: one event, and no scan can see it half written.
            var written = Path.Combine(_root, "dropped.txt");
            await File.WriteAllTextAsync(written, "dropped");
            File.Move(written, Path.Combine(Inbox, "dropped.txt"));
        });

        // The folder's event started a scan that saw the file, which then waited for its settle time.
        Assert.Equal("dropped.txt", taken);
    }

    /// <summary>
    /// Runs a watcher that polls an hour apart on a clock that reports its timers, does <paramref name="drop"/>, waits
    /// for the watcher to set a timer for a file's settle time, moves the clock on by it, and returns the name taken:
    /// only a scan between polls sees and takes a file within the test.
    /// </summary>
    private async Task<string> TakenByRunningWatcherAsync(Func<InboxScanRequests, Task> drop)
    {
        var time = new TimerWatchingTimeProvider(_time.GetUtcNow());
        var options = new GatewayOptions { Inbox = Inbox, PollInterval = TimeSpan.FromHours(1), SettleTime = TimeSpan.FromSeconds(3) };
        var claimed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var requests = new InboxScanRequests();
        var watcher = new InboxWatcher((path, name, _, _) =>
        {
            File.Delete(path);
            claimed.TrySetResult(name);
            return Task.CompletedTask;
        }, new ProfileCatalog(Options.Create(new ProfileOptions())), Options.Create(options), time, _log, scanRequests: requests);

        await watcher.StartAsync(CancellationToken.None);
        try
        {
            await drop(requests);
            await time.TimerDueAfter(options.SettleTime).WaitAsync(TimeSpan.FromMinutes(2));
            time.Advance(options.SettleTime);
            return await claimed.Task.WaitAsync(TimeSpan.FromMinutes(2));
        }
        finally
        {
            await watcher.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_file_rewritten_in_place_with_its_old_size_and_time_stamp_waits_a_whole_settle_time_again()
    {
        var watcher = Watcher(new GatewayOptions { SettleTime = TimeSpan.FromSeconds(2) });
        var path = Path.Combine(Inbox, "rewritten.txt");
        await File.WriteAllTextAsync(path, "first version");
        var stamp = File.GetLastWriteTimeUtc(path);
        await ScanForAsync(watcher, TimeSpan.FromSeconds(1.5));

        // Same size, time stamp put back: only the change time (ctime) tells that the bytes changed.
        await File.WriteAllTextAsync(path, "other version");
        File.SetLastWriteTimeUtc(path, stamp);
        await ScanForAsync(watcher, TimeSpan.FromSeconds(1.5));
        Assert.Empty(_claimed);

        await ScanForAsync(watcher, TimeSpan.FromSeconds(2));
        Assert.Equal("rewritten.txt", Assert.Single(_claimed).Name);
    }

    [Theory]
    [InlineData(FileShare.None, 4096)]
    [InlineData(FileShare.Read, 4096)]
    [InlineData(FileShare.Read, 0)] // File.WriteAllText's mode, created and not yet written: not "empty" yet
    public async Task A_file_a_dotnet_writer_still_holds_is_not_taken_however_long_it_is_still(FileShare share, int written)
    {
        var watcher = Watcher();
        var path = Path.Combine(Inbox, "saving.xlsx");
        await using (var writer = new FileStream(path, FileMode.CreateNew, FileAccess.Write, share))
        {
            await writer.WriteAsync(new byte[written]);
            await writer.FlushAsync();

            await ScanForAsync(watcher, TimeSpan.FromSeconds(30));
            Assert.Empty(_claimed);
            await writer.WriteAsync(new byte[100]);
        }

        await ScanForAsync(watcher, TimeSpan.FromSeconds(10));
        var claimed = Assert.Single(_claimed);
        Assert.Equal(("saving.xlsx", written + 100L), (claimed.Name, claimed.Length));
    }

    [Fact]
    public async Task A_file_whose_claim_fails_is_reported_once_and_does_not_stop_the_other_files()
    {
        string? refused = null;
        var watcher = Watcher(claim: (path, name, profile, ct) =>
        {
            // The first file handed over is refused, whatever the listing order: everything after it must still be taken.
            refused ??= name;
            return name == refused
                ? throw new UnauthorizedAccessException($"Access to the path '{path}' is denied.")
                : ClaimByDeleting(path, name, profile, ct);
        });
        foreach (var name in new[] { "a.txt", "b.txt", "c.txt" })
        {
            await File.WriteAllTextAsync(Path.Combine(Inbox, name), name);
        }

        await ScanForAsync(watcher, TimeSpan.FromSeconds(10));

        Assert.NotNull(refused);
        Assert.Equal(new[] { "a.txt", "b.txt", "c.txt" }.Where(n => n != refused), _claimed.Select(c => c.Name).Order());
        Assert.True(File.Exists(Path.Combine(Inbox, refused)));
        Assert.Single(_log.Warnings, w => w.Contains(refused, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_sub_folder_that_vanishes_while_its_file_is_claimed_does_not_stop_the_other_files()
    {
        Directory.CreateDirectory(Path.Combine(Inbox, "gone"));
        await File.WriteAllTextAsync(Path.Combine(Inbox, "gone", "x.txt"), "x");
        await File.WriteAllTextAsync(Path.Combine(Inbox, "kept.txt"), "kept");
        var watcher = Watcher(claim: (path, name, profile, ct) =>
        {
            if (name == "x.txt")
            {
                Directory.Delete(Path.Combine(Inbox, "gone"), recursive: true);
                throw new DirectoryNotFoundException($"Could not find a part of the path '{path}'.");
            }
            return ClaimByDeleting(path, name, profile, ct);
        });

        await ScanForAsync(watcher, TimeSpan.FromSeconds(10));

        Assert.Equal("kept.txt", Assert.Single(_claimed).Name);
    }

    [Fact]
    public async Task A_link_to_a_file_outside_the_inbox_is_skipped_with_one_warning_and_the_file_is_untouched()
    {
        var outside = Path.Combine(_root, "secret.txt");
        await File.WriteAllTextAsync(outside, "not for the inbox");
        File.CreateSymbolicLink(Path.Combine(Inbox, "p.txt"), outside);
        var watcher = Watcher();

        await ScanForAsync(watcher, TimeSpan.FromSeconds(20));

        Assert.Empty(_claimed);
        Assert.Equal("not for the inbox", await File.ReadAllTextAsync(outside));
        Assert.Single(_log.Warnings, w => w.Contains("p.txt", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Links_resolving_inside_the_inbox_are_taken_only_when_allowed_and_links_out_never()
    {
        Directory.CreateDirectory(Path.Combine(Inbox, ".store"));
        var target = Path.Combine(Inbox, ".store", "report.txt");
        await File.WriteAllTextAsync(target, "published through a link");
        var outside = Path.Combine(_root, "secret.txt");
        await File.WriteAllTextAsync(outside, "not for the inbox");
        Directory.CreateDirectory(Path.Combine(Inbox, "invoices"));
        File.CreateSymbolicLink(Path.Combine(Inbox, "invoices", "current.txt"), Path.Combine("..", ".store", "report.txt"));
        File.CreateSymbolicLink(Path.Combine(Inbox, "out.txt"), outside);
        // A link inside the inbox that itself points out is still out.
        File.CreateSymbolicLink(Path.Combine(Inbox, ".store", "hop.txt"), outside);
        File.CreateSymbolicLink(Path.Combine(Inbox, "hop.txt"), Path.Combine(Inbox, ".store", "hop.txt"));

        await ScanForAsync(Watcher(), TimeSpan.FromSeconds(10));
        Assert.Empty(_claimed);

        await ScanForAsync(Watcher(new GatewayOptions { FollowLinksInsideInbox = true }), TimeSpan.FromSeconds(10));

        var taken = Assert.Single(_claimed);
        Assert.Equal(("current.txt", "published through a link".Length, "invoice"), (taken.Name, taken.Length, taken.Profile));
        var link = Path.Combine(Inbox, "invoices", "current.txt");
        Assert.False(Path.Exists(link) || new FileInfo(link).LinkTarget is not null, "the link is removed with what it stood for");
        Assert.Equal("not for the inbox", await File.ReadAllTextAsync(outside));
        Assert.NotNull(new FileInfo(Path.Combine(Inbox, "out.txt")).LinkTarget);
        Assert.NotNull(new FileInfo(Path.Combine(Inbox, "hop.txt")).LinkTarget);
    }

    [Fact]
    public async Task A_file_with_a_second_hard_link_is_skipped_with_one_warning()
    {
        var outside = Path.Combine(_root, "shadow.txt");
        await File.WriteAllTextAsync(outside, "another name for the same bytes");
        Run("ln", outside, Path.Combine(Inbox, "hard.txt"));
        var watcher = Watcher();

        await ScanForAsync(watcher, TimeSpan.FromSeconds(10));

        Assert.Empty(_claimed);
        Assert.True(File.Exists(outside));
        Assert.Single(_log.Warnings, w => w.Contains("hard.txt", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_fifo_is_skipped_with_one_warning_and_the_files_beside_it_are_taken()
    {
        Run("mkfifo", Path.Combine(Inbox, "pipe.csv"));
        await File.WriteAllTextAsync(Path.Combine(Inbox, "beside.txt"), "beside the pipe");
        var watcher = Watcher();

        await ScanForAsync(watcher, TimeSpan.FromSeconds(10));

        Assert.Equal("beside.txt", Assert.Single(_claimed).Name);
        Assert.True(Path.Exists(Path.Combine(Inbox, "pipe.csv")));
        Assert.Single(_log.Warnings, w => w.Contains("pipe.csv", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_name_that_is_not_valid_utf8_is_renamed_once_with_its_bytes_shown_in_the_log_then_taken()
    {
        byte[] name = [.. "report-"u8, 0xff, 0xfe, .. ".txt"u8];
        InboxHostileEntriesTests.CreateFileByRawName([.. System.Text.Encoding.UTF8.GetBytes(Inbox + "/"), .. name], "content"u8.ToArray());
        var watcher = Watcher();

        await ScanForAsync(watcher, TimeSpan.FromSeconds(10));

        Assert.Equal(("report-%FF%FE.txt", 7L), (Assert.Single(_claimed).Name, _claimed[0].Length));
        Assert.Single(_log.Warnings, w => w.Contains(@"report-\xff\xfe.txt", StringComparison.Ordinal) && w.Contains("report-%FF%FE.txt", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Annotate_own_folders_and_database_configured_inside_the_inbox_are_never_taken()
    {
        var options = new GatewayOptions
        {
            Failed = Path.Combine(Inbox, "failed"),
            Database = Path.Combine(Inbox, "annotate.db"),
        };
        Directory.CreateDirectory(Path.Combine(Inbox, "failed"));
        await File.WriteAllTextAsync(Path.Combine(Inbox, "failed", "bad.pdf"), "kept for the user");
        Directory.CreateDirectory(Path.Combine(Inbox, "blobs", "0123"));
        await File.WriteAllTextAsync(Path.Combine(Inbox, "blobs", "0123", "queued.txt"), "waiting for the worker");
        await File.WriteAllTextAsync(Path.Combine(Inbox, "annotate.db"), "state");
        await File.WriteAllTextAsync(Path.Combine(Inbox, "annotate.db-wal"), "state");
        await File.WriteAllTextAsync(Path.Combine(Inbox, "dropped.txt"), "a document");
        options.Inbox = Inbox;
        var watcher = new InboxWatcher(ClaimByDeleting, new ProfileCatalog(Options.Create(new ProfileOptions())), Options.Create(options), _time, _log,
            outbox: Path.Combine(Inbox, "outbox"), sources: Path.Combine(Inbox, "blobs"));
        Directory.CreateDirectory(Path.Combine(Inbox, "outbox", "0123"));
        await File.WriteAllTextAsync(Path.Combine(Inbox, "outbox", "0123", "annotations.json"), "{}");

        await ScanForAsync(watcher, TimeSpan.FromSeconds(10));

        Assert.Equal("dropped.txt", Assert.Single(_claimed).Name);
    }

    internal static void Run(string program, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardError = true })!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{program} failed: {error}");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // Temp space is reclaimed by the OS.
        }
    }

    /// <summary>Fake time that tells when a timer is set, so a test advances the clock only once the watcher waits on it.</summary>
    private sealed class TimerWatchingTimeProvider(DateTimeOffset start) : FakeTimeProvider(start)
    {
        private readonly Channel<TimeSpan> _set = Channel.CreateUnbounded<TimeSpan>();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            _set.Writer.TryWrite(dueTime);
            return timer;
        }

        /// <summary>Completes once a timer due <paramref name="dueTime"/> from when it was set has been set.</summary>
        public async Task TimerDueAfter(TimeSpan dueTime)
        {
            await foreach (var due in _set.Reader.ReadAllAsync())
            {
                if (due == dueTime)
                {
                    return;
                }
            }
        }
    }

    private sealed class RecordingLogger : ILogger<InboxWatcher>
    {
        public List<string> Warnings { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= LogLevel.Warning)
            {
                Warnings.Add(formatter(state, exception));
            }
        }
    }
}
