using Annotate.Annotators.Embeddings;

namespace Annotate.Annotators.Tests.Embeddings;

/// <summary>An encoder that keeps the texts it is asked to encode, then encodes them with the real one.</summary>
internal sealed class RecordingEmbedder(ITextEmbedder inner) : ITextEmbedder
{
    public List<string> Texts { get; } = [];

    public int Dimensions => inner.Dimensions;

    public int MaxTokens => inner.MaxTokens;

    public int CountTokens(string text) => inner.CountTokens(text);

    public IReadOnlyList<float[]> Embed(IReadOnlyList<string> texts, CancellationToken cancellationToken = default)
    {
        lock (Texts)
        {
            Texts.AddRange(texts);
        }
        return inner.Embed(texts, cancellationToken);
    }
}
