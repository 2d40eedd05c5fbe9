using System.Globalization;
using System.Runtime.InteropServices;

namespace Annotate.Annotators.Memory;

/// <summary>
/// Gives back the resident pages of a file the runtime mapped read-only, such as an assembly whose embedded resources
/// were read once (the sentence encoder's 86 MB model): the pages stay in the kernel's file cache, so a later read faults
/// them in again from memory, but they no longer count in the process's resident size.
/// </summary>
/// <remarks>
/// The runtime maps an IL-only assembly shared (<c>r--s</c>) but a ReadyToRun image, as the published images hold,
/// privately section by section, its embedded resources inside the executable section (<c>r-xp</c>: the encoder's
/// 89 MB of it). A private mapping may hold pages the process changed before it was made read-only (relocations):
/// dropping those would put the file's bytes back under the process. Such a mapping is left alone: only mappings that
/// cannot be written and whose <c>/proc/self/smaps</c> entry counts no anonymous (copied) page are advised; their pages
/// are the file's bytes, faulted in again (from the file cache) when next read or run.
/// </remarks>
internal static class MappedFilePages
{
    private const int MadviseRandom = 1;
    private const int MadviseDontNeed = 4;
    private static readonly System.Buffers.SearchValues<char> HexDigits = System.Buffers.SearchValues.Create("0123456789abcdef");

    /// <summary>
    /// Drops this process's resident pages of every mapping of <paramref name="path"/> that cannot be written and holds
    /// nothing but the file's bytes (shared, or private without a copied page) (Linux; elsewhere nothing); returns the bytes of the
    /// mappings advised.
    /// </summary>
    public static long DropResident(string path) =>
        string.IsNullOrEmpty(path) ? 0 : Drop(mapped => mapped == path);

    /// <summary>
    /// As <see cref="DropResident"/>, also for private mappings that may be written but never were (<c>Anonymous</c>
    /// 0), as ONNX Runtime maps a weights file (read and write, copy on write, and never writes it), and for a file
    /// deleted since it was mapped (<c>path (deleted)</c>). Only for a mapping whose owner never writes it: a page
    /// written between the check and the advice would be lost.
    /// </summary>
    public static long DropResidentUnwritten(string path) =>
        string.IsNullOrEmpty(path) ? 0 : Drop(mapped => mapped == path || mapped == path + " (deleted)", writablePrivate: true);

    /// <summary>
    /// As <see cref="DropResident"/>, for a file known by its name only, wherever it was loaded from: a native library
    /// (<c>libonnxruntime.so</c>) whose code a released engine no longer runs.
    /// </summary>
    public static long DropResidentNamed(string fileName) =>
        string.IsNullOrEmpty(fileName) || fileName.Contains('/', StringComparison.Ordinal)
            ? 0
            : Drop(mapped => mapped.EndsWith("/" + fileName, StringComparison.Ordinal));

