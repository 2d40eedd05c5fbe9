using Annotate.Messages;

namespace Annotate.Gateway.Storage;

/// <summary>What is recorded when a document completes.</summary>
public sealed record DocumentCompletion(
    string OutputUri,
    IReadOnlyList<OutputFile> Outputs,
    AnnotationDigest Digest,
    StageTimings Timings,
    DateTimeOffset CompletedAt,
    string? DuplicateOf = null,
    string? ProfileFingerprint = null,
    string? ModelSha256 = null,
    long? TokensIn = null,
    long? TokensOut = null)
{
    /// <summary>
    /// When the work began, as the worker's own total time tells it: recorded for a document whose start event never
    /// arrived or came after its outcome, so a Completed document always has a start.
    /// </summary>
    public DateTimeOffset StartedAt => Timings.TotalMs > 0 ? CompletedAt - TimeSpan.FromMilliseconds(Timings.TotalMs) : CompletedAt;
}
