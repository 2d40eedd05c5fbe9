using System.Globalization;
using System.Runtime.InteropServices;

namespace Annotate.Annotators.Memory;

/// <summary>
/// Gives back the resident pages of a file the runtime mapped read-only and shared, such as an assembly whose embedded
/// resources were read once (the sentence encoder's 86 MB model): the pages stay in the kernel's file cache, so a later
/// read faults them in again from memory, but they no longer count in the process's resident size.
/// </summary>
internal static class MappedFilePages
{
    private const int MadviseDontNeed = 4;

    /// <summary>
    /// Drops this process's resident pages of every read-only shared mapping of <paramref name="path"/> (Linux; elsewhere
    /// nothing); returns the bytes of the mappings advised. Safe for such mappings: they hold nothing but the file's bytes.
    /// </summary>
    public static long DropResident(string path)
    {
        if (!OperatingSystem.IsLinux() || string.IsNullOrEmpty(path))
        {
            return 0;
        }
        long advised = 0;
        try
        {
            foreach (var line in File.ReadLines("/proc/self/maps"))
            {
                // "start-end perms offset dev inode   path"
                if (!line.EndsWith(path, StringComparison.Ordinal))
                {
                    continue;
                }
                var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 6 || fields[5] != path || fields[1] is not ['r', '-', _, 's'])
                {
                    continue;
                }
                var range = fields[0].Split('-');
                var start = ulong.Parse(range[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                var end = ulong.Parse(range[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                if (madvise((nint)start, (nuint)(end - start), MadviseDontNeed) == 0)
                {
                    advised += (long)(end - start);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or OverflowException
            or DllNotFoundException or EntryPointNotFoundException)
        {
        }
        return advised;
    }

    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int madvise(nint address, nuint length, int advice);
}
