using System.Runtime.InteropServices;

namespace Annotate.Annotators.Embeddings;

/// <summary>
/// Pins glibc's mmap threshold so the encoder's large tensors (or, with its memory arena, the arena's regions, freed
/// when the arena shrinks after a batch) are mapped on their own and given back to the system when freed. glibc raises
/// the threshold each time a mapped block is freed (up to 32 MiB), after which tensors come from the heap arenas and
/// their pages stay resident: the encoder's peak then stays in the working set.
/// </summary>
internal static class NativeHeap
{
    /// <summary>Blocks at least this large are mapped on their own: glibc's own starting threshold (128 KiB).</summary>
    public const int MapThresholdBytes = 128 * 1024;

    private const int MmapThreshold = -3; // M_MMAP_THRESHOLD in malloc.h

    private static int _pinned;

    /// <summary>Pins the threshold once per process; does nothing off glibc (musl ignores it, other systems lack it).</summary>
    public static void PinMapThreshold()
    {
        if (!OperatingSystem.IsLinux() || Interlocked.Exchange(ref _pinned, 1) == 1)
        {
            return;
        }
        try
        {
            _ = NativeMethods.mallopt(MmapThreshold, MapThresholdBytes);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc: its allocator gives large blocks back on its own terms.
        }
    }

    private static class NativeMethods
    {
        [DllImport("libc", CallingConvention = CallingConvention.Cdecl)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int mallopt(int parameter, int value);
    }
}
