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

    /// <summary>The most recent documents of one tenant, newest first.</summary>
    Task<IReadOnlyList<DocumentRecord>> ListForTenantAsync(string tenant, int limit, CancellationToken cancellationToken);

    /// <summary>The documents found inside document <paramref name="parentId"/> (its attachments, its archive's entries), in the order they were received.</summary>
    Task<IReadOnlyList<DocumentRecord>> ListChildrenAsync(string parentId, int limit, CancellationToken cancellationToken);

    /// <summary>Documents in the given states, oldest first.</summary>
    Task<IReadOnlyList<DocumentRecord>> ListByStateAsync(IReadOnlyCollection<DocumentState> states, CancellationToken cancellationToken);

    /// <summary>The newest completed document with this content and profile, if any.</summary>
    Task<DocumentRecord?> FindCompletedAsync(string sha256, string? profile, CancellationToken cancellationToken);

    /// <summary>
    /// The first document received (not purged, not itself waiting on another) of <paramref name="tenant"/> and
    /// <paramref name="profile"/> (null is <c>default</c>) with this content that Completed or is still in flight, received
    /// before document <paramref name="id"/> (<paramref name="receivedAt"/>; at the same instant, with a smaller id); null
    /// when there is none. Only earlier documents count, so two copies arriving together never wait for each other.
    /// </summary>
    Task<DocumentRecord?> FindEarliestCopyAsync(string sha256, string tenant, string? profile, string id, DateTimeOffset receivedAt, CancellationToken cancellationToken);

    /// <summary>Records (or, with null, forgets) that a document not yet handed over waits for the earlier document it duplicates. True when the record changed.</summary>
    Task<bool> SetDuplicateOfAsync(string id, string? earlierId, CancellationToken cancellationToken);

    /// <summary>Documents still Received that wait for <paramref name="earlierId"/> (see <see cref="SetDuplicateOfAsync"/>), oldest first, at most 1,000.</summary>
    Task<IReadOnlyList<DocumentRecord>> ListWaitingDuplicatesAsync(string earlierId, CancellationToken cancellationToken);

    /// <summary>
    /// Counts that a worker reported starting a document, whatever its state (its outcome may have overtaken the report):
    /// raises the attempts to <paramref name="attempt"/> when no start was counted yet. True only for the first report, so a
    /// queue wait is measured once even when the report arrives after the outcome or twice.
    /// </summary>
    Task<bool> TryCountFirstStartAsync(string id, int attempt, CancellationToken cancellationToken);

    /// <summary>Marks a document Processing, unless it already finished (events may arrive late or twice). True when the record changed.</summary>
    Task<bool> MarkProcessingAsync(string id, DateTimeOffset startedAt, int attempt, CancellationToken cancellationToken);

    /// <summary>Marks a document Completed with its outputs, unless it already finished. True when the record changed.</summary>
    Task<bool> MarkCompletedAsync(string id, DocumentCompletion completion, CancellationToken cancellationToken);

    /// <summary>Marks a document Failed with a reason, unless it already finished. True when the record changed.</summary>
    Task<bool> MarkFailedAsync(string id, string reason, string message, bool retryable, DateTimeOffset failedAt, CancellationToken cancellationToken);

    /// <summary>Records where a document's bytes are and their hash, once intake has them. True when the record changed.</summary>
    Task<bool> SetContentAsync(string id, string sourceUri, string sha256, long sizeBytes, CancellationToken cancellationToken);

    /// <summary>
    /// Counts one more hand-over of an unfinished document to a worker, before it is sent, and records when; the new
    /// count, or null when the document is finished or unknown, or when <paramref name="expectedDispatches"/> is given and
    /// the count is no longer that (someone else handed it over meanwhile).
    /// </summary>
    Task<int?> CountDispatchAsync(string id, DateTimeOffset dispatchedAt, int? expectedDispatches, CancellationToken cancellationToken);

    /// <summary>
    /// Documents handed to a worker and not heard of since <paramref name="lastActivityBefore"/>: Processing, or Received
    /// with at least one dispatch, whose latest start or dispatch (or receipt, when neither is known) is older. Oldest first.
    /// </summary>
    Task<IReadOnlyList<DocumentRecord>> ListStuckAsync(DateTimeOffset lastActivityBefore, int limit, CancellationToken cancellationToken);

    /// <summary>Finished documents (Completed or Failed) not yet purged that finished before <paramref name="finishedBefore"/>, oldest first.</summary>
    Task<IReadOnlyList<DocumentRecord>> ListPurgeableAsync(DateTimeOffset finishedBefore, int limit, CancellationToken cancellationToken);

    /// <summary>Records that a finished document's bytes and outputs were deleted. True when the record changed (finished and not purged before).</summary>
    Task<bool> MarkPurgedAsync(string id, DateTimeOffset purgedAt, CancellationToken cancellationToken);

    /// <summary>Notes that a person reviewed the completed document at <paramref name="reviewedAt"/>; false when it is not completed or not found.</summary>
    Task<bool> MarkReviewedAsync(string id, DateTimeOffset reviewedAt, CancellationToken cancellationToken);

    /// <summary>
    /// Recomputes the per-minute counts of the minutes from <paramref name="from"/> to <paramref name="to"/> (both rounded
    /// down to the minute, <paramref name="to"/> excluded) from the documents, replacing what was stored for them: safe to
    /// run twice, or concurrently.
    /// </summary>
    Task RollUpThroughputAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);

    /// <summary>
    /// The stored per-minute counts from <paramref name="from"/> to <paramref name="to"/> (excluded), oldest first, one row
    /// per minute and tenant; only <paramref name="tenant"/>'s when given, every tenant's when null. Minutes with nothing are absent.
    /// </summary>
    Task<IReadOnlyList<ThroughputMinute>> ListThroughputAsync(DateTimeOffset from, DateTimeOffset to, string? tenant, CancellationToken cancellationToken);

    /// <summary>Every tenant's per-minute counts (see the overload with a tenant).</summary>
    Task<IReadOnlyList<ThroughputMinute>> ListThroughputAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        ListThroughputAsync(from, to, null, cancellationToken);

    /// <summary>How many documents are in flight (Received or Processing): <paramref name="tenant"/>'s, or every tenant's when null.</summary>
    Task<int> CountUnfinishedAsync(string? tenant, CancellationToken cancellationToken);

    /// <summary>How many documents of every tenant are in flight.</summary>
    Task<int> CountUnfinishedAsync(CancellationToken cancellationToken) => CountUnfinishedAsync(null, cancellationToken);

    /// <summary>
    /// Milliseconds from receipt to completion of the documents completed from <paramref name="from"/> to <paramref name="to"/>
    /// (excluded), the most recent <paramref name="limit"/> of them, in no particular order: for latency percentiles.
    /// Only <paramref name="tenant"/>'s documents when given.
    /// </summary>
    Task<IReadOnlyList<double>> ListLatenciesAsync(DateTimeOffset from, DateTimeOffset to, int limit, string? tenant, CancellationToken cancellationToken);

    /// <summary>Latencies of every tenant's documents (see the overload with a tenant).</summary>
    Task<IReadOnlyList<double>> ListLatenciesAsync(DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken) =>
        ListLatenciesAsync(from, to, limit, null, cancellationToken);

    /// <summary>
    /// One page of the documents that failed with <paramref name="reason"/> (<paramref name="tenant"/>'s, or every tenant's
    /// when null), oldest first, after <paramref name="after"/> (the last of the previous page; null for the first page).
    /// </summary>
    Task<IReadOnlyList<DocumentRecord>> ListFailedAsync(string? tenant, string reason, FailedPageCursor? after, int limit, CancellationToken cancellationToken);

    /// <summary>Removes an unfinished document whose intake never completed. True when a record was removed.</summary>
    Task<bool> DeleteAsync(string id, CancellationToken cancellationToken);
}

/// <summary>Where a page of <see cref="IDocumentStore.ListFailedAsync"/> ends: the last document's receipt and id.</summary>
public sealed record FailedPageCursor(DateTimeOffset ReceivedAt, string Id)
{
    /// <summary>The cursor after <paramref name="record"/>.</summary>
    public static FailedPageCursor After(DocumentRecord record) => new(record.ReceivedAt, record.Id);
}
