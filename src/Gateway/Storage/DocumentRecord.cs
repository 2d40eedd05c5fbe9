using Annotate.Messages;

namespace Annotate.Gateway.Storage;

/// <summary>What the gateway knows of one document.</summary>
public sealed record DocumentRecord
{
    public required string Id { get; init; }
    public required string FileName { get; init; }
    public required string Channel { get; init; }
    public DocumentState State { get; init; }
    public string? Profile { get; init; }
    public string? SourceUri { get; init; }
    public string? OutputUri { get; init; }
    public string? Sha256 { get; init; }
    public long SizeBytes { get; init; }
    public string? Reason { get; init; }
    public string? Message { get; init; }
    public bool Retryable { get; init; }
    public string? CorrelationId { get; init; }
    public string? DuplicateOf { get; init; }
    public string? ProfileFingerprint { get; init; }
    public string? ModelSha256 { get; init; }
    public int Attempts { get; init; }
    /// <summary>How often the document was handed to a worker (counted before each hand-over).</summary>
    public int Dispatches { get; init; }
    public DateTimeOffset ReceivedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    /// <summary>When the document was last handed to a worker.</summary>
    public DateTimeOffset? DispatchedAt { get; init; }
    /// <summary>When retention deleted its bytes and outputs (the record stays; downloads answer 410).</summary>
    public DateTimeOffset? PurgedAt { get; init; }
    /// <summary>When a person last reviewed its annotations (<c>annotations.reviewed.json</c>); null when never.</summary>
    public DateTimeOffset? ReviewedAt { get; init; }
    public StageTimings? Timings { get; init; }
    public AnnotationDigest? Digest { get; init; }
    public IReadOnlyList<OutputFile> Outputs { get; init; } = [];
    /// <summary>
    /// Who the document belongs to: the tenant of the API key that uploaded it, or <see cref="Tenants.Default"/> for the
    /// inbox, messages and uploads without keys. The API shows a tenant only its own documents.
    /// </summary>
    public string Tenant { get; init; } = Tenants.Default;
    /// <summary>Prompt tokens the model read for it, when the worker said (<c>DocumentAnnotated.ModelTokensIn</c>).</summary>
    public long? TokensIn { get; init; }
    /// <summary>Tokens the model generated for it, when the worker said.</summary>
    public long? TokensOut { get; init; }
    /// <summary>The document it was found inside (an e-mail's attachment, an archive's entry); null for one sent on its own.</summary>
    public string? ParentId { get; init; }
    /// <summary>How deep it sits inside other documents: 0 when sent on its own, 1 for an attachment of it…</summary>
    public int Depth { get; init; }
}
