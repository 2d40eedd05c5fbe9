using Annotate.Annotators.Annotations;
using Annotate.Annotators.Embeddings;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.Semantic;

/// <summary>
/// A summary without a language model: the sentences most similar to the centroid of all sentences (the most
/// central), leaving out any that says what a chosen one says, within the profile's <c>SummaryMaxWords</c>, in
/// their original order and exactly as written, each with where it is.
/// </summary>
public sealed class ExtractiveSummaryAnnotator(ITextEmbedder embedder, IOptions<SemanticOptions> options) : IAnnotator
{
    /// <summary>The annotator's name.</summary>
    public const string AnnotatorName = "summary";

    // Fewer words than this are headings, labels or list fragments, not sentences a summary is made of.
    private const int MinimumWords = 4;

    private readonly SemanticOptions _options = options.Value;

    /// <inheritdoc />
    public string Name => AnnotatorName;

    /// <inheritdoc />
    public int Order => 320;

    /// <inheritdoc />
    public Task<AnnotatorOutcome> AnnotateAsync(AnnotationContext context, CancellationToken cancellationToken)
    {
        var maxWords = context.Profile.SummaryMaxWords;
        if (maxWords <= 0)
        {
            return Task.FromResult(AnnotatorOutcome.Skipped($"profile '{context.Profile.Name}' asks for no summary (SummaryMaxWords 0)"));
        }
        var sentences = DocumentSentences.Read(context.Document, _options.MaxSentences, cancellationToken)
            .Where(s => s.Words >= MinimumWords && !s.IsHeading)
            .ToList();
        if (sentences.Count == 0)
        {
            return Task.FromResult(AnnotatorOutcome.Skipped($"no sentence of {MinimumWords} words or more to summarise"));
        }

        var vectors = embedder.Embed(sentences.Select(s => s.Text).ToList(), cancellationToken);
        var centroid = Vectors.Centroid(vectors);
        var centrality = vectors.Select(v => Vectors.Cosine(v, centroid)).ToArray();
        var chosen = new List<int>();
        var words = 0;
        foreach (var i in Enumerable.Range(0, sentences.Count).OrderByDescending(i => centrality[i]))
        {
            if (words + sentences[i].Words > maxWords)
            {
                continue;
            }
            if (chosen.Any(j => Vectors.Cosine(vectors[i], vectors[j]) > _options.SummaryRedundancy))
            {
                continue;
            }
            chosen.Add(i);
            words += sentences[i].Words;
        }
        if (chosen.Count == 0)
        {
            return Task.FromResult(AnnotatorOutcome.Skipped($"every sentence is longer than the profile's SummaryMaxWords ({maxWords})"));
        }

        var picked = chosen.Order().Select(i => new SummarySentence(sentences[i].Text, Math.Round(centrality[i], 4), sentences[i].Location)).ToList();
        context.Annotations.Summary = new ExtractiveSummary
        {
            Text = string.Join(' ', picked.Select(s => s.Text)),
            Words = words,
            Sentences = picked,
            SentencesRead = sentences.Count,
            Annotator = AnnotatorName,
        };
        return Task.FromResult(AnnotatorOutcome.Done);
    }
}
