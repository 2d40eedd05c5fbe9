namespace Annotate.Messages;

/// <summary>Event: a document was accepted for annotation and an <see cref="AnnotateDocument"/> command was sent for it.</summary>
public sealed record DocumentReceived
{
    /// <summary>Identifier of the document.</summary>
    public required string DocumentId { get; init; }

    /// <summary>Original file name.</summary>
    public required string FileName { get; init; }

    /// <summary>Where the stored bytes are.</summary>
    public required string SourceUri { get; init; }

    /// <summary>How it arrived: <c>inbox</c> (watched folder), <c>upload</c> (HTTP) or <c>message</c>.</summary>
    public required string Channel { get; init; }

    /// <summary>Size of the document in bytes.</summary>
    public long SizeBytes { get; init; }

    /// <summary>Lowercase hex SHA-256 of the bytes, when known.</summary>
    public string? ContentSha256 { get; init; }

    /// <summary>Profile requested for the document, if any.</summary>
    public string? Profile { get; init; }

    /// <summary>Correlation identifier copied from the submission.</summary>
    public string? CorrelationId { get; init; }

    /// <summary>When the document was received (ISO-8601).</summary>
    public DateTimeOffset ReceivedAt { get; init; }
}
