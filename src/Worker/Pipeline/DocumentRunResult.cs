using Annotate.Messages;

namespace Annotate.Worker.Pipeline;

/// <summary>What the worker publishes about an annotated document: its outputs, digest, timings and the settings used.</summary>
public sealed record DocumentRunResult
{
    /// <summary>Files written to the output folder.</summary>
    public required IReadOnlyList<OutputFile> Outputs { get; init; }

    /// <summary>The short summary carried by the event.</summary>
    public required AnnotationDigest Digest { get; init; }

    /// <summary>Time spent reading.</summary>
    public TimeSpan ReadTime { get; init; }

    /// <summary>Time spent annotating.</summary>
    public TimeSpan AnnotateTime { get; init; }

    /// <summary>Time spent writing outputs.</summary>
    public TimeSpan WriteTime { get; init; }

    /// <summary>Fingerprint of the profile applied.</summary>
    public required string ProfileFingerprint { get; init; }

    /// <summary>SHA-256 of the model the document was annotated with, or null when none was available.</summary>
    public string? ModelSha256 { get; init; }

    /// <summary>Prompt tokens the model read for the document.</summary>
    public long ModelTokensIn { get; init; }

    /// <summary>Tokens the model generated for the document.</summary>
    public long ModelTokensOut { get; init; }

    /// <summary>Files found inside the document and written to the request's parts folder, each with its child's id.</summary>
    public IReadOnlyList<Annotators.Documents.EmbeddedFile> Parts { get; init; } = [];
}