    private static long Drop(Func<string, bool> matches, bool writablePrivate = false)
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }
        long advised = 0;
        try
        {
            foreach (var mapping in ReadOnlyMappings(matches, writablePrivate))
            {
                if (madvise((nint)mapping.Start, (nuint)(mapping.End - mapping.Start), MadviseDontNeed) == 0)
                {
                    advised += (long)(mapping.End - mapping.Start);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or OverflowException
            or DllNotFoundException or EntryPointNotFoundException)
        {
        }
        return advised;
    }

    /// <summary>
    /// Drops the resident pages of a mapping this process made itself, shared and read-only, from
    /// <paramref name="address"/> (the start of a page) for <paramref name="length"/> bytes (Linux; elsewhere nothing):
    /// its pages are the file's and are faulted in again from the file cache when next read. Returns the bytes advised.
    /// </summary>
    public static long DropResidentRange(nint address, long length)
    {
        if (!OperatingSystem.IsLinux() || address == 0 || length <= 0)
        {
            return 0;
        }
        var page = Environment.SystemPageSize;
        var bytes = (length + page - 1) / page * page;
        try
        {
            return madvise(address, (nuint)bytes, MadviseDontNeed) == 0 ? bytes : 0;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return 0;
        }
    }

    /// <summary>
    /// Advises random reads (<c>MADV_RANDOM</c>: no read-ahead when a page is faulted in) for the bytes
    /// [<paramref name="offset"/>, <paramref name="offset"/> + <paramref name="length"/>) of <paramref name="path"/> in
    /// every mapping of it (Linux; elsewhere nothing): a lookup table whose rows are read here and there. Returns the
    /// bytes advised.
    /// </summary>
    public static long AdviseRandom(string path, long offset, long length)
    {
        if (!OperatingSystem.IsLinux() || string.IsNullOrEmpty(path) || length <= 0)
        {
            return 0;
        }
        long advised = 0;
        var page = Environment.SystemPageSize;
        try
        {
            foreach (var line in File.ReadLines("/proc/self/maps"))
            {
                if (Header.Parse(line) is not { } header || header.Path != path)
                {
                    continue;
                }
                var (start, end, mapped) = ((long)header.Start, (long)header.End, header.Offset);
                // The file's bytes this mapping holds, cut to the table's, widened to whole pages.
                var from = Math.Max(offset, mapped) / page * page;
                var to = Math.Min(offset + length, mapped + (end - start));
                to = (to + page - 1) / page * page;
                if (to <= from)
                {
                    continue;
                }
                var address = start + (from - mapped);
                var bytes = Math.Min(to - from, end - address);
                if (bytes > 0 && madvise((nint)address, (nuint)bytes, MadviseRandom) == 0)
                {
                    advised += bytes;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or OverflowException
            or DllNotFoundException or EntryPointNotFoundException)
        {
        }
        return advised;
    }

    /// <summary>
    /// The mappings of the files <paramref name="matches"/> accepts (by path) without write permission that are safe to drop: shared ones, and private
    /// ones (read-only or read and execute, or with <paramref name="writablePrivate"/> read and write) whose <c>Anonymous</c>
    /// count is zero. Read in full before any is advised.
    /// </summary>
    private static List<(ulong Start, ulong End)> ReadOnlyMappings(Func<string, bool> matches, bool writablePrivate)
    {
        var found = new List<(ulong Start, ulong End)>();
        (ulong Start, ulong End)? current = null;
        foreach (var line in File.ReadLines("/proc/self/smaps"))
        {
            // A mapping's header, "start-end perms offset dev inode   path", then its "Key:   value kB" lines.
            if (IsHeader(line))
            {
                current = null;
                if (Header.Parse(line) is not { } header || !matches(header.Path)
                    || (header.Permissions is not ['r', '-', '-' or 'x', 's' or 'p'] && !(writablePrivate && header.Permissions is ['r', 'w', '-', 'p'])))
                {
                    continue;
                }
                if (header.Permissions[3] == 's')
                {
                    found.Add((header.Start, header.End));
                }
                else
                {
                    current = (header.Start, header.End);
                }
                continue;
            }
            if (current is { } mapping && line.StartsWith("Anonymous:", StringComparison.Ordinal))
            {
                if (long.Parse(line.AsSpan("Anonymous:".Length).Trim().TrimEnd("kB").Trim(), NumberStyles.None, CultureInfo.InvariantCulture) == 0)
                {
                    found.Add((mapping.Start, mapping.End));
                }
                current = null;
            }
        }
        return found;
    }

    /// <summary>A header line starts with the address range, "hex-hex ", which no "Key: value" line does.</summary>
    private static bool IsHeader(string line)
    {
        var dash = line.IndexOf('-', StringComparison.Ordinal);
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        return dash > 0 && space > dash + 1 && !line.AsSpan(0, dash).ContainsAnyExcept(HexDigits)
            && !line.AsSpan(dash + 1, space - dash - 1).ContainsAnyExcept(HexDigits);
    }

    /// <summary>A mapping's line in <c>/proc/self/maps</c> (and its header in <c>smaps</c>): "start-end perms offset dev inode   path".</summary>
    private readonly record struct Header(ulong Start, ulong End, string Permissions, long Offset, string Path)
    {
        /// <summary>The line's mapping; null for a line without a path (anonymous memory).</summary>
        public static Header? Parse(string line)
        {
            var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 6)
            {
                return null;
            }
            var range = fields[0].Split('-');
            return new Header(ulong.Parse(range[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                ulong.Parse(range[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture), fields[1],
                long.Parse(fields[2], NumberStyles.HexNumber, CultureInfo.InvariantCulture), fields[5]);
        }
    }

    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int madvise(nint address, nuint length, int advice);
}
