using Annotate.Annotators;
using Annotate.Hosting;
using Annotate.Worker.Consumers;
using Annotate.Worker.Storage;
using Annotate.Worker.Testing;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
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
        builder.Services.AddAnnotators();
        builder.Services.AddAnnotateWorkerServices();
        return builder;
    }

    /// <summary>The worker's own services and options, without the engine or the bus (tests compose these with their own).</summary>
    public static IServiceCollection AddAnnotateWorkerServices(this IServiceCollection services)
    {
        services.AddOptions<WorkerOptions>().BindConfiguration(WorkerOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<FaultInjectionOptions>().BindConfiguration(FaultInjectionOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<FaultInjectionOptions>>(sp => new FaultInjectionValidator(sp.GetService<IHostEnvironment>()));
        services.AddSingleton<FaultInjection>();
        services.AddAnnotateBlobStore();
        // Redirects are followed by SourceFetcher, after checking they stay on the same scheme and host.
        services.AddHttpClient(SourceFetcher.ClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });
        services.AddSingleton<SourceFetcher>();
        services.AddSingleton<SourceStaging>();
        services.AddSingleton<OutputStore>();
        services.AddSingleton<ResultIndex>();
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
