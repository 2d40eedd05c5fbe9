namespace Annotate.Annotators.Memory;

/// <summary>
/// Something the engine loads on first use and can give back while no document uses it (a model, a native session):
/// a long-running process releases it when idle, and the next document loads it again.
/// </summary>
public interface IReleasableWhenIdle
{
    /// <summary>Short name for logs and reports (<c>sentence-encoder</c>, <c>language-detector</c>).</summary>
    string ReleaseName { get; }

    /// <summary>Gives back what is loaded when nothing uses it; true when something was released.</summary>
    bool TryRelease();

    /// <summary>
    /// Before a large table (a workbook or CSV file of at least <c>Annotate:Readers:LargeTableBytes</c>) is read, gives
    /// back what such a table does without, so that its rows have the memory; true when something was given back.
    /// Nothing unless the implementation says otherwise.
    /// </summary>
    bool ReleaseBeforeLargeTable() => false;

    /// <summary>
    /// Gives back, without unloading, resident pages that can be read again from the kernel's file cache at little cost
    /// (a mapped file's that the process never changed): the next use faults in only what it reads. Returns the bytes
    /// of the mappings advised; nothing unless the implementation says otherwise.
    /// </summary>
    long TrimResident() => 0;
}
