using Annotate.Annotators.Profiles;
using Annotate.Gateway.Intake;
using Microsoft.Extensions.Options;

namespace Annotate.Gateway.Inbox;

/// <summary>
/// Watches the inbox folder and hands each new file to <see cref="DocumentIntake"/> once it is completely written:
/// its size and time stamp unchanged for <see cref="GatewayOptions.SettleTime"/> and no other process holding it open
/// for writing. Polling (not FileSystemWatcher events alone) also works on network and container mounts.
/// </summary>
public sealed class InboxWatcher(
    DocumentIntake intake,
    ProfileCatalog profiles,
    IOptions<GatewayOptions> options,
    TimeProvider time,
    ILogger<InboxWatcher> logger) : BackgroundService
{
    private readonly Dictionary<string, Observation> _seen = new(StringComparer.Ordinal);

    private sealed record Observation(long Length, DateTime LastWrite, long Since);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.WatchInbox)
        {
            return;
        }
        var inbox = Path.GetFullPath(options.Value.Inbox);
        Directory.CreateDirectory(inbox);
        using var timer = new PeriodicTimer(options.Value.PollInterval, time);
        do
        {
            try
            {
                await ScanAsync(inbox, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A scan that fails (folder briefly unavailable) is tried again at the next tick.
                logger.LogWarning(ex, "Scanning the inbox {Inbox} failed", inbox);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One pass over the inbox: notes new or changed files and takes the settled ones.</summary>
    internal async Task ScanAsync(string inbox, CancellationToken cancellationToken)
    {
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFiles(inbox, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true }))
        {
            if (IsIgnored(Path.GetFileName(path)))
            {
                continue;
            }
            present.Add(path);
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                continue;
            }
            var now = time.GetTimestamp();
            if (!_seen.TryGetValue(path, out var seen) || seen.Length != info.Length || seen.LastWrite != info.LastWriteTimeUtc)
            {
                _seen[path] = new Observation(info.Length, info.LastWriteTimeUtc, now);
                continue;
            }
            if (time.GetElapsedTime(seen.Since) < options.Value.SettleTime || IsOpenForWriting(path))
            {
                continue;
            }
            _seen.Remove(path);
            await TakeAsync(inbox, path, cancellationToken);
        }
        foreach (var gone in _seen.Keys.Where(p => !present.Contains(p)).ToList())
        {
            _seen.Remove(gone);
        }
    }

    private async Task TakeAsync(string inbox, string path, CancellationToken cancellationToken)
    {
        var relative = Path.GetRelativePath(inbox, path);
        var folder = Path.GetDirectoryName(relative);
        // The first sub-folder names the profile: inbox/invoices/a.pdf is annotated with the "invoice" profile.
        string? profile = null;
        if (!string.IsNullOrEmpty(folder))
        {
            var first = folder.Split(Path.DirectorySeparatorChar)[0];
            profile = profiles.ForFolder(first);
            if (profile is null)
            {
                logger.LogWarning("Inbox folder '{Folder}' names no profile ({Profiles}); {File} uses the default profile", first, string.Join(", ", profiles.Names), relative);
            }
        }
        try
        {
            await intake.ClaimAsync(path, Path.GetFileName(path), profile, cancellationToken);
        }
        catch (FileNotFoundException)
        {
            logger.LogInformation("{File} disappeared from the inbox before it could be taken", relative);
        }
        catch (IOException ex) when (File.Exists(path))
        {
            logger.LogInformation("{File} is still in use ({Message}); will try again", relative, ex.Message);
        }
    }

    private static bool IsOpenForWriting(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            return false;
        }
        catch (IOException)
        {
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return true;
        }
    }

    /// <summary>Hidden files and the temporary files editors and downloaders write are left alone.</summary>
    internal static bool IsIgnored(string name) =>
        name.StartsWith('.') || name.StartsWith("~$", StringComparison.Ordinal)
        || name.EndsWith(".tmp", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".part", StringComparison.OrdinalIgnoreCase)
        || name.EndsWith(".crdownload", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".partial", StringComparison.OrdinalIgnoreCase);
}
