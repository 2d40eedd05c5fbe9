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
    long? TokensOut = null);
