using System.Runtime.InteropServices;

namespace Annotate.Hosting;

/// <summary>
/// Caps glibc's malloc arenas in a long-running host (issue 12, soak). glibc gives each thread that allocates native
/// memory (SQLite, OpenSSL, the runtime itself) an arena of its own, up to eight per core, and a freed block goes back to
/// its arena, not to the system: as thread-pool threads come and go over thousands of documents, each new one starts
/// another arena and the resident size creeps up (the one-process gateway: from 8 to 27 MiB of arenas over 3,000
/// documents, ten arenas). Two arenas, as <c>MALLOC_ARENA_MAX=2</c> gives, hold what the host's native allocations need
/// and stop the creep; the hosts' native work is light (the pipeline child, which runs the encoder and the model, keeps
/// glibc's default). A <c>MALLOC_ARENA_MAX</c> set in the environment wins: glibc has then read it already.
/// </summary>
public static class MallocArenas
{
    /// <summary>Arenas a host keeps, the main one included.</summary>
    public const int HostArenas = 2;

    private const int ArenaMax = -8; // M_ARENA_MAX in malloc.h

    /// <summary>
    /// Caps the arenas at <paramref name="arenas"/>; call it first thing in <c>Main</c>, before threads allocate: glibc
    /// reads the cap whenever it would make an arena, so arenas made before it stay, and no more are made after it.
    /// Returns true when glibc took the cap; false off Linux, off glibc (musl has no arenas to cap), or when
    /// <c>MALLOC_ARENA_MAX</c> is set.
    /// </summary>
    public static bool Limit(int arenas = HostArenas) => Limit(arenas, Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX"));

    /// <summary><see cref="Limit(int)"/> with the environment's <c>MALLOC_ARENA_MAX</c> given.</summary>
    internal static bool Limit(int arenas, string? environmentSetting)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(arenas, 1);
        if (!OperatingSystem.IsLinux() || !string.IsNullOrEmpty(environmentSetting))
        {
            return false;
        }
        try
        {
            return NativeMethods.mallopt(ArenaMax, arenas) == 1;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    private static class NativeMethods
    {
        [DllImport("libc", CallingConvention = CallingConvention.Cdecl)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int mallopt(int parameter, int value);
    }
}
