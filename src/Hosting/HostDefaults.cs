using Annotate.Hosting.Blobs;
using Annotate.Hosting.Logging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Annotate.Hosting;

/// <summary>What every Annotate host has, whichever role it plays: the console format, health checks, the clock and the blob store.</summary>
public static class HostDefaults
{
    /// <summary>Adds the defaults shared by the Gateway and the Worker.</summary>
    public static IHostApplicationBuilder AddAnnotateHostDefaults(this IHostApplicationBuilder builder)
    {
        builder.Logging.AddConsole(o => o.FormatterName = AnnotateConsoleFormatter.FormatterName)
            .AddConsoleFormatter<AnnotateConsoleFormatter, Microsoft.Extensions.Logging.Console.ConsoleFormatterOptions>();
        builder.Services.AddHealthChecks();
        builder.Services.AddAnnotateBlobStore();
        return builder;
    }

    /// <summary>The clock and the blob store (a directory by default), for hosts and tests that compose their own.</summary>
    public static IServiceCollection AddAnnotateBlobStore(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<BlobStoreOptions>().BindConfiguration(BlobStoreOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<FileSystemBlobStore>();
        services.TryAddSingleton<IBlobStore>(sp => sp.GetRequiredService<FileSystemBlobStore>());
        services.TryAddSingleton<ILocalBlobStore>(sp => sp.GetRequiredService<FileSystemBlobStore>());
        return services;
    }
}
