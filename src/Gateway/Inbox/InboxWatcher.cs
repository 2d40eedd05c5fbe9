using System.Text;
using System.Threading.Channels;
using Annotate.Annotators.Profiles;
using Annotate.Gateway.Intake;
using Annotate.Hosting.Blobs;
using Microsoft.Extensions.Options;

namespace Annotate.Gateway.Inbox;

/// <summary>
/// Watches the inbox folder and hands each settled regular file to <see cref="DocumentIntake"/>: its size, time stamp,
/// change time and inode unchanged for <see cref="GatewayOptions.SettleTime"/> since the last change seen, and no
/// .NET writer holding it (probed without blocking, see <see cref="InboxEntries.CheckBeforeTaking"/>). Polling
/// (not FileSystemWatcher events alone) also works on network and container mounts; the inbox folder's name events
/// and the moment a waiting file's settle time is up start a scan between polls.
/// Anyone who can write to the inbox is treated as hostile: entries are inspected without being opened or followed;
/// links, FIFOs, sockets, devices and hard-linked files are skipped with one warning each; a name that is not valid
/// UTF-8 is renamed to an escaped one; one entry that misbehaves never stops the scan of the others.
/// </summary>
public sealed class InboxWatcher : BackgroundService
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ClaimFile _claim;
    private readonly ProfileCatalog _profiles;
    private readonly GatewayOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<InboxWatcher> _logger;
    private readonly InboxScanRequests? _scanRequests;
    private readonly HashSet<string> _ownPaths;
    private readonly Dictionary<string, Observation> _seen = new(StringComparer.Ordinal);
    // Set by the folder's name events; one pending change stands for any number.
    private readonly Channel<bool> _changes = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    // Why each skipped entry was reported, so a link or FIFO costs one warning, not one per scan.
    private readonly Dictionary<string, string> _reported = new(StringComparer.Ordinal);

    private sealed record Observation(EntryStatus Status, long Since);

    private static readonly Task<bool> NoRequests = new TaskCompletionSource<bool>().Task;

    /// <summary>Hands a settled file to the intake; the seam lets tests see what is taken without the whole intake.</summary>
    internal delegate Task ClaimFile(string path, string fileName, string? profile, CancellationToken cancellationToken);

    public InboxWatcher(DocumentIntake intake, ProfileCatalog profiles, IOptions<GatewayOptions> options, IOptions<BlobStoreOptions> blobOptions,
        TimeProvider time, ILogger<InboxWatcher> logger, InboxScanRequests scanRequests)
        : this(intake.ClaimAsync, profiles, options, time, logger, blobOptions.Value.Outputs, blobOptions.Value.Sources, scanRequests)
    {
    }

    internal InboxWatcher(ClaimFile claim, ProfileCatalog profiles, IOptions<GatewayOptions> options, TimeProvider time,
        ILogger<InboxWatcher> logger, string? outbox = null, string? sources = null, InboxScanRequests? scanRequests = null)
    {
        _scanRequests = scanRequests;
        _claim = claim;
        _profiles = profiles;
        _options = options.Value;
        _time = time;
        _logger = logger;
        // Annotate's own folders and database may be configured inside the inbox; taking them would loop for ever.
        var database = Path.GetFullPath(_options.Database);
        _ownPaths = new HashSet<string>(
            new[] { _options.Failed, sources, outbox }.OfType<string>().Select(p => Path.TrimEndingDirectorySeparator(Path.GetFullPath(p)))
                .Concat([database, database + "-wal", database + "-shm", database + "-journal"]),
            StringComparer.Ordinal);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.WatchInbox)
        {
            return;
        }
        var inbox = Path.GetFullPath(_options.Inbox);
        Directory.CreateDirectory(inbox);
        using var events = WatchEvents(inbox);
        using var timer = new PeriodicTimer(_options.PollInterval, _time);
        // Both waits are kept across turns: a timer allows one pending wait, and a new wait on the requests at every tick
        // would pile up waiters until a request came.
        Task<bool>? tick = null;
        Task<bool>? requested = null;
        Task<bool>? changed = null;
        while (true)
        {
            var served = _scanRequests?.TakeAll() ?? [];
            // A change from now on is one this scan may miss: it starts another.
            while (_changes.Reader.TryRead(out _))
            {
            }
            try
            {
                await ScanAsync(inbox, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A scan that fails (folder briefly unavailable) is tried again at the next tick.
                _logger.LogWarning(ex, "Scanning the inbox {Inbox} failed", inbox);
            }
            finally
            {
                served.ForEach(request => request.TrySetResult());
            }
            tick ??= timer.WaitForNextTickAsync(stoppingToken).AsTask();
            requested ??= _scanRequests?.WaitAsync(stoppingToken) ?? NoRequests;
            changed ??= events is null ? NoRequests : _changes.Reader.WaitToReadAsync(stoppingToken).AsTask();
            // A file waiting to settle is taken when its settle time is up, not at the next poll after that.
            using var settling = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            var settled = UntilFirstSettles() is { } wait && wait < _options.PollInterval
                ? Task.Delay(wait, _time, settling.Token)
                : NoRequests;
            var first = await Task.WhenAny(tick, requested, settled, changed);
            await settling.CancelAsync();
            stoppingToken.ThrowIfCancellationRequested();
            if (first == settled)
            {
                continue;
            }
            if (first == changed)
            {
                changed = null;
                continue;
            }
            if (!await (Task<bool>)first && first == tick)
            {
                return;
            }
            if (first == tick)
            {
                tick = null;
            }
            else
            {
                requested = null;
            }
        }
    }

    /// <summary>
    /// Name events of the inbox folder itself (inotify on Linux: an entry created or moved in or out) start a scan
    /// at once, so a file dropped there is first seen when it arrives rather than at the next poll. Writes to a file
    /// start none: a long upload would start a scan per write, and the polls and the settle time follow a file being
    /// written anyway. Only the top folder is watched: a watch of every sub-folder would follow what anyone who can
    /// write to the inbox makes there. Polling stays, for the sub-folders, for mounts that send no events and for events
    /// a full buffer loses. Null, after one line in the log, when the folder cannot be watched (the system's limit on
    /// watches reached, say).
    /// </summary>
    private FileSystemWatcher? WatchEvents(string inbox)
    {
        FileSystemWatcher? watcher = null;
        try
        {
            watcher = new FileSystemWatcher(inbox)
            {
                IncludeSubdirectories = false,
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName,
            };
            watcher.Created += (_, _) => _changes.Writer.TryWrite(true);
            watcher.Renamed += (_, _) => _changes.Writer.TryWrite(true);
            watcher.Error += (_, _) => _changes.Writer.TryWrite(true);
            watcher.EnableRaisingEvents = true;
            return watcher;
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or PlatformNotSupportedException or UnauthorizedAccessException)
        {
            watcher?.Dispose();
            _logger.LogInformation("The inbox {Inbox} is polled every {Interval} without name events: {Reason}", inbox, _options.PollInterval, ex.Message);
            return null;
        }
    }

    /// <summary>
    /// How long until the first file seen but not yet still for the settle time will have been; null when none waits
    /// (a file past its settle time that could not be taken waits for the next poll).
    /// </summary>
    internal TimeSpan? UntilFirstSettles()
    {
        var now = _time.GetTimestamp();
        TimeSpan? soonest = null;
        foreach (var seen in _seen.Values)
        {
            var left = _options.SettleTime - _time.GetElapsedTime(seen.Since, now);
            if (left > TimeSpan.Zero && (soonest is null || left < soonest))
            {
                soonest = left;
            }
        }
        return soonest;
    }

    /// <summary>One pass over the inbox: notes new or changed files and takes the settled ones.</summary>
    internal async Task ScanAsync(string inbox, CancellationToken cancellationToken)
    {
        inbox = Path.TrimEndingDirectorySeparator(Path.GetFullPath(inbox));
        var present = new HashSet<string>(StringComparer.Ordinal);
        // An explicit stack, not recursion: folder depth is chosen by whoever writes to the inbox.
        var folders = new Stack<string>([inbox]);
        while (folders.TryPop(out var folder))
        {
            List<RawEntry> entries;
            try
            {
                entries = InboxEntries.List(folder);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                if (folder == inbox)
                {
                    throw;
                }
                present.Add(folder);
                ReportOnce(inbox, folder, $"is a folder that cannot be read ({ex.Message}); skipped");
                continue;
            }
            foreach (var entry in entries)
            {
                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    await InspectAsync(inbox, folder, entry, present, folders, cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    // One entry that misbehaves (vanishes, refuses access) must not keep the others from being taken.
                    var path = Path.Combine(folder, Escaped(entry.Name, "\\x{0:x2}"));
                    present.Add(path);
                    ReportOnce(inbox, path, $"could not be inspected ({ex.Message}); skipped");
                }
            }
        }
        foreach (var gone in _seen.Keys.Where(p => !present.Contains(p)).ToList())
        {
            _seen.Remove(gone);
        }
        foreach (var gone in _reported.Keys.Where(p => !present.Contains(p)).ToList())
        {
            _reported.Remove(gone);
        }
    }

    private async Task InspectAsync(string inbox, string folder, RawEntry entry, HashSet<string> present, Stack<string> folders, CancellationToken cancellationToken)
    {
        string name;
        try
        {
            name = StrictUtf8.GetString(entry.Name);
        }
        catch (DecoderFallbackException)
        {
            RenameUndecodable(inbox, folder, entry.Name, present);
            return;
        }
        if (IsIgnored(name))
        {
            return;
        }
        var path = Path.Combine(folder, name);
        present.Add(path);
        if (_ownPaths.Contains(path))
        {
            return;
        }
        var status = InboxEntries.Status(path);
        switch (status.Kind)
        {
            case EntryKind.Missing:
                return; // gone between listing and looking
            case EntryKind.Directory:
                folders.Push(path);
                return;
            case EntryKind.SymbolicLink:
                await ObserveLinkAsync(inbox, path, cancellationToken);
                return;
            case EntryKind.Regular when status.Links > 1:
                // Another name for the same bytes may live anywhere on the file system: taking it would publish them.
                ReportOnce(inbox, path, $"has {status.Links - 1} other hard link(s), so its bytes may belong outside the inbox; skipped");
                return;
            case EntryKind.Regular:
                await ObserveAsync(inbox, path, inbox, path, status, cancellationToken);
                return;
            default:
                ReportOnce(inbox, path, $"is a {Describe(status.Kind)}, not a regular file; skipped");
                return;
        }
    }

    private async Task ObserveLinkAsync(string inbox, string link, CancellationToken cancellationToken)
    {
        if (!_options.FollowLinksInsideInbox)
        {
            ReportOnce(inbox, link, "is a symbolic link; links are not followed (Annotate:Gateway:FollowLinksInsideInbox); skipped");
            return;
        }
        // Resolve every link and folder on the way: a link may hop through another link, or through a linked folder, to leave the inbox.
        var realInbox = InboxEntries.RealPath(inbox);
        var target = InboxEntries.RealPath(link);
        if (realInbox is null || target is null || !target.StartsWith(realInbox + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            ReportOnce(inbox, link, "is a symbolic link that does not resolve to a file inside the inbox; skipped");
            return;
        }
        var status = InboxEntries.Status(target);
        if (status.Kind != EntryKind.Regular || status.Links > 1 || _ownPaths.Contains(target))
        {
            ReportOnce(inbox, link, "is a symbolic link to something other than a regular file of the inbox; skipped");
            return;
        }
        await ObserveAsync(inbox, link, realInbox, target, status, cancellationToken);
    }

    /// <summary>
    /// Notes the state of <paramref name="file"/> (what <paramref name="entry"/> stands for) and takes it once nothing
    /// has changed for the settle time. Size and modification time alone miss a writer that rewrites in place and puts
    /// the time stamp back; the change time and inode catch that and a file replaced by another.
    /// </summary>
    private async Task ObserveAsync(string inbox, string entry, string fileRoot, string file, EntryStatus status, CancellationToken cancellationToken)
    {
        var now = _time.GetTimestamp();
        if (!_seen.TryGetValue(entry, out var seen) || seen.Status != status)
        {
            _seen[entry] = new Observation(status, now);
            return;
        }
        if (_time.GetElapsedTime(seen.Since, now) < _options.SettleTime)
        {
            return;
        }
        // Between the last look and now a folder on the way may have been swapped for a link: look again, piece by piece.
        if (!IsStillTheSameFile(fileRoot, file, status))
        {
            _seen.Remove(entry);
            return;
        }
        switch (InboxEntries.CheckBeforeTaking(file, status))
        {
            case InboxEntries.TakeCheck.Changed:
                _seen.Remove(entry);
                return;
            case InboxEntries.TakeCheck.InUse:
                // A writer holds it (a .NET program saving it): it is not finished, whatever the time stamps say.
                _seen[entry] = new Observation(status, now);
                return;
        }
        await TakeAsync(inbox, entry, file, cancellationToken);
    }

    private async Task TakeAsync(string inbox, string entry, string file, CancellationToken cancellationToken)
    {
        var relative = Path.GetRelativePath(inbox, entry);
        var folder = Path.GetDirectoryName(relative);
        // The first sub-folder names the profile: inbox/invoices/a.pdf is annotated with the "invoice" profile.
        string? profile = null;
        if (!string.IsNullOrEmpty(folder))
        {
            var first = folder.Split(Path.DirectorySeparatorChar)[0];
            profile = _profiles.ForFolder(first);
            if (profile is null)
            {
                _logger.LogWarning("Inbox folder '{Folder}' names no profile ({Profiles}); {File} uses the default profile", first, string.Join(", ", _profiles.Names), relative);
            }
        }
        try
        {
            await _claim(file, Path.GetFileName(entry), profile, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            if (ex is FileNotFoundException or DirectoryNotFoundException && InboxEntries.Status(file).Kind == EntryKind.Missing)
            {
                _logger.LogInformation("{File} disappeared from the inbox before it could be taken", relative);
                _seen.Remove(entry);
                return;
            }
            // Tried again after another settle time; reported once, not at every try.
            _seen[entry] = _seen[entry] with { Since = _time.GetTimestamp() };
            ReportOnce(inbox, entry, $"could not be taken ({ex.Message}); will try again");
            return;
        }
        _seen.Remove(entry);
        _reported.Remove(entry);
        if (entry != file && InboxEntries.Status(entry).Kind == EntryKind.SymbolicLink)
        {
            // The link stood for the file just taken; left behind it would dangle.
            File.Delete(entry);
        }
    }

    /// <summary>True when every folder from <paramref name="root"/> down to <paramref name="file"/> is still a real folder and the file is unchanged.</summary>
    private static bool IsStillTheSameFile(string root, string file, EntryStatus expected)
    {
        var path = root;
        var parts = Path.GetRelativePath(root, file).Split(Path.DirectorySeparatorChar);
        foreach (var part in parts[..^1])
        {
            path = Path.Combine(path, part);
            if (InboxEntries.Status(path).Kind != EntryKind.Directory)
            {
                return false;
            }
        }
        return InboxEntries.Status(file) == expected;
    }

    /// <summary>
    /// .NET cannot address a file whose name is not valid UTF-8, so it is renamed inside its folder to the same name with
    /// each invalid byte written as <c>%XX</c> (<c>report-\xff.txt</c> → <c>report-%FF.txt</c>) and taken at a later scan.
    /// </summary>
    private void RenameUndecodable(string inbox, string folder, byte[] rawName, HashSet<string> present)
    {
        var shown = Path.Combine(folder, Escaped(rawName, "\\x{0:x2}"));
        present.Add(shown);
        var safeName = Escaped(rawName, "%{0:X2}");
        var folderBytes = Encoding.UTF8.GetBytes(folder + Path.DirectorySeparatorChar);
        byte[] from = [.. folderBytes, .. rawName];
        var stem = Path.GetFileNameWithoutExtension(safeName);
        var extension = Path.GetExtension(safeName);
        // Escaping triples invalid bytes; keep the name within the 255 bytes most file systems allow.
        while (Encoding.UTF8.GetByteCount(stem + " (100)" + extension) > 255 && stem.Length > 1)
        {
            stem = stem[..^1];
        }
        for (var attempt = 1; attempt <= 100; attempt++)
        {
            var candidate = attempt == 1 ? stem + extension : $"{stem} ({attempt}){extension}";
            var error = InboxEntries.RenameWithoutReplacing(from, [.. folderBytes, .. Encoding.UTF8.GetBytes(candidate)]);
            if (error == 0)
            {
                _logger.LogWarning("Inbox entry {Original} has a name that is not valid UTF-8; renamed to {Renamed}",
                    Path.GetRelativePath(inbox, shown), Path.GetRelativePath(inbox, Path.Combine(folder, candidate)));
                return;
            }
            if (error != InboxEntries.Errno.Exists)
            {
                ReportOnce(inbox, shown, $"has a name that is not valid UTF-8 and could not be renamed (errno {error}); skipped");
                return;
            }
        }
        ReportOnce(inbox, shown, "has a name that is not valid UTF-8 and every escaped name is taken; skipped");
    }

    /// <summary>The name decoded as UTF-8, with each byte that is not part of valid UTF-8 written with <paramref name="byteFormat"/>.</summary>
    private static string Escaped(byte[] rawName, string byteFormat)
    {
        var text = new StringBuilder(rawName.Length);
        var rest = rawName.AsSpan();
        while (!rest.IsEmpty)
        {
            var decoded = System.Text.Rune.DecodeFromUtf8(rest, out var rune, out var consumed) == System.Buffers.OperationStatus.Done;
            consumed = Math.Max(consumed, 1);
            if (decoded)
            {
                text.Append(rune.ToString());
            }
            else
            {
                foreach (var b in rest[..consumed])
                {
                    text.AppendFormat(System.Globalization.CultureInfo.InvariantCulture, byteFormat, b);
                }
            }
            rest = rest[consumed..];
        }
        return text.ToString();
    }

    private void ReportOnce(string inbox, string path, string reason)
    {
        if (_reported.TryGetValue(path, out var reported) && reported == reason)
        {
            return;
        }
        _reported[path] = reason;
        _logger.LogWarning("Inbox entry {File} {Reason}", Path.GetRelativePath(inbox, path), reason);
    }

    private static string Describe(EntryKind kind) => kind switch
    {
        EntryKind.Fifo => "FIFO (named pipe)",
        EntryKind.Socket => "socket",
        EntryKind.CharacterDevice => "character device",
        EntryKind.BlockDevice => "block device",
        _ => "special file",
    };

    /// <summary>Hidden files and the temporary files editors and downloaders write are left alone.</summary>
    internal static bool IsIgnored(string name) =>
        name.StartsWith('.') || name.StartsWith("~$", StringComparison.Ordinal)
        || name.EndsWith(".tmp", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".part", StringComparison.OrdinalIgnoreCase)
        || name.EndsWith(".crdownload", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".partial", StringComparison.OrdinalIgnoreCase);
}
