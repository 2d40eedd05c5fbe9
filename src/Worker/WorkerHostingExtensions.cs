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
        services.AddSingleton<SourceStaging>();
        services.AddSingleton<OutputStore>();
        services.AddSingleton<ResultIndex>();
        return services;
    }

    /// <summary>Adds the bus with the worker's consumers (a standalone worker).</summary>
    public static IHostApplicationBuilder AddAnnotateWorkerBus(this IHostApplicationBuilder builder)
    {
        return builder.AddAnnotateBus(bus => bus.AddAnnotateWorkerConsumers(), WorkerOptions.EffectiveConcurrency(builder.Configuration));
    }

    /// <summary>Registers the worker's consumers on a bus.</summary>
    public static IBusRegistrationConfigurator AddAnnotateWorkerConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<AnnotateDocumentConsumer, AnnotateDocumentConsumerDefinition>();
        bus.AddConsumer<AnnotateDocumentFaultConsumer>().Endpoint(e => e.Name = "annotate-document-fault");
        return bus;
    }
}
