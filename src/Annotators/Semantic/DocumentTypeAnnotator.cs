using Annotate.Annotators.Annotations;
using Annotate.Annotators.Embeddings;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.Semantic;

/// <summary>
/// Tells the document's type without a language model: the start of the document is compared with texts describing
/// each type of the profile's taxonomy (zero-shot), and the best type above the threshold is named, with the scores
/// of all. A language model's own type, when one runs, is reported beside it in <c>metadata</c>.
/// </summary>
public sealed class DocumentTypeAnnotator(ITextEmbedder embedder, IOptions<SemanticOptions> options) : IAnnotator
{
    /// <summary>The annotator's name.</summary>
    public const string AnnotatorName = "document-type";

    private readonly SemanticOptions _options = options.Value;

    /// <inheritdoc />
    public string Name => AnnotatorName;

    /// <inheritdoc />
    public int Order => 300;

    /// <inheritdoc />
    public Task<AnnotatorOutcome> AnnotateAsync(AnnotationContext context, CancellationToken cancellationToken)
    {
        var (head, start) = DocumentSentences.Head(context.Document, _options.DocumentTypeCharacters, cancellationToken);
        if (start is null || !head.Any(char.IsLetter))
        {
            return Task.FromResult(AnnotatorOutcome.Skipped("no text to tell the document type from"));
        }
        var labels = context.Profile.Taxonomy.Count > 0 ? context.Profile.Taxonomy : DocumentTypeTaxonomy.DefaultLabels;
        var texts = labels.Select(l => DocumentTypeTaxonomy.TextsFor(l, context.Profile.DocumentTypes)).ToList();
        if (texts.All(t => t.Count == 0))
        {
            return Task.FromResult(AnnotatorOutcome.Skipped($"the taxonomy of profile '{context.Profile.Name}' has no type to compare with"));
        }

        var skeleton = DocumentSentences.Skeleton(context.Document, _options.DocumentTypeCharacters, cancellationToken);

        // One call: the descriptions are cached after the first document, so only the document itself is encoded.
        var vectors = embedder.Embed([head, skeleton, .. texts.SelectMany(t => t)], cancellationToken);
        var document = vectors[0];
        var outline = vectors[1];
        var scores = new List<LabelScore>();
        var next = 2;
        for (var i = 0; i < labels.Count; i++)
        {
            if (texts[i].Count == 0)
            {
                continue;
            }
            // Content and skeleton each have their say: the content carries the vocabulary of a type ("IBAN",
            // "Vertragsparteien"), the skeleton its structure; a document without headings or labels has content only.
            var best = texts[i].Max(_ =>
            {
                var description = vectors[next++];
                var content = Vectors.Cosine(document, description);
                return skeleton.Length == 0 ? content : (content + Vectors.Cosine(outline, description)) / 2;
            });
            scores.Add(new LabelScore(labels[i], Math.Round(Math.Max(0, best), 4)));
        }
        scores.Sort((a, b) => b.Score.CompareTo(a.Score));
        var top = scores[0];
        context.Annotations.DocumentType = new DocumentTypeAnnotation
        {
            Label = top.Score >= _options.DocumentTypeThreshold ? top.Label : DocumentTypeTaxonomy.Unknown,
            Score = top.Score,
            Scores = scores,
            Threshold = _options.DocumentTypeThreshold,
            Location = start,
            Characters = head.Length,
            Annotator = AnnotatorName,
        };
        return Task.FromResult(AnnotatorOutcome.Done);
    }
}
