using System.Runtime.InteropServices;

namespace Annotate.Worker.Isolation;

/// <summary>The few libc calls process supervision needs (Linux and macOS); callers fall back when they are missing.</summary>
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
}
