using Annotate.Annotators.Readers;

namespace Annotate.Annotators.Pipeline;

/// <summary>One document to annotate.</summary>
public sealed record AnnotationRequest
{
    /// <summary>Identifier of the document (names the output folder).</summary>
    public required string DocumentId { get; init; }

    /// <summary>The bytes.</summary>
    public required DocumentSource Source { get; init; }

    /// <summary>Local folder the outputs go to; replaced as a whole when the document is annotated again.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>Profile name; the default profile when null.</summary>
    public string? Profile { get; init; }

    /// <summary>Reviewed examples of the profile, newest first; the model tasks show at most the profile's <see cref="Profiles.AnnotationProfile.FewShotExamples"/>.</summary>
    public IReadOnlyList<Annotations.ReviewedExample>? Examples { get; init; }

    /// <summary>Output kinds wanted; every applicable kind when null or empty.</summary>
    public IReadOnlyCollection<string>? Outputs { get; init; }

    /// <summary>Expected lowercase hex SHA-256 of the bytes, checked before reading.</summary>
    public string? ExpectedSha256 { get; init; }

    /// <summary>
    /// Lowercase hex SHA-256 the caller already computed from these very bytes (the worker hashes what it stages), so the
    /// pipeline does not read a large file once more just to hash it. Null: the pipeline hashes the source itself.
    /// </summary>
    public string? SourceSha256 { get; init; }

    /// <summary>
    /// A local folder the files found inside the document (an e-mail's attachments, a ZIP archive's entries) are written
    /// to, each to become a document of its own (<see cref="AnnotationResult.Parts"/>); null: they are only listed.
    /// </summary>
    public string? PartsDirectory { get; init; }

    /// <summary>How deep the document sits inside other documents: 0 when sent on its own, 1 for an attachment of it…</summary>
    public int Depth { get; init; }

    /// <summary>The id of the document this one was found inside; null for a document sent on its own.</summary>
    public string? ParentDocumentId { get; init; }

    /// <summary>
    /// Told, on the pipeline's own thread, when each stage starts and finishes; null for nobody. Must be quick and must
    /// not throw (the pipeline child uses it to report progress to the worker).
    /// </summary>
    public IProgress<PipelineProgress>? Progress { get; init; }
}
