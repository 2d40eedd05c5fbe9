using Annotate.Annotators.Builtin;

namespace Annotate.Annotators.Semantic;

/// <summary>
/// How central each sentence is by the words it shares with the rest: the cosine of its TF-IDF vector with the sum of
/// the other sentences' vectors (the centroid of MEAD, Radev et al. 2004, less the sentence itself). It scores the
/// sentences of a whole book in milliseconds, where the sentence encoder takes milliseconds per sentence, so a long
/// document's summary encodes only the sentences worth comparing and still reads all of the document.
/// </summary>
internal static class LexicalCentrality
{
    // Longer words are cut: a token this long is a URL or a run of joined words, and one buffer holds it lower-cased.
    private const int MaxWordCharacters = 64;

    /// <summary>Each sentence's score, 0–1, in the sentences' order; 0 for a sentence without a word another one shares.</summary>
    public static double[] Score(IReadOnlyList<string> sentences, CancellationToken cancellationToken)
    {
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var lookup = ids.GetAlternateLookup<ReadOnlySpan<char>>();
        var counts = new List<(int Term, int Count)[]>(sentences.Count);
        var sentenceCounts = new Dictionary<int, int>();
        var documentFrequency = new List<int>();
        Span<char> lower = stackalloc char[MaxWordCharacters];
        for (var s = 0; s < sentences.Count; s++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            sentenceCounts.Clear();
            // Words as the keywords take them; a run of ideographs or kana (written without spaces) is cut into pairs below.
            foreach (var match in DocumentSentences.Word().EnumerateMatches(sentences[s]))
            {
                var word = sentences[s].AsSpan(match.Index, Math.Min(match.Length, MaxWordCharacters));
                var length = word.ToLowerInvariant(lower);
                var token = lower[..length];
                if (TextCounting.IsWrittenWithoutSpaces(token[0]))
                {
                    // A run of ideographs: its overlapping pairs of characters stand for its words.
                    for (var i = 0; i + 1 < token.Length || i == 0; i++)
                    {
                        Count(token.Slice(i, Math.Min(2, token.Length - i)));
                    }
                }
                else if (!StopWords.Contains(token))
                {
                    Count(token);
                }
            }
            counts.Add([.. sentenceCounts.Select(c => (c.Key, c.Value))]);
            foreach (var term in sentenceCounts.Keys)
            {
                documentFrequency[term]++;
            }
        }

        // Sentence vectors: (1 + log tf) × idf, of length 1; the centroid is their sum.
        var idf = documentFrequency.Select(df => Math.Log((double)sentences.Count / df)).ToArray();
        var weights = new List<(int Term, double Weight)[]>(counts.Count);
        var centroid = new double[idf.Length];
        foreach (var sentence in counts)
        {
            var vector = sentence.Select(c => (c.Term, Weight: (1 + Math.Log(c.Count)) * idf[c.Term])).ToArray();
            var norm = Math.Sqrt(vector.Sum(v => v.Weight * v.Weight));
            for (var i = 0; i < vector.Length && norm > 0; i++)
            {
                vector[i].Weight /= norm;
                centroid[vector[i].Term] += vector[i].Weight;
            }
            weights.Add(norm > 0 ? vector : []);
        }
        // Each against the sum of the others: a sentence is not central for the words only it has.
        var squaredNorm = centroid.Sum(w => w * w);
        return [.. weights.Select(vector =>
        {
            if (vector.Length == 0)
            {
                return 0.0;
            }
            var dot = vector.Sum(v => v.Weight * centroid[v.Term]);
            var othersNorm = Math.Sqrt(Math.Max(0, squaredNorm - (2 * dot) + 1));
            // A sentence's own part of the sum is its length, 1; what is left over is what the others share with it.
            var shared = dot - 1;
            return shared > 1e-9 && othersNorm > 1e-9 ? Math.Min(1, shared / othersNorm) : 0;
        })];

        void Count(ReadOnlySpan<char> token)
        {
            if (!lookup.TryGetValue(token, out var id))
            {
                id = ids.Count;
                lookup[token] = id;
                documentFrequency.Add(0);
            }
            sentenceCounts[id] = sentenceCounts.GetValueOrDefault(id) + 1;
        }
    }

    /// <summary>
    /// The indexes of the sentences, most central first, each text once (its first occurrence): a sentence said again
    /// (a manual's "See the help for details." on every page) is neither a candidate twice nor, by its words said
    /// again, more central. Of equal scores the earlier comes first.
    /// </summary>
    public static int[] Ranked(IReadOnlyList<string> sentences, CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var distinct = Enumerable.Range(0, sentences.Count).Where(i => seen.Add(sentences[i])).ToArray();
        var scores = Score([.. distinct.Select(i => sentences[i])], cancellationToken);
        return [.. Enumerable.Range(0, distinct.Length).OrderByDescending(i => scores[i]).ThenBy(i => i).Select(i => distinct[i])];
    }
}
