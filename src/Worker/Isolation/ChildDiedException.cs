namespace Annotate.Worker.Isolation;

/// <summary>The pipeline child a document was sent to died (or was killed) before it answered.</summary>
public sealed class ChildDiedException(string reason, string message) : Exception(message)
{
    /// <summary>Why it died, as a <see cref="Annotators.Pipeline.FailureReason"/>: crashed, out-of-memory or timeout.</summary>
    public string Reason { get; } = reason;

    /// <summary>The stage the document was in when its child died, as the child last reported it (null before its first report).</summary>
    public string? Stage { get; init; }
}
