using Annotate.Hosting.Blobs;
using Annotate.Hosting.Logging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Annotate.Hosting;

/// <summary>What every Annotate host has, whichever role it plays: the console format, health checks, the clock and the blob store.</summary>
public static class HostDefaults
{
    /// <summary>Name of the activity source and meter of Annotate's own spans and instruments.</summary>
    public const string TelemetrySource = "Annotate";

    /// <summary>Tag of the health checks that must pass before a host takes work (<c>/health/ready</c>).</summary>
    public const string ReadyTag = "ready";

    /// <summary>Adds the defaults shared by the Gateway and the Worker; <paramref name="serviceName"/> names the process in traces.</summary>
    public static IHostApplicationBuilder AddAnnotateHostDefaults(this IHostApplicationBuilder builder, string serviceName = "annotate")
    {
        // Twice would mean two console providers: the gateway adds these, and the worker inside it asks again.
        if (builder.Services.Any(d => d.ServiceType == typeof(HostDefaultsMarker)))
        {
            return builder;
        }
        builder.Services.AddSingleton<HostDefaultsMarker>();
        builder.Logging.AddConsole(o => o.FormatterName = AnnotateConsoleFormatter.FormatterName)
            .AddConsoleFormatter<AnnotateConsoleFormatter, Microsoft.Extensions.Logging.Console.ConsoleFormatterOptions>();
        // Checks tagged "ready" decide the gateway's /health/ready (MassTransit tags its bus check so too).
        builder.Services.AddHealthChecks().AddCheck<BlobStoreHealthCheck>(BlobStoreHealthCheck.Name, tags: [ReadyTag]);
        builder.Services.AddAnnotateBlobStore();
        builder.Services.AddHostedService<ProcessTemporaryFolderPreparation>();
        builder.AddAnnotateTelemetry(serviceName);
        return builder;
    }

    /// <summary>
    /// The meter provider with MassTransit's, Annotate's and the .NET runtime's meters, always: each host adds its
    /// Prometheus exporter (<c>/metrics</c> on the gateway, an opt-in loopback port on a worker). Over OTLP, traces and
    /// metrics only when an endpoint is configured (<c>Annotate:Telemetry:OtlpEndpoint</c>, or the standard
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>): MassTransit's spans (publish, send, consume, across the broker from gateway to
    /// worker, whose context travels in the message headers) and Annotate's own (the model call). Without an endpoint no
    /// span is recorded.
    /// </summary>
    public static IHostApplicationBuilder AddAnnotateTelemetry(this IHostApplicationBuilder builder, string serviceName)
    {
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithMetrics(metrics => metrics.AddMeter("MassTransit", TelemetrySource, RuntimeMeter));
        var endpoint = builder.Configuration["Annotate:Telemetry:OtlpEndpoint"] is { Length: > 0 } configured
            ? configured
            : builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        if (string.IsNullOrWhiteSpace(endpoint) || !Uri.TryCreate(endpoint, UriKind.Absolute, out var uri))
        {
            return builder;
        }
        telemetry
            .WithTracing(tracing => tracing
                .AddSource("MassTransit", TelemetrySource)
                .AddOtlpExporter(o => o.Endpoint = uri))
            .WithMetrics(metrics => metrics.AddOtlpExporter(o => o.Endpoint = uri));
        return builder;
    }

    /// <summary>
    /// The .NET runtime's own meter (built into the runtime): the process's working set and CPU time, the managed heap's
    /// size, allocations, collections and pauses, methods compiled by the JIT, the thread pool's queue, exceptions.
    /// </summary>
    public const string RuntimeMeter = "System.Runtime";

    /// <summary>True when spans are exported (an OTLP endpoint is configured), for hosts that add instrumentation of their own.</summary>
    public static bool ExportsTraces(IConfiguration configuration) =>
        (configuration["Annotate:Telemetry:OtlpEndpoint"] is { Length: > 0 } configured ? configured : configuration["OTEL_EXPORTER_OTLP_ENDPOINT"])
            is { Length: > 0 } endpoint && Uri.TryCreate(endpoint, UriKind.Absolute, out _);

    private sealed class HostDefaultsMarker;

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
