using Annotate.Annotators;
using Annotate.Annotators.Semantic;
using Annotate.Hosting;
using Annotate.Worker.Consumers;
using Annotate.Worker.Delivery;
using Annotate.Worker.Health;
using Annotate.Worker.Isolation;
using Annotate.Worker.Pipeline;
using Annotate.Worker.Storage;
using Annotate.Worker.Testing;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Annotate.Worker;

/// <summary>Composition of the worker: the annotation engine, its options and its consumers.</summary>
public static class WorkerHostingExtensions
{
    /// <summary>Adds the annotation engine and the worker options (the bus is added by <see cref="AddAnnotateWorkerBus"/>).</summary>
    public static IHostApplicationBuilder AddAnnotateWorker(this IHostApplicationBuilder builder)
    {
        builder.AddAnnotateHostDefaults("annotate-worker");
        builder.Services.AddAnnotateWorkerServices();
        if (IsolationEnabled(builder.Configuration))
        {
            // The engine (readers, annotators, writers, the model) runs in the pipeline child only; this process needs
            // the settings it checks commands against (profiles, size limit).
            builder.Services.AddAnnotationSettings();
            builder.Services.AddPipelineIsolation();
        }
        else
        {
            builder.Services.AddAnnotators();
            builder.Services.TryAddSingleton<IDocumentVectorIndex, BlobDocumentVectorIndex>();
        }
        // Before the bus (added after this): a transient failure can be redelivered as soon as the bus consumes.
        builder.Services.AddHostedService<DelayQueueDeclaration>();
        // Read unvalidated from the configuration: the host reads these while it is built, before the options are
        // validated at start, where an invalid setting is reported properly.
        builder.Services.AddOptions<MassTransitHostOptions>().Configure<IConfiguration>((host, configuration) =>
        {
            var grace = ShutdownGrace(configuration);
            // On stop, the endpoints stop taking commands and documents in progress get ShutdownGrace to finish; then
            // MassTransit cancels their consume token. The consumer ends with that cancellation, which MassTransit neither
            // reports as a Fault nor moves to the error queue: the delivery stays unacknowledged and the broker gives it to
            // another worker (tests/Worker.Tests/Bus/DeliveryTests proves it on a real broker). DocumentTimeout is another
            // token, and still fails the document with `timeout`. The bus and the host wait a little longer than the grace.
            host.ConsumerStopTimeout = grace;
            host.StopTimeout = grace + StopMargin;
        });
        builder.Services.AddOptions<HostOptions>().Configure<IConfiguration>((host, configuration) =>
        {
            var needed = ShutdownGrace(configuration) + StopMargin + StopMargin;
            if (host.ShutdownTimeout < needed)
            {
                host.ShutdownTimeout = needed;
            }
        });
        return builder;
    }

    /// <summary>Whether documents are annotated in a supervised child process (<see cref="IsolationOptions.Enabled"/>).</summary>
    public static bool IsolationEnabled(IConfiguration configuration) =>
        (configuration.GetSection(IsolationOptions.Section).Get<IsolationOptions>() ?? new IsolationOptions()).Enabled;

    /// <summary>
    /// Runs documents in a supervised pipeline child instead of this process: the supervisor, the document runner that
    /// forwards to it, the health check, and a hosted service that has the first child ready before the bus (added after
    /// this) takes a command.
    /// </summary>
    public static IServiceCollection AddPipelineIsolation(this IServiceCollection services)
    {
        services.AddSingleton<PipelineSupervisor>();
        // Replaces the in-process runner AddAnnotateWorkerServices registers, which would need the engine.
        services.Replace(ServiceDescriptor.Singleton<IDocumentRunner, IsolatedDocumentRunner>());
        services.AddHostedService<PipelineChildren>();
        // Part of readiness, like the in-process model check it stands for: a child whose model failed to load is Unhealthy.
        services.AddHealthChecks().AddCheck<IsolationHealthCheck>("pipeline-children", tags: [Hosting.HostDefaults.ReadyTag]);
        return services;
    }

    /// <summary>Time for the bus to hand back the cancelled deliveries and close after the grace period, and for the host after it.</summary>
    private static readonly TimeSpan StopMargin = TimeSpan.FromSeconds(10);

    private static TimeSpan ShutdownGrace(IConfiguration configuration)
    {
        var grace = (configuration.GetSection(WorkerOptions.Section).Get<WorkerOptions>() ?? new WorkerOptions()).ShutdownGrace;
        return grace > TimeSpan.Zero ? grace : TimeSpan.Zero;
    }

    /// <summary>The worker's own services and options, without the engine or the bus (tests compose these with their own).</summary>
    public static IServiceCollection AddAnnotateWorkerServices(this IServiceCollection services)
    {
        services.AddOptions<WorkerOptions>().BindConfiguration(WorkerOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<WorkerOptions>, WorkerOptionsValidator>();
        services.AddOptions<FaultInjectionOptions>().BindConfiguration(FaultInjectionOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<FaultInjectionOptions>>(sp => new FaultInjectionValidator(sp.GetService<IHostEnvironment>()));
        services.AddSingleton<FaultInjection>();
        services.AddOptions<IsolationOptions>().BindConfiguration(IsolationOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<IsolationOptions>, IsolationOptionsValidator>();
        // In-process unless AddPipelineIsolation replaces it (tests compose the engine with this one).
        services.TryAddSingleton<IDocumentRunner, InProcessDocumentRunner>();
        services.AddAnnotateBlobStore();
        // Redirects are followed by SourceFetcher, after checking they stay on the same scheme and host.
        services.AddHttpClient(SourceFetcher.ClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });
        services.AddSingleton<SourceFetcher>();
        services.AddSingleton<SourceStaging>();
        services.AddSingleton<OutputStore>();
        services.AddSingleton<PartStore>();
        services.AddSingleton<ResultIndex>();
        services.AddSingleton<ReviewedExamples>();
        // The health report as a file, for a standalone worker's probes (nothing is written unless HealthFile is set).
        services.AddSingleton<IHealthCheckPublisher, HealthFilePublisher>();
        services.AddOptions<HealthCheckPublisherOptions>().Configure<IOptions<WorkerOptions>>((publisher, worker) =>
        {
            publisher.Delay = TimeSpan.FromSeconds(1);
            publisher.Period = worker.Value.HealthFileInterval;
            // Without a file the checks are not run for it at all: no work, and no check failing before the bus has started.
            if (string.IsNullOrEmpty(worker.Value.HealthFile))
            {
                publisher.Predicate = _ => false;
            }
        });
        return services;
    }

    /// <summary>Adds the bus with the worker's consumers (a standalone worker).</summary>
    public static IHostApplicationBuilder AddAnnotateWorkerBus(this IHostApplicationBuilder builder)
    {
        var bus = builder.Configuration.GetSection(BusOptions.Section).Get<BusOptions>() ?? new BusOptions();
        var concurrency = WorkerOptions.EffectiveConcurrency(builder.Configuration);
        return builder.AddAnnotateBus(x => x.AddAnnotateWorkerConsumers(), concurrency,
            (context, rabbit) => rabbit.ConfigureAnnotateRequestsEndpoint(context, bus, concurrency));
    }

    /// <summary>Registers the worker's consumers on a bus.</summary>
    public static IBusRegistrationConfigurator AddAnnotateWorkerConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<AnnotateDocumentConsumer, AnnotateDocumentConsumerDefinition>();
        bus.AddConsumer<AnnotateDocumentFaultConsumer>().Endpoint(e => e.Name = "annotate-document-fault");
        return bus;
    }
}
