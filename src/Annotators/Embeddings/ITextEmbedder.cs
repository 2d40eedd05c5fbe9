namespace Annotate.Annotators.Embeddings;

/// <summary>
/// Turns texts into sentence embeddings: one L2-normalised vector of <see cref="Dimensions"/> floats per text, so the
/// cosine of two vectors is their dot product (<see cref="Vectors.Cosine"/>). A text longer than the encoder's
/// sequence limit is split into windows and their vectors averaged; a text with nothing to encode (empty, blank)
/// gets the zero vector, whose cosine with anything is 0. Thread-safe; register as a singleton.
/// </summary>
public interface ITextEmbedder
{
    /// <summary>Length of every vector.</summary>
    int Dimensions { get; }

    /// <summary>Longest text, in word pieces, the encoder reads in one window; a longer text is encoded as the average of its windows.</summary>
    int MaxTokens { get; }

    /// <summary>Word pieces the encoder reads for the text, at most <c>4 × MaxTokens</c> (a longer text counts as that many).</summary>
    int CountTokens(string text);

    /// <summary>Encodes the texts in batches; the result has one vector per text, in the same order.</summary>
    IReadOnlyList<float[]> Embed(IReadOnlyList<string> texts, CancellationToken cancellationToken = default);
}
