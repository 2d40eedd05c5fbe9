using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace Annotate.Hosting.Telemetry;

/// <summary>Registration of Annotate's instruments, for both hosts.</summary>
public static class TelemetryHostingExtensions
{
    /// <summary>
    /// Adds <see cref="AnnotateMetrics"/> and, on RabbitMQ, the depth and consumers of <paramref name="workQueue"/>. The meter
    /// provider itself comes from <see cref="HostDefaults.AddAnnotateTelemetry"/>; each host adds its exporter.
    /// </summary>
    public static IHostApplicationBuilder AddAnnotateMetrics(this IHostApplicationBuilder builder, string workQueue)
    {
        var services = builder.Services;
        if (services.Any(d => d.ServiceType == typeof(AnnotateMetrics)))
        {
            return builder;
        }
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<AnnotateMetrics>();
        var bus = builder.Configuration.GetSection(BusOptions.Section).Get<BusOptions>() ?? new BusOptions();
        if (bus.UsesRabbitMq)
        {
            services.AddSingleton(sp => ActivatorUtilities.CreateInstance<QueueDepthGauge>(sp, workQueue));
            services.AddSingleton<IObservableInstruments>(sp => new ObservableInstruments(sp.GetRequiredService<QueueDepthGauge>()));
        }
        // Resolved at start-up so the observable instruments exist before the first scrape.
        services.AddHostedService<ObservableInstrumentsStarter>();
        return builder;
    }

    /// <summary>
    /// A standalone worker's metrics: the <c>annotate_worker_*</c> instruments recorded from the outcomes it publishes, and,
    /// when <see cref="TelemetryOptions.PrometheusPort"/> is set, a Prometheus endpoint on <c>http://localhost:&lt;port&gt;/metrics</c>.
    /// </summary>
    public static IHostApplicationBuilder AddAnnotateWorkerMetrics(this IHostApplicationBuilder builder, string workQueue)
    {
        builder.AddAnnotateMetrics(workQueue);
        builder.Services.AddSingleton<WorkerOutcomeMetrics>();
        builder.Services.AddPublishObserver(sp => sp.GetRequiredService<WorkerOutcomeMetrics>());
        var port = builder.Configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>()?.PrometheusPort ?? 0;
        if (port > 0)
        {
            builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddPrometheusHttpListener(o =>
            {
                // Loopback only: a scraper on another machine goes through whatever exposes the worker (a sidecar, a port mapping).
                o.Host = "localhost";
                o.Port = port;
                o.ScrapeEndpointPath = "/metrics";
            }));
        }
        return builder;
    }

    /// <summary>Instruments whose callbacks need a service: resolving them creates the instruments.</summary>
    public interface IObservableInstruments;

    private sealed record ObservableInstruments(object Source) : IObservableInstruments;

    private sealed class ObservableInstrumentsStarter(IEnumerable<IObservableInstruments> instruments, AnnotateMetrics metrics) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            GC.KeepAlive(metrics);
            GC.KeepAlive(instruments.ToList());
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
