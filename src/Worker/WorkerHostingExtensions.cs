using Annotate.Annotators;
using Annotate.Worker.Consumers;
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
    /// <summary>Adds the annotation engine and the worker options (the bus is added by <see cref="AddAnnotateBus"/>).</summary>
    public static IHostApplicationBuilder AddAnnotateWorker(this IHostApplicationBuilder builder)
    {
        builder.Logging.AddConsole(o => o.FormatterName = AnnotateConsoleFormatter.FormatterName)
            .AddConsoleFormatter<AnnotateConsoleFormatter, Microsoft.Extensions.Logging.Console.ConsoleFormatterOptions>();
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
        return services;
    }

    /// <summary>Registers the worker's consumers on a bus.</summary>
    public static IBusRegistrationConfigurator AddAnnotateWorkerConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<AnnotateDocumentConsumer, AnnotateDocumentConsumerDefinition>();
        bus.AddConsumer<AnnotateDocumentFaultConsumer>().Endpoint(e => e.Name = "annotate-document-fault");
        return bus;
    }

    /// <summary>
    /// Adds MassTransit on the configured transport (in-memory by default, RabbitMQ with
    /// <c>Annotate:Bus:Transport=RabbitMq</c>) with the consumers <paramref name="consumers"/> registers.
    /// </summary>
    public static IHostApplicationBuilder AddAnnotateBus(this IHostApplicationBuilder builder, Action<IBusRegistrationConfigurator> consumers)
    {
        builder.Services.AddOptions<BusOptions>().BindConfiguration(BusOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var bus = builder.Configuration.GetSection(BusOptions.Section).Get<BusOptions>() ?? new BusOptions();
        // Start-up waits until the receive endpoints have declared and bound their queues. Otherwise, on RabbitMQ, a
        // command published by the hosted services or the API registered after the bus can reach an exchange with no
        // queue bound yet, and the broker drops it: the document would stay Queued.
        builder.Services.AddOptions<MassTransitHostOptions>().Configure(o => o.WaitUntilStarted = true);
        builder.Services.AddMassTransit(x =>
        {
            x.SetKebabCaseEndpointNameFormatter();
            consumers(x);
            if (bus.UsesRabbitMq)
            {
                var connection = bus.Connection();
                var worker = builder.Configuration.GetSection(WorkerOptions.Section).Get<WorkerOptions>() ?? new WorkerOptions();
                var prefetch = (ushort)(bus.PrefetchCount ?? worker.ConcurrentDocuments);
                x.AddConfigureEndpointsCallback((_, _, endpoint) =>
                {
                    if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
                    {
                        // Durable is MassTransit's default already; said here so the endpoints cannot silently become transient.
                        rabbit.Durable = true;
                        rabbit.PrefetchCount = prefetch;
                        if (bus.QuorumQueues)
                        {
                            rabbit.SetQuorumQueue();
                        }
                    }
                });
                x.UsingRabbitMq((context, cfg) =>
                {
                    cfg.Host(connection.Host, (ushort)connection.Port, connection.VirtualHost, h =>
                    {
                        h.Username(connection.Username);
                        h.Password(connection.Password);
                        // A publish completes only once the broker has the message, so an accepted document is never lost
                        // in a broker restart between the HTTP 202 and the queue.
                        h.PublisherConfirmation = true;
                        if (connection.UseTls)
                        {
                            h.UseSsl(ssl => ssl.ServerName = connection.Host);
                        }
                    });
                    cfg.ConfigureEndpoints(context);
                });
            }
            else
            {
                x.UsingInMemory((context, cfg) => cfg.ConfigureEndpoints(context));
            }
        });
        return builder;
    }
}
