using System.Runtime.InteropServices;

namespace Annotate.Worker.Isolation;

/// <summary>The few libc calls process supervision needs (Linux and macOS; <c>malloc_trim</c> glibc only); callers fall back when they are missing.</summary>
internal static partial class NativeMethods
{
    /// <summary>SIGKILL.</summary>
    public const int SigKill = 9;

    [LibraryImport("libc", SetLastError = true)]
    public static partial int setpgid(int pid, int pgid);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int kill(int pid, int signal);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int dup(int fd);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int dup2(int oldFd, int newFd);

    [LibraryImport("libc")]
    public static partial void abort();

    /// <summary>glibc only: returns the free memory at the top of the heap and in free pages of every arena to the system.</summary>
    [LibraryImport("libc")]
    public static partial int malloc_trim(nuint pad);
}
