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
    /// Whether a large table (a workbook or CSV file of at least <c>Annotate:Readers:LargeTableBytes</c>) does without
    /// most of what this holds, so that it is given back before such a table is read: the table's rows then have the
    /// memory. False unless the implementation says otherwise.
    /// </summary>
    bool ReleaseBeforeLargeTable => false;
}
