using Annotate.Annotators.Annotations;
using Annotate.Annotators.Embeddings;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.Semantic;

/// <summary>
/// Finds the earlier document of the same profile this one duplicates: exactly (the same SHA-256) or nearly (the
/// embedding of its text more similar than the threshold), through the shared <see cref="IDocumentVectorIndex"/>. A
/// process without an index (no blob store) skips it.
/// </summary>
public sealed class DuplicateAnnotator(ITextEmbedder embedder, IOptions<SemanticOptions> options, TimeProvider time,
    IEnumerable<IDocumentVectorIndex> indexes) : IAnnotator
{
    /// <summary>The annotator's name.</summary>
    public const string AnnotatorName = "duplicates";

    private readonly SemanticOptions _options = options.Value;
    private readonly IDocumentVectorIndex? _index = indexes.LastOrDefault();

    /// <inheritdoc />
    public string Name => AnnotatorName;

    /// <inheritdoc />
    public int Order => 330;

    /// <inheritdoc />
    public async Task<AnnotatorOutcome> AnnotateAsync(AnnotationContext context, CancellationToken cancellationToken)
    {
        if (_index is null)
        {
            return AnnotatorOutcome.Skipped("no document index in this process");
        }
        var (text, start) = DocumentSentences.Head(context.Document, _options.NearDuplicateCharacters, cancellationToken);
        var vector = embedder.Embed([text], cancellationToken)[0];
        var sha256 = context.Document.Sha256;
        var earlier = await _index.AddAndReadEarlierAsync(context.Profile.Name,
            new IndexedDocument(context.DocumentId, sha256, vector, time.GetUtcNow()), cancellationToken).ConfigureAwait(false);

        DuplicateAnnotation? found = null;
        var exact = sha256 is null ? null : earlier.Where(e => string.Equals(e.Sha256, sha256, StringComparison.OrdinalIgnoreCase)).MinBy(e => e.Added);
        if (exact is not null)
        {
            found = Duplicate("exact", exact.DocumentId, 1.0, earlier.Count, start);
        }
        else if (start is not null)
        {
            var nearest = earlier.MaxBy(e => Vectors.Cosine(vector, e.Vector));
            var similarity = nearest is null ? 0 : Vectors.Cosine(vector, nearest.Vector);
            if (nearest is not null && similarity >= _options.NearDuplicateThreshold)
            {
                found = Duplicate("near", nearest.DocumentId, Math.Round(similarity, 4), earlier.Count, start);
            }
        }
        context.Annotations.DuplicateOf = found;
        return AnnotatorOutcome.Done;
    }

    private DuplicateAnnotation Duplicate(string kind, string documentId, double similarity, int compared, Documents.SourceLocation? start) => new()
    {
        Kind = kind,
        DocumentId = documentId,
        Similarity = similarity,
        Threshold = _options.NearDuplicateThreshold,
        Compared = compared,
        Location = start,
        Annotator = AnnotatorName,
    };
}
