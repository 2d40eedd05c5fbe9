using Annotate.Annotators.Annotations;
using Annotate.Annotators.Embeddings;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.KeyValues;

/// <summary>The key a label stands for, how it was matched and how closely.</summary>
public sealed record KeyMatch(string Key, string Method, double Score)
{
    /// <summary>
    /// By similarity, the other keys the label also reaches the threshold for, closest first: when the value is not of
    /// the closest key's shape, the next one whose shape it has is the label's (<c>Client details</c> with a name is the
    /// bill-to, not the customer number it is a little closer to). Empty for a name of a key.
    /// </summary>
    public IReadOnlyList<KeyMatch> RunnersUp { get; init; } = [];

    /// <summary>This match, then its runners-up.</summary>
    public IEnumerable<KeyMatch> Candidates() => [this, .. RunnersUp];
}

/// <summary>
/// Maps labels to the keys of <see cref="KeyVocabulary"/>: a label that is one of a key's names (in canonical form)
/// takes it outright; any other label takes the key whose names and descriptions, in English, German and French, its
/// sentence embedding is closest to, when that similarity reaches <see cref="KeyValueOptions.KeyThreshold"/>; below
/// it the label is left raw. A document's label that shares no word with the vocabulary is left raw without encoding.
/// </summary>
public sealed class KeyNormaliser
{
    private readonly ITextEmbedder _embedder;
    private readonly double _threshold;
    private readonly Lazy<List<(string Key, float[] Vector)>> _vocabulary;

    /// <summary>Creates the normaliser; the vocabulary is encoded on first use, once per process once it succeeds.</summary>
    public KeyNormaliser(ITextEmbedder embedder, IOptions<KeyValueOptions> options)
    {
        _embedder = embedder;
        _threshold = options.Value.KeyThreshold;
        // A failed encode (the encoder could not be loaded) is not kept: the next document, or the warm-up's retry, encodes
        // the vocabulary again rather than failing on the same exception for the process's life. Two documents that come
        // together before it is encoded may both encode it; one result is kept.
        _vocabulary = new Lazy<List<(string, float[])>>(Encode, LazyThreadSafetyMode.PublicationOnly);
    }

    /// <summary>True once the vocabulary's names and descriptions are encoded.</summary>
    public bool IsPrepared => _vocabulary.IsValueCreated;

    /// <summary>
    /// Encodes the vocabulary's names and descriptions now (a warm-up) rather than in the first document with a label that
    /// is not a key's name, which otherwise waits for them (about 0.5 s); returns how many texts it holds.
    /// </summary>
    public int Prepare() => _vocabulary.Value.Count;

    /// <summary>
    /// The key of each of a document's labels (null where none fits), in the order given. Only a label that may read as a
    /// key (<see cref="KeyVocabulary.MayReadAsAKey"/>: it shares a word with the vocabulary, begins as a form's label does,
    /// and is not a bare "address") is encoded: a long document's hundreds of other labels are left raw without the encoder.
    /// </summary>
    public IReadOnlyList<KeyMatch?> Normalise(IReadOnlyList<string> labels, CancellationToken cancellationToken) =>
        Normalise(labels, KeyVocabulary.MayReadAsAKey, cancellationToken);

    /// <summary>The key of each of a schema's field labels (null where none fits): each with a letter is encoded.</summary>
    public IReadOnlyList<KeyMatch?> NormaliseFields(IReadOnlyList<string> labels, CancellationToken cancellationToken) =>
        Normalise(labels, label => label.Any(char.IsLetter), cancellationToken);

    private KeyMatch?[] Normalise(IReadOnlyList<string> labels, Func<string, bool> encoded, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var matches = labels.Select(label => KeyVocabulary.ByLabel(label) is { } key ? new KeyMatch(key, KeyValueItem.AliasMatch, 1.0) : null).ToArray();
        // Each distinct label is looked at and encoded once, however often a document repeats it.
        var open = labels.Where((_, i) => matches[i] is null).Distinct(StringComparer.Ordinal).Where(encoded).ToList();
        if (open.Count == 0)
        {
            return matches;
        }
        var vectors = _embedder.Embed(open, cancellationToken);
        var similar = new Dictionary<string, KeyMatch?>(StringComparer.Ordinal);
        for (var i = 0; i < open.Count; i++)
        {
            similar[open[i]] = Closest(vectors[i]);
        }
        for (var i = 0; i < labels.Count; i++)
        {
            if (matches[i] is null && similar.TryGetValue(labels[i], out var match))
            {
                matches[i] = match;
            }
        }
        return matches;
    }

    /// <summary>The best similarity of a label to each key, highest first (for tuning and tests).</summary>
    public IReadOnlyList<(string Key, double Score)> Scores(string label, CancellationToken cancellationToken = default)
    {
        var vector = _embedder.Embed([label], cancellationToken)[0];
        return _vocabulary.Value.GroupBy(v => v.Key)
            .Select(g => (g.Key, (double)g.Max(v => Vectors.Cosine(vector, v.Vector))))
            .OrderByDescending(s => s.Item2)
            .ToList();
    }

    /// <summary>The closest key at or above the threshold, with the others there as its runners-up; null when none reaches it.</summary>
    private KeyMatch? Closest(float[] vector)
    {
        var best = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (key, candidate) in _vocabulary.Value)
        {
            var similarity = (double)Vectors.Cosine(vector, candidate);
            if (similarity >= _threshold && (!best.TryGetValue(key, out var known) || similarity > known))
            {
                best[key] = similarity;
            }
        }
        var ranked = best.OrderByDescending(k => k.Value).ThenBy(k => k.Key, StringComparer.Ordinal)
            .Select(k => new KeyMatch(k.Key, KeyValueItem.SimilarityMatch, k.Value)).ToList();
        return ranked.Count == 0 ? null : ranked[0] with { RunnersUp = ranked[1..] };
    }

    private List<(string Key, float[] Vector)> Encode()
    {
        var texts = KeyVocabulary.Keys.SelectMany(k => k.Aliases.Concat(k.Descriptions).Select(text => (k.Id, text))).ToList();
        var vectors = _embedder.Embed(texts.Select(t => t.text).ToList());
        return texts.Select((t, i) => (t.Id, vectors[i])).ToList();
    }
}
