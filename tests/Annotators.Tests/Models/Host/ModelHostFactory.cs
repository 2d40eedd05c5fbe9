using Annotate.Annotators.Models;
using Annotate.Annotators.Models.Host;
using Annotate.Annotators.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.Tests.Models.Host;

/// <summary>Hosts over the real tiny model, with greedy decoding so outputs are reproducible.</summary>
internal static class ModelHostFactory
{
    public const string StoriesSha256 = "270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d";

    public static ModelOptions Options(Action<ModelOptions>? configure = null)
    {
        var options = new ModelOptions
        {
            Path = TestFiles.Model,
            ContextSize = 512,
            ParallelSequences = 8,
            MaxOutputTokens = 32,
            Threads = 1,
            Temperature = 0,
        };
        configure?.Invoke(options);
        return options;
    }

    public static LlamaModelHost Create(Action<ModelOptions>? configure = null, TimeProvider? time = null, int? prefixCache = null)
    {
        var host = new LlamaModelHost(Microsoft.Extensions.Options.Options.Create(Options(configure)), time ?? TimeProvider.System, NullLogger<LlamaModelHost>.Instance);
        if (prefixCache is { } capacity)
        {
            host.PrefixCacheCapacity = capacity;
        }
        return host;
    }

    public static async Task<LlamaModelHost> LoadedAsync(Action<ModelOptions>? configure = null, TimeProvider? time = null, int? prefixCache = null)
    {
        var host = Create(configure, time, prefixCache);
        await host.LoadAsync();
        Assert.True(host.Status.IsAvailable, $"model did not load: {host.Status.Reason}");
        return host;
    }

    public static ModelRequest Story(string user, int maxTokens = 24, string system = "You tell short stories to children.") =>
        new() { System = system, User = user, MaxTokens = maxTokens };
}
