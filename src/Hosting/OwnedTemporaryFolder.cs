using System.Runtime.InteropServices;

namespace Annotate.Hosting;

/// <summary>
/// A temporary folder owned by one process and deleted with everything in it when its owner is done with it, even when
/// the owner was killed: the owner holds a lock file beside the folder (<c>&lt;folder&gt;.lock</c>, opened with no sharing,
/// an advisory lock on Unix, which the system lets go of when the process ends), so <see cref="Sweep"/>, run by the next
/// process that starts, can tell the folders of processes that are gone (nobody holds their lock) from those of
/// processes still running. A pipeline child's folder (its TMPDIR) and a host's own folder for staged sources, parts
/// and reviewed downloads are such folders: copies of the users' documents do not stay in the system's temporary folder.
/// </summary>
public sealed class OwnedTemporaryFolder : IDisposable
{
    private const string LockSuffix = ".lock";

    /// <summary>Names tried when a sweep of another process takes a lock file as it is made.</summary>
    private const int Attempts = 3;

    private readonly FileStream _lock;
    private readonly string _lockPath;
    private int _disposed;

    private OwnedTemporaryFolder(string path, string lockPath, FileStream held)
    {
        FullPath = path;
        _lockPath = lockPath;
        _lock = held;
    }

    /// <summary>The folder.</summary>
    public string FullPath { get; }

    /// <summary>
    /// Creates a fresh folder <paramref name="prefix"/>&lt;id&gt; in <paramref name="root"/>: the lock file first, held
    /// with no sharing, then the folder, so a folder whose lock file is missing or free belongs to no one.
    /// </summary>
    public static OwnedTemporaryFolder Create(string root, string prefix)
    {
        Directory.CreateDirectory(root);
        for (var attempt = 1; ; attempt++)
        {
            var path = Path.Combine(Path.GetFullPath(root), prefix + Guid.NewGuid().ToString("N"));
            var lockPath = path + LockSuffix;
            FileStream held;
            try
            {
                held = new FileStream(lockPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (attempt < Attempts)
            {
                // On Unix the file is made, then locked: a sweep in between may hold it (and delete it) as a dead owner's.
                continue;
            }
            // Or the sweep deleted it before the lock was taken, which is then on a file no longer there.
            if (!File.Exists(lockPath))
            {
                held.Dispose();
                if (attempt < Attempts)
                {
                    continue;
                }
                throw new IOException($"The lock file of a temporary folder in '{root}' was deleted as it was made, {Attempts} times.");
            }
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
            return new OwnedTemporaryFolder(path, lockPath, held);
        }
    }

    /// <summary>
    /// The variables that make the folder the temporary folder of a process started with them: TMPDIR, which .NET and
    /// native code read on Unix, and TMP and TEMP, which they read on Windows.
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
    /// Removes from <paramref name="root"/> the folders named <paramref name="prefix"/>… whose owner is gone: each one
    /// whose lock file is missing or held by no one, and each free lock file without a folder. Folders still owned (their
    /// lock is held, by this process or another on the machine), links and what cannot be deleted are left. Returns how
    /// many folders were removed.
    /// </summary>
    public static int Sweep(string root, string prefix)
    {
        if (!Directory.Exists(root))
        {
            return 0;
        }
        var removed = 0;
        foreach (var entry in SafeEnumerate(root, prefix))
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
                // A lock file whose folder was deleted by an owner that died before it deleted the lock, or was never made.
                using var free = TryTake(entry.FullName);
            }
        }
        return removed;
    }

    private static IEnumerable<FileSystemInfo> SafeEnumerate(string root, string prefix)
    {
        try
        {
            return [.. new DirectoryInfo(root).EnumerateFileSystemInfos(prefix + "*")];
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
        // Held: its owner is running. Free: the lock file goes when it is closed, after the folder.
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
