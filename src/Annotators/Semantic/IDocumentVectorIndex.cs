namespace Annotate.Annotators.Semantic;

/// <summary>
/// The vectors of the documents annotated under each profile, shared by every worker, so a document can be compared
/// with those that came before it. Entries are never changed once written.
/// </summary>
public interface IDocumentVectorIndex
{
    /// <summary>
    /// Records <paramref name="document"/> under <paramref name="profile"/> and returns the entries recorded before it
    /// (other documents only: a document annotated again never matches itself), most recent first.
    /// </summary>
    Task<IReadOnlyList<IndexedDocument>> AddAndReadEarlierAsync(string profile, IndexedDocument document, CancellationToken cancellationToken);
}

/// <summary>One document in the <see cref="IDocumentVectorIndex"/>.</summary>
/// <param name="DocumentId">The document's id.</param>
/// <param name="Sha256">SHA-256 of its bytes, lowercase hex.</param>
/// <param name="Vector">Its embedding (L2-normalised; the zero vector when it has no text).</param>
/// <param name="Added">When it was recorded.</param>
public sealed record IndexedDocument(string DocumentId, string? Sha256, float[] Vector, DateTimeOffset Added);
