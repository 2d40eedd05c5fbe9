using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Profiles;
using Annotate.Annotators.Readers;
using Annotate.Annotators.Writers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Annotate.Annotators;

/// <summary>Registers the annotation engine: readers, annotators, writers and the pipeline.</summary>
public static class AnnotatorsServiceCollectionExtensions
{
    /// <summary>Adds the pipeline with every built-in reader, annotator and writer, and binds their options.</summary>
    public static IServiceCollection AddAnnotators(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<ReaderOptions>().BindConfiguration(ReaderOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ProfileOptions>().BindConfiguration(ProfileOptions.Section);
        services.TryAddSingleton<ProfileCatalog>();
        services.TryAddSingleton<FormatDetector>();
        services.TryAddSingleton<IDocumentPipeline, DocumentPipeline>();
        return services.AddDefaultReaders().AddDefaultAnnotators().AddDefaultWriters();
    }

    /// <summary>Adds one reader per supported format.</summary>
    public static IServiceCollection AddDefaultReaders(this IServiceCollection services)
    {
        return services;
    }

    /// <summary>Adds the annotators that need no language model.</summary>
    public static IServiceCollection AddDefaultAnnotators(this IServiceCollection services)
    {
        return services;
    }

    /// <summary>Adds the output writers.</summary>
    public static IServiceCollection AddDefaultWriters(this IServiceCollection services)
    {
        services.AddSingleton<IOutputWriter, OriginalFileWriter>();
        return services;
    }
}
