using System.Globalization;
using Annotate.Annotators.Memory;

namespace Annotate.Worker.Isolation;

/// <summary>Reads a process's resident memory and gives the current process's unused memory back to the system.</summary>
internal static class ProcessMemory
{
    /// <summary>Resident memory in MiB of the process (<c>"self"</c> or a process id), or null when it cannot be read (<see cref="ResidentBytes"/>).</summary>
    public static long? ResidentMegabytes(string process = "self") => ResidentBytes(process) / (1024 * 1024);

    /// <summary>
    /// Resident memory in bytes of the process (<c>"self"</c> or a process id), or null when it cannot be read: the second
    /// field of <c>/proc/&lt;pid&gt;/statm</c> (resident pages, the figure <c>VmRSS</c> shows in <c>status</c>).
    /// </summary>
    public static long? ResidentBytes(string process = "self")
    {
        try
        {
            var statm = File.ReadAllText($"/proc/{process}/statm").AsSpan();
            var start = statm.IndexOf(' ') + 1;
            var length = statm[start..].IndexOf(' ');
            var pages = long.Parse(length < 0 ? statm[start..] : statm.Slice(start, length), CultureInfo.InvariantCulture);
            return pages * Environment.SystemPageSize;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or ArgumentOutOfRangeException)
        {
        }
        return null;
    }

    /// <summary>
    /// A full compacting collection (the large-object heap too), then, on Linux, <c>malloc_trim</c>: the native heap
    /// keeps what native libraries freed (an ONNX session, parser buffers) for reuse unless asked to give it back.
    /// </summary>
    public static void Compact()
    {
        ManagedHeap.Compact();
        if (OperatingSystem.IsLinux())
        {
            try
            {
                _ = NativeMethods.malloc_trim(0);
            }
            catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
            {
                // Not glibc (musl has no malloc_trim): what native libraries freed stays with the process.
            }
        }
    }
}
