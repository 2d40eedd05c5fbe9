using Annotate.Annotators.Embeddings;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.Tests.Embeddings;

/// <summary>One real encoder shared by the tests of a collection: loading it takes a second and ~100 MB.</summary>
public sealed class EmbedderFixture : IDisposable
{
    public MiniLmTextEmbedder Embedder { get; } = Create();

    public static MiniLmTextEmbedder Create(EmbeddingOptions? options = null) =>
        new(Options.Create(options ?? new EmbeddingOptions()), NullLogger<MiniLmTextEmbedder>.Instance);

    public void Dispose() => Embedder.Dispose();
}

[CollectionDefinition(Name)]
public sealed class EmbedderCollection : ICollectionFixture<EmbedderFixture>
{
    public const string Name = "Sentence encoder";
}
