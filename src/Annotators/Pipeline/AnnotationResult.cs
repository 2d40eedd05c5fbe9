using Annotate.Annotators.Annotations;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Writers;

namespace Annotate.Annotators.Pipeline;

/// <summary>The outcome of annotating one document.</summary>
public sealed record AnnotationResult
{
    /// <summary>The document as read.</summary>
    public required Document Document { get; init; }

    /// <summary>What the annotators found.</summary>
    public required AnnotationSet Annotations { get; init; }

    /// <summary>The profile applied.</summary>
    public required Profiles.AnnotationProfile Profile { get; init; }

    /// <summary>Files written to the output folder.</summary>
    public required IReadOnlyList<WrittenOutput> Outputs { get; init; }

    /// <summary>
    /// The files found inside the document and written to <see cref="AnnotationRequest.PartsDirectory"/>, each with the
    /// id of the document it becomes; empty for other formats, or when they were only listed.
    /// </summary>
    public IReadOnlyList<EmbeddedFile> Parts { get; init; } = [];

    /// <summary>Time spent reading.</summary>
    public TimeSpan ReadTime { get; init; }

    /// <summary>Time spent annotating.</summary>
    public TimeSpan AnnotateTime { get; init; }

    /// <summary>Time spent writing outputs.</summary>
    public TimeSpan WriteTime { get; init; }

    /// <summary>Prompt tokens the model read for this document (0 when no model call was made).</summary>
    public long ModelTokensIn { get; init; }

    /// <summary>Tokens the model generated for this document.</summary>
    public long ModelTokensOut { get; init; }
}
