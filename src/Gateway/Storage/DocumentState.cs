namespace Annotate.Gateway.Storage;

/// <summary>Where a document is in its life.</summary>
public enum DocumentState
{
    /// <summary>Accepted and queued.</summary>
    Received,
    /// <summary>A worker is annotating it.</summary>
    Processing,
    /// <summary>Annotated; outputs are in the outbox.</summary>
    Completed,
    /// <summary>Could not be annotated; see the reason.</summary>
    Failed,
}
