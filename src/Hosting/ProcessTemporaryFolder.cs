using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Annotate.Hosting;

/// <summary>
/// This process's own temporary folder (<c>annotate-process-&lt;id&gt;</c> in the system's temporary folder), made on
/// first use, for what a host keeps on disk for a moment: staged sources, the parts of a container, reviewed downloads.
/// It is deleted with everything in it when the process exits; a process killed before it could is cleaned up after by
/// the next one that starts (<see cref="OwnedTemporaryFolder.Sweep"/>), so copies of documents do not stay behind.
/// </summary>
public static class ProcessTemporaryFolder
{
    /// <summary>Start of the folder's name.</summary>
    public const string Prefix = "annotate-process-";

    private static readonly Lazy<OwnedTemporaryFolder> Folder = new(Create, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Folders of gone processes the making of this one removed, until <see cref="Prepare"/> reports them.</summary>
    private static int _removed;

    /// <summary>The folder (made, and the folders of processes that are gone removed, on first use).</summary>
    public static string FullPath => Folder.Value.FullPath;

    /// <summary>A new path in the folder, nothing made at it: <paramref name="prefix"/> and a fresh id.</summary>
    public static string NewPath(string prefix) => Path.Combine(FullPath, prefix + Guid.NewGuid().ToString("N"));

    /// <summary>
    /// Makes the folder if no use has yet (removing those of processes that are gone) and returns how many folders its
    /// making removed, once: a host calls it as it starts, so what a killed one left goes even if this one never stages
    /// a file, and says so in its log.
    /// </summary>
    public static int Prepare()
    {
        _ = Folder.Value;
        return Interlocked.Exchange(ref _removed, 0);
    }

    private static OwnedTemporaryFolder Create()
    {
        var root = Path.GetTempPath();
        Volatile.Write(ref _removed, OwnedTemporaryFolder.Sweep(root, Prefix));
        var folder = OwnedTemporaryFolder.Create(root, Prefix);
        // SIGTERM and a normal end both run it; a killed process leaves the folder to the next one's sweep.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => folder.Dispose();
        return folder;
    }
}

/// <summary>Prepares the process's temporary folder as the host starts (<see cref="ProcessTemporaryFolder.Prepare"/>).</summary>
internal sealed class ProcessTemporaryFolderPreparation(ILogger<ProcessTemporaryFolderPreparation> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (ProcessTemporaryFolder.Prepare() is > 0 and var removed)
        {
            logger.LogInformation("Removed {Count} temporary folder(s) of Annotate processes that had been killed before they could", removed);
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
