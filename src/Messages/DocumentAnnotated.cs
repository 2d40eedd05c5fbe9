namespace Annotate.Messages;

/// <summary>Event: a document was annotated and its outputs were written.</summary>
public sealed record DocumentAnnotated
{
    /// <summary>Identifier of the document.</summary>
    public required string DocumentId { get; init; }

    /// <summary>Original file name.</summary>
    public string? FileName { get; init; }

    /// <summary>Folder holding the outputs (absolute path or URI).</summary>
    public required string OutputUri { get; init; }

    /// <summary>The files written to <see cref="OutputUri"/>.</summary>
    public IReadOnlyList<OutputFile> Outputs { get; init; } = [];

    /// <summary>A short digest of what was found.</summary>
    public required AnnotationDigest Digest { get; init; }

    /// <summary>How long each stage took.</summary>
    public required StageTimings Timings { get; init; }

    /// <summary>Fingerprint of the profile the document was annotated with (changes when the profile's settings change).</summary>
    public string? ProfileFingerprint { get; init; }

    /// <summary>Lowercase hex SHA-256 of the GGUF model file used, or null when no model was used.</summary>
    public string? ModelSha256 { get; init; }

    /// <summary>
    /// When the same content had already been annotated with the same profile settings and model: the id of that
    /// document, whose outputs were copied instead of annotating again. Null otherwise.
    /// </summary>
    public string? DuplicateOf { get; init; }

    /// <summary>
    /// Prompt tokens the language model read for this document, all its calls together; null when the model was not
    /// called (no model, a profile without model tasks, a duplicate) or the worker predates this field.
    /// </summary>
    public long? ModelTokensIn { get; init; }

    /// <summary>Tokens the language model generated for this document; null as for <see cref="ModelTokensIn"/>.</summary>
    public long? ModelTokensOut { get; init; }

    /// <summary>
    /// Files found inside the document (an e-mail's attachments, a ZIP archive's entries), each stored to be annotated as a
    /// document of its own, linked to this one; null when there are none (or the worker predates this field).
    /// </summary>
    public IReadOnlyList<DocumentPart>? Parts { get; init; }

    /// <summary>Correlation identifier copied from the command.</summary>
    public string? CorrelationId { get; init; }

    /// <summary>When annotation completed (ISO-8601).</summary>
    public DateTimeOffset CompletedAt { get; init; }
}
