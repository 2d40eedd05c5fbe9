using Annotate.Annotators.Annotations;
using Annotate.Annotators.Embeddings;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.Semantic;

/// <summary>
/// A summary without a language model: the sentences most similar to the centroid of all sentences (the most
/// central), leaving out any that says what a chosen one says, within the profile's <c>SummaryMaxWords</c>, in
/// their original order and exactly as written, each with where it is. Of a document with three sentences or more that
/// read as sentences (<see cref="Sentence.ReadsAsSentence"/>), only those are summarised, not its label lines, table
/// rows or list fragments. The whole document is read (up to
/// <c>SummaryReadSentences</c>); past <c>SummaryCandidates</c> sentences, those the encoder compares are the most
/// central by their words (<see cref="LexicalCentrality"/>).
/// </summary>
public sealed class ExtractiveSummaryAnnotator(ITextEmbedder embedder, IOptions<SemanticOptions> options) : IAnnotator
{
    /// <summary>The annotator's name.</summary>
    public const string AnnotatorName = "summary";

    // Fewer words than this are headings, labels or list fragments, not sentences a summary is made of.
    private const int MinimumWords = 4;
    // With at least this many sentences that read as sentences (Sentence.ReadsAsSentence), only those are summarised.
    private const int MinimumProseSentences = 3;
    // Of a document with more sentences than the encoder compares, those of more word pieces than this are not
    // candidates (unless too few are shorter), and of those ranked the first this many times the candidates are looked at.
    private const int MaximumCandidateTokens = 64;
    private const int RankedLookedAt = 8;

    private readonly SemanticOptions _options = options.Value;

    /// <inheritdoc />
    public string Name => AnnotatorName;

    /// <inheritdoc />
    public int Order => 320;

    /// <summary>
    /// The indexes of the sentences the encoder compares, in reading order: each text once, and of a document with more
    /// than <c>SummaryCandidates</c>, the most central by their words (<see cref="LexicalCentrality"/>), from all of it.
    /// Of those, sentences a reader takes in at once: a longer one is a run of lines without stops (a PDF's table of
    /// contents, a man page's synopsis) more often than a sentence, and a batch of sentences costs the encoder as
    /// many word pieces each as its longest has.
    /// </summary>
    private List<int> Candidates(List<string> texts, CancellationToken cancellationToken)
    {
        var count = _options.SummaryCandidates;
        var ranked = LexicalCentrality.Ranked(texts, cancellationToken);
        if (ranked.Length <= count)
        {
            return [.. ranked.Order()];
        }
        var chosen = new List<int>(count);
        var longer = new List<int>();
        foreach (var i in ranked.Take(RankedLookedAt * count))
        {
            cancellationToken.ThrowIfCancellationRequested();
            (embedder.CountTokens(texts[i]) <= MaximumCandidateTokens ? chosen : longer).Add(i);
            if (chosen.Count == count)
            {
                break;
            }
        }
        chosen.AddRange(longer.Take(count - chosen.Count));
        return [.. chosen.Order()];
    }

    /// <summary>A sentence of wrapped text as it reads: each run of white space (a line break and indent) one space.</summary>
    private static string OneLine(string sentence) =>
        sentence.AsSpan().ContainsAny('\n', '\t', '\r') || sentence.Contains("  ", StringComparison.Ordinal)
            ? string.Join(' ', sentence.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            : sentence;

    /// <inheritdoc />
    public Task<AnnotatorOutcome> AnnotateAsync(AnnotationContext context, CancellationToken cancellationToken)
    {
        var maxWords = context.Profile.SummaryMaxWords;
        if (maxWords <= 0)
        {
            return Task.FromResult(AnnotatorOutcome.Skipped($"profile '{context.Profile.Name}' asks for no summary (SummaryMaxWords 0)"));
        }
        var read = DocumentSentences.Read(context.Document, _options.SummaryReadSentences, cancellationToken)
            .Where(s => s.Words >= MinimumWords && !s.IsHeading)
            .ToList();
        if (read.Count == 0)
        {
            return Task.FromResult(AnnotatorOutcome.Skipped($"no sentence of {MinimumWords} words or more to summarise"));
        }
        // Of a document with enough sentences that read as sentences, only those: an invoice's label lines (Total:
        // 268.94 EUR), a table's rows written as text and a manual's option lists make the summary only of a form or a list.
        var prose = read.Where(s => s.ReadsAsSentence).ToList();
        var summarised = prose.Count >= MinimumProseSentences ? prose : read;
        var sentences = Candidates(summarised.Select(s => s.Text).ToList(), cancellationToken).Select(i => summarised[i]).ToList();

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
            Text = string.Join(' ', picked.Select(s => OneLine(s.Text))),
            Words = words,
            Sentences = picked,
            SentencesRead = read.Count,
            SentencesCompared = sentences.Count,
            Annotator = AnnotatorName,
        };
        return Task.FromResult(AnnotatorOutcome.Done);
    }
}
