using System.Runtime.InteropServices;

namespace Annotate.Annotators.Memory;

/// <summary>
/// glibc's allocator, tuned where Annotate's processes need it (both through <c>mallopt</c>; nothing off glibc: musl
/// ignores or lacks these, other systems have their own allocator).
/// </summary>
/// <remarks>
/// <para>
/// <b>The mmap threshold</b> (<see cref="PinMapThreshold"/>), pinned so the encoder's large tensors (or, with its memory
/// arena, the arena's regions, freed when the arena shrinks after a batch) are mapped on their own and given back to the
/// system when freed. glibc raises the threshold each time a mapped block is freed (up to 32 MiB), after which tensors
/// come from the heap arenas and their pages stay resident: the encoder's peak then stays in the working set.
/// </para>
/// <para>
/// <b>The arenas</b> (<see cref="LimitArenas(int)"/>), capped in a long-running host (issue 12, soak). glibc gives each
/// thread that allocates native memory (SQLite, OpenSSL, the runtime itself) an arena of its own, up to eight per core,
/// and a freed block goes back to its arena, not to the system: as thread-pool threads come and go over thousands of
/// documents, each new one starts another arena and the resident size creeps up (the one-process gateway: from 8 to
/// 27 MiB of arenas over 3,000 documents, ten arenas). Two arenas, as <c>MALLOC_ARENA_MAX=2</c> gives, hold what the
/// hosts' native allocations need and stop the creep; the hosts' native work is light (the pipeline child, which runs
/// the encoder and the model, keeps glibc's default). A <c>MALLOC_ARENA_MAX</c> set in the environment wins: glibc has
/// then read it already.
/// </para>
/// </remarks>
public static class NativeHeap
{
    /// <summary>Blocks at least this large are mapped on their own: glibc's own starting threshold (128 KiB).</summary>
    public const int MapThresholdBytes = 128 * 1024;

    /// <summary>Arenas a host keeps, the main one included.</summary>
    public const int HostArenas = 2;

    private const int MmapThreshold = -3; // M_MMAP_THRESHOLD in malloc.h
    private const int ArenaMax = -8; // M_ARENA_MAX in malloc.h

    private static int _pinned;

    /// <summary>Pins the mmap threshold once per process.</summary>
    internal static void PinMapThreshold()
    {
        if (Interlocked.Exchange(ref _pinned, 1) == 0)
        {
            _ = Mallopt(MmapThreshold, MapThresholdBytes);
        }
    }

    /// <summary>
    /// Caps the arenas at <paramref name="arenas"/>; call it first thing in <c>Main</c>, before threads allocate: glibc
    /// reads the cap whenever it would make an arena, so arenas made before it stay, and no more are made after it.
    /// Returns true when glibc took the cap; false off Linux, off glibc, or when <c>MALLOC_ARENA_MAX</c> is set.
    /// </summary>
    public static bool LimitArenas(int arenas = HostArenas) => LimitArenas(arenas, Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX"));

    /// <summary><see cref="LimitArenas(int)"/> with the environment's <c>MALLOC_ARENA_MAX</c> given.</summary>
    internal static bool LimitArenas(int arenas, string? environmentSetting)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(arenas, 1);
        return string.IsNullOrEmpty(environmentSetting) && Mallopt(ArenaMax, arenas);
    }

    /// <summary>glibc's <c>mallopt</c>; false when it refused the value or there is no glibc.</summary>
    private static bool Mallopt(int parameter, int value)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }
        try
        {
            return NativeMethods.mallopt(parameter, value) == 1;
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
