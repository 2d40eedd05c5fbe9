namespace Annotate.Messages;

/// <summary>Event: a document could not be annotated.</summary>
public sealed record DocumentAnnotationFailed
{
    /// <summary>Identifier of the document.</summary>
    public required string DocumentId { get; init; }

    /// <summary>Original file name.</summary>
    public string? FileName { get; init; }

    /// <summary>
    /// Machine-readable reason: <c>empty</c>, <c>unknown-format</c>, <c>unsupported-format</c>, <c>corrupt</c>,
    /// <c>encrypted</c>, <c>too-large</c>, <c>source-missing</c>, <c>checksum-mismatch</c>, <c>invalid-request</c>,
    /// <c>model-unavailable</c>, <c>model-timeout</c>, <c>model-invalid-output</c>, <c>timeout</c>, <c>cancelled</c> or <c>internal</c>.
    /// </summary>
    public required string Reason { get; init; }

    /// <summary>Human-readable explanation naming the file and what is wrong with it.</summary>
    public required string Message { get; init; }

    /// <summary>True when sending the same command again later may succeed (e.g. the model was unavailable).</summary>
    public bool Retryable { get; init; }

    /// <summary>Correlation identifier copied from the command.</summary>
    public string? CorrelationId { get; init; }

    /// <summary>When the failure was recorded (ISO-8601).</summary>
    public DateTimeOffset FailedAt { get; init; }
}
