using System.Text.RegularExpressions;
using Annotate.Annotators.Annotations;
using Annotate.Annotators.Embeddings;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.Semantic;

/// <summary>
/// Key phrases without a language model, the KeyBERT way: phrases of one to three words from the text are ranked by
/// the similarity of their embedding to the document's, and chosen with maximal marginal relevance so the list is
/// not five spellings of one idea. At most the profile's <c>KeywordCount</c>; each points at its first occurrence.
/// </summary>
public sealed class KeywordAnnotator(ITextEmbedder embedder, IOptions<SemanticOptions> options) : IAnnotator
{
    /// <summary>The annotator's name.</summary>
    public const string AnnotatorName = "keywords";

    private const int MaxPhraseWords = 3;

    private readonly SemanticOptions _options = options.Value;

    /// <inheritdoc />
    public string Name => AnnotatorName;

    /// <inheritdoc />
    public int Order => 310;

    /// <inheritdoc />
    public Task<AnnotatorOutcome> AnnotateAsync(AnnotationContext context, CancellationToken cancellationToken)
    {
        if (context.Profile.Annotators.Count == 0 && !_options.KeywordsByDefault)
        {
            return Task.FromResult(AnnotatorOutcome.Skipped(
                $"off unless asked for: name '{AnnotatorName}' in the Annotators of profile '{context.Profile.Name}', or set {SemanticOptions.Section}:KeywordsByDefault"));
        }
        if (context.Profile.KeywordCount <= 0)
        {
            return Task.FromResult(AnnotatorOutcome.Skipped($"profile '{context.Profile.Name}' asks for no keywords (KeywordCount 0)"));
        }
        var sentences = DocumentSentences.Read(context.Document, _options.MaxSentences, cancellationToken);
        var candidates = Candidates(sentences, cancellationToken);
        if (candidates.Count == 0)
        {
            return Task.FromResult(AnnotatorOutcome.Skipped("no running text to take keywords from"));
        }
        // The most frequent candidates, earlier ones first among equals: encoding every phrase of a long document
        // would cost more than the rest of the pipeline.
        var encoded = candidates.Values
            .OrderByDescending(c => c.Count).ThenBy(c => c.Order)
            .Take(_options.MaxKeywordCandidates)
            .ToList();
        var vectors = embedder.Embed([DocumentText(sentences), .. encoded.Select(c => c.Phrase)], cancellationToken);
        var document = vectors[0];
        var relevance = encoded.Select((_, i) => Vectors.Cosine(document, vectors[i + 1])).ToArray();

        foreach (var i in MaximalMarginalRelevance(vectors.Skip(1).ToList(), relevance, context.Profile.KeywordCount, _options.KeywordDiversity))
        {
            var candidate = encoded[i];
            context.Annotations.Keywords.Add(new KeywordAnnotation(candidate.Phrase, Math.Round(relevance[i], 4), candidate.Count, candidate.Location, AnnotatorName));
        }
        return Task.FromResult(AnnotatorOutcome.Done);
    }

    internal static string DocumentText(IReadOnlyList<Sentence> sentences) => string.Join('\n', sentences.Select(s => s.Text));

    /// <summary>
    /// Greedy maximal marginal relevance: each step takes the candidate most similar to the document and least
    /// similar to those already taken, weighted by <paramref name="diversity"/>. Returns indexes in the order chosen.
    /// </summary>
    internal static List<int> MaximalMarginalRelevance(IReadOnlyList<float[]> vectors, IReadOnlyList<float> relevance, int count, double diversity)
    {
        var chosen = new List<int>();
        var closestChosen = new float[vectors.Count];
        Array.Fill(closestChosen, float.MinValue);
        while (chosen.Count < Math.Min(count, vectors.Count))
        {
            var best = -1;
            var bestScore = double.MinValue;
            for (var i = 0; i < vectors.Count; i++)
            {
                if (chosen.Contains(i))
                {
                    continue;
                }
                var redundancy = chosen.Count == 0 ? 0 : closestChosen[i];
                var score = ((1 - diversity) * relevance[i]) - (diversity * redundancy);
                if (score > bestScore)
                {
                    (best, bestScore) = (i, score);
                }
            }
            chosen.Add(best);
            for (var i = 0; i < vectors.Count; i++)
            {
                closestChosen[i] = Math.Max(closestChosen[i], Vectors.Cosine(vectors[i], vectors[best]));
            }
        }
        return chosen;
    }

    private sealed class Candidate(string phrase, int order, Documents.SourceLocation location)
    {
        public string Phrase { get; } = phrase;
        public int Order { get; } = order;
        public Documents.SourceLocation Location { get; } = location;
        public int Count { get; set; } = 1;
    }

    private static bool OnlySpaces(string text, Match before, Match after)
    {
        var gap = text.AsSpan(before.Index + before.Length, after.Index - before.Index - before.Length);
        return !gap.IsEmpty && gap.IsWhiteSpace();
    }

    private static Dictionary<string, Candidate> Candidates(IReadOnlyList<Sentence> sentences, CancellationToken cancellationToken)
    {
        var candidates = new Dictionary<string, Candidate>(StringComparer.OrdinalIgnoreCase);
        foreach (var sentence in sentences)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var words = DocumentSentences.Word().Matches(sentence.Text);
            for (var start = 0; start < words.Count; start++)
            {
                // A phrase is words side by side: no function word in it, nothing but spaces between its words.
                for (var length = 1; length <= MaxPhraseWords && start + length <= words.Count; length++)
                {
                    var last = words[start + length - 1];
                    if (StopWords.Contains(last.Value) || length > 1 && !OnlySpaces(sentence.Text, words[start + length - 2], last))
                    {
                        break;
                    }
                    if (length == 1 && last.Length < 3)
                    {
                        continue;
                    }
                    var first = words[start];
                    var phrase = sentence.Text[first.Index..(last.Index + last.Length)];
                    if (candidates.TryGetValue(phrase, out var seen))
                    {
                        seen.Count++;
                        continue;
                    }
                    var location = sentence.Location with { Offset = sentence.Location.Offset + first.Index, Length = phrase.Length };
                    candidates[phrase] = new Candidate(phrase, candidates.Count, location);
                }
            }
        }
        return candidates;
    }
}
