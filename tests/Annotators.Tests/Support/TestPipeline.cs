using Annotate.Annotators.Pipeline;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Annotate.Annotators.Tests.Support;

/// <summary>The engine as a host composes it (every reader, annotator and writer), for tests that run documents end to end.</summary>
public static class TestPipeline
{
    /// <summary>A pipeline with the default settings, or with <paramref name="settings"/> over them.</summary>
    public static IDocumentPipeline Create(Dictionary<string, string?>? settings = null) =>
        new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings ?? []).Build())
            .AddLogging()
            .AddAnnotators()
            .BuildServiceProvider()
            .GetRequiredService<IDocumentPipeline>();
}
