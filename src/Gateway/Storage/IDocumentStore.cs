namespace Annotate.Gateway.Storage;

/// <summary>Durable record of every document's state; SQLite in one-process mode.</summary>
public interface IDocumentStore
{
    /// <summary>Creates the schema if needed.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>Inserts a new document, or does nothing when the id exists (events may arrive twice).</summary>
    Task<bool> TryAddAsync(DocumentRecord record, CancellationToken cancellationToken);

    /// <summary>Finds a document.</summary>
    Task<DocumentRecord?> FindAsync(string id, CancellationToken cancellationToken);

    /// <summary>The most recent documents, newest first.</summary>
    Task<IReadOnlyList<DocumentRecord>> ListAsync(int limit, CancellationToken cancellationToken);

    /// <summary>Documents in the given states, oldest first.</summary>
    Task<IReadOnlyList<DocumentRecord>> ListByStateAsync(IReadOnlyCollection<DocumentState> states, CancellationToken cancellationToken);

    /// <summary>The newest completed document with this content and profile, if any.</summary>
    Task<DocumentRecord?> FindCompletedAsync(string sha256, string? profile, CancellationToken cancellationToken);

    /// <summary>Marks a document Processing, unless it already finished (events may arrive late or twice).</summary>
    Task MarkProcessingAsync(string id, DateTimeOffset startedAt, int attempt, CancellationToken cancellationToken);

    /// <summary>Marks a document Completed with its outputs.</summary>
    Task MarkCompletedAsync(string id, DocumentCompletion completion, CancellationToken cancellationToken);

    /// <summary>Marks a document Failed with a reason.</summary>
    Task MarkFailedAsync(string id, string reason, string message, bool retryable, DateTimeOffset failedAt, CancellationToken cancellationToken);
}
