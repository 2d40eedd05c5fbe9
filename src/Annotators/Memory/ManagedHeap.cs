using System.Runtime;

namespace Annotate.Annotators.Memory;

/// <summary>Gives the managed heap's free space back to the system.</summary>
public static class ManagedHeap
{
    /// <summary>
    /// A full, blocking, compacting collection of every generation and the large-object heap, which also decommits what
    /// it frees: after a release of large cached objects (language models) their space is otherwise kept committed for
    /// reuse, and a document that needs the memory grows the process past it.
    /// </summary>
    public static void Compact()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }
}
