namespace Annotate.Messages;

/// <summary>Event: a worker began annotating a document (the document is now Processing).</summary>
public sealed record DocumentAnnotationStarted
{
    /// <summary>Identifier of the document.</summary>
    public required string DocumentId { get; init; }

    /// <summary>Original file name.</summary>
    public string? FileName { get; init; }

    /// <summary>Where the bytes are.</summary>
    public string? SourceUri { get; init; }

    /// <summary>Profile applied.</summary>
    public string? Profile { get; init; }

    /// <summary>Name of the worker host that took the document.</summary>
    public string? Worker { get; init; }

    /// <summary>Delivery attempt, 1 for the first (redeliveries and retries count up).</summary>
    public int Attempt { get; init; } = 1;

    /// <summary>Correlation identifier copied from the command.</summary>
    public string? CorrelationId { get; init; }

    /// <summary>When annotation started (ISO-8601).</summary>
    public DateTimeOffset StartedAt { get; init; }
}
