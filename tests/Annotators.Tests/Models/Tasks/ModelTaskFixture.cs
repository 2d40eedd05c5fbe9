using Annotate.Annotators.Models.Chunking;
using Annotate.Annotators.Models.Grammar;
using Annotate.Annotators.Models.Host;
using Annotate.Annotators.Models.Tasks;
using Annotate.Annotators.Tests.Models.Host;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.Tests.Models.Tasks;

/// <summary>The real tiny model behind the real host (context 512), with bounds small enough for its answers to end.</summary>
public sealed class ModelTaskFixture : IAsyncLifetime
{
    public LlamaModelHost Host { get; private set; } = null!;

    // Tight grammar bounds: the tiny model writes until a string or array is full.
    public static GrammarOptions Bounds { get; } = new() { MaxStringLength = 10, MaxArrayItems = 2, MaxWhitespace = 0 };

    public static ModelTaskOptions TaskOptions(Action<ModelTaskOptions>? configure = null)
    {
        var options = new ModelTaskOptions
        {
            MetadataMaxOutputTokens = 220,
            ExtractionMaxOutputTokens = 160,
            ReformatMaxOutputTokens = 160,
            QaMaxOutputTokens = 120,
            MaxEntitiesPerChunk = 1,
            MaxDatesPerChunk = 1,
            RecordsPerChunk = 2,
        };
        configure?.Invoke(options);
        return options;
    }

    public static DocumentChunker Chunker(int maxChunks = 4) =>
        new(Options.Create(new ChunkingOptions { MaxChunksPerDocument = maxChunks }));

    public StructuredGenerator Generator(bool extendCutAnswers = true) => new(Host, NullLogger<StructuredGenerator>.Instance, Options.Create(new GrammarOptions
    {
        MaxStringLength = Bounds.MaxStringLength,
        MaxArrayItems = Bounds.MaxArrayItems,
        MaxWhitespace = Bounds.MaxWhitespace,
        ExtendCutAnswers = extendCutAnswers,
    }));

    public async Task InitializeAsync() => Host = await ModelHostFactory.LoadedAsync();

    public async Task DisposeAsync() => await Host.DisposeAsync();
}
