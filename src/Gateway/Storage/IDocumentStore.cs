namespace Annotate.Gateway.Storage;

/// <summary>Durable record of every document's state: SQLite in one-process mode, PostgreSQL when gateways share it.</summary>
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

    /// <summary>Marks a document Processing, unless it already finished (events may arrive late or twice). True when the record changed.</summary>
    Task<bool> MarkProcessingAsync(string id, DateTimeOffset startedAt, int attempt, CancellationToken cancellationToken);

    /// <summary>Marks a document Completed with its outputs, unless it already finished. True when the record changed.</summary>
    Task<bool> MarkCompletedAsync(string id, DocumentCompletion completion, CancellationToken cancellationToken);

    /// <summary>Marks a document Failed with a reason, unless it already finished. True when the record changed.</summary>
    Task<bool> MarkFailedAsync(string id, string reason, string message, bool retryable, DateTimeOffset failedAt, CancellationToken cancellationToken);

    /// <summary>Records where a document's bytes are and their hash, once intake has them. True when the record changed.</summary>
    Task<bool> SetContentAsync(string id, string sourceUri, string sha256, long sizeBytes, CancellationToken cancellationToken);

    /// <summary>Counts one more hand-over of an unfinished document to a worker, before it is sent; the new count, or null when the document is finished or unknown.</summary>
    Task<int?> CountDispatchAsync(string id, CancellationToken cancellationToken);

    /// <summary>Removes an unfinished document whose intake never completed. True when a record was removed.</summary>
    Task<bool> DeleteAsync(string id, CancellationToken cancellationToken);
}
