using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace Annotate.Worker.Isolation;

/// <summary>
/// A pipeline child's own temporary folder, given to it as its TMPDIR (TMP and TEMP on Windows): whatever it and the
/// programs it starts put in their temporary folder (spilled rows and shared strings, the sentence encoder's model copy,
/// the warm-up's files, OCR pages) goes with the folder when the child exits, however it ends; a child killed in the
/// middle of a large workbook no longer leaves its files behind. The worker holds a lock file beside the folder for the
/// child's life, so a worker that starts can tell the folders of children whose worker was killed before it could delete
/// them (nobody holds their lock) from those of children still running, and <see cref="Sweep"/> removes them.
/// </summary>
internal sealed class ChildTemporaryFolder : IDisposable
{
    /// <summary>Start of the name of every child's folder (and, with <see cref="LockSuffix"/>, of its lock file).</summary>
    internal const string Prefix = "annotate-child-";

    private const string LockSuffix = ".lock";

    private readonly FileStream _lock;
    private readonly string _lockPath;
    private int _disposed;

    private ChildTemporaryFolder(string path, string lockPath, FileStream held)
    {
        FullPath = path;
        _lockPath = lockPath;
        _lock = held;
    }

    /// <summary>The folder.</summary>
    public string FullPath { get; }

    /// <summary>
    /// Creates a fresh folder in <paramref name="root"/>: the lock file first, held with no sharing (an advisory lock on
    /// Unix), then the folder, so a folder whose lock file is missing or free belongs to no one.
    /// </summary>
    public static ChildTemporaryFolder Create(string root)
    {
        Directory.CreateDirectory(root);
        var path = Path.Combine(Path.GetFullPath(root), Prefix + Guid.NewGuid().ToString("N"));
        var lockPath = path + LockSuffix;
        var held = new FileStream(lockPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
        try
        {
            Directory.CreateDirectory(path);
        }
        catch
        {
            held.Dispose();
            File.Delete(lockPath);
            throw;
        }
        return new ChildTemporaryFolder(path, lockPath, held);
    }

    /// <summary>
    /// The variables that make the folder the child's temporary folder: TMPDIR, which .NET and native code read on
    /// Unix, and TMP and TEMP, which they read on Windows.
    /// </summary>
    public IEnumerable<KeyValuePair<string, string>> Environment()
    {
        var withSeparator = Path.EndsInDirectorySeparator(FullPath) ? FullPath : FullPath + Path.DirectorySeparatorChar;
        return RuntimeInformation.IsOSPlatform(OSPlatform.Windows)
            ? [new("TMP", FullPath), new("TEMP", FullPath)]
            : [new("TMPDIR", withSeparator)];
    }

    /// <summary>Deletes the folder with everything in it, then its lock file; a folder that cannot be deleted now keeps a free lock file, for the next sweep.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        var deleted = TryDelete(FullPath);
        _lock.Dispose();
        if (deleted)
        {
            TryDeleteFile(_lockPath);
        }
    }

    /// <summary>
    /// Removes from <paramref name="root"/> the folders of children whose worker is gone: each folder whose lock file is
    /// missing or held by no one, and each free lock file without a folder. Folders of running children (their lock is
    /// held, by this worker or another on the machine), links and what cannot be deleted are left. Returns how many
    /// folders were removed.
    /// </summary>
    public static int Sweep(string root, ILogger logger)
    {
        if (!Directory.Exists(root))
        {
            return 0;
        }
        var removed = 0;
        foreach (var entry in SafeEnumerate(root))
        {
            if ((entry.Attributes & FileAttributes.ReparsePoint) != 0)
            {
                continue;
            }
            if (entry is DirectoryInfo folder)
            {
                if (SweepFolder(folder))
                {
                    removed++;
                }
            }
            else if (entry.Name.EndsWith(LockSuffix, StringComparison.Ordinal) && !Directory.Exists(entry.FullName[..^LockSuffix.Length]))
            {
                // A lock file whose folder was deleted by a worker that died before it deleted the lock, or was never made.
                using var free = TryTake(entry.FullName);
            }
        }
        if (removed > 0)
        {
            logger.LogInformation("Removed {Count} temporary folder(s) of pipeline children whose worker had stopped before it could remove them", removed);
        }
        return removed;
    }

    private static IEnumerable<FileSystemInfo> SafeEnumerate(string root)
    {
        try
        {
            return [.. new DirectoryInfo(root).EnumerateFileSystemInfos(Prefix + "*")];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static bool SweepFolder(DirectoryInfo folder)
    {
        var lockPath = folder.FullName + LockSuffix;
        if (!File.Exists(lockPath))
        {
            // The lock file is made before the folder and deleted after it: a folder without one belongs to no one.
            return TryDelete(folder.FullName);
        }
        using var free = TryTake(lockPath);
        // Held: its child is running. Free: the lock file goes when it is closed, after the folder.
        return free is not null && TryDelete(folder.FullName);
    }

    /// <summary>Opens a lock file no one holds, to be deleted when closed; null when someone holds it (or it is gone).</summary>
    private static FileStream? TryTake(string lockPath)
    {
        try
        {
            return new FileStream(lockPath, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static bool TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
            return true;
        }
        catch (DirectoryNotFoundException)
        {
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static void TryDeleteFile(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }
}
