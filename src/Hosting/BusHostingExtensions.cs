using Annotate.Hosting.PlainJson;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Annotate.Hosting;

/// <summary>MassTransit on the configured transport, set up the same way in every host.</summary>
public static class BusHostingExtensions
{
    /// <summary>
    /// Adds MassTransit on the configured transport (in-memory by default, RabbitMQ with
    /// <c>Annotate:Bus:Transport=RabbitMq</c>) with the consumers <paramref name="consumers"/> registers.
    /// <paramref name="defaultPrefetch"/> is how many unacknowledged messages an endpoint holds when
    /// <c>Annotate:Bus:PrefetchCount</c> is not set; <paramref name="rabbitMq"/> adds endpoints and topology of the host's own.
    /// </summary>
    public static IHostApplicationBuilder AddAnnotateBus(this IHostApplicationBuilder builder,
        Action<IBusRegistrationConfigurator> consumers,
        int defaultPrefetch,
        Action<IBusRegistrationContext, IRabbitMqBusFactoryConfigurator>? rabbitMq = null)
    {
        builder.Services.AddOptions<BusOptions>().BindConfiguration(BusOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var bus = builder.Configuration.GetSection(BusOptions.Section).Get<BusOptions>() ?? new BusOptions();
        // Start-up waits until the receive endpoints have declared and bound their queues. Otherwise, on RabbitMQ, a
        // command published by the hosted services or the API registered after the bus can reach an exchange with no
        // queue bound yet, and the broker drops it: the document would stay Queued.
        builder.Services.AddOptions<MassTransitHostOptions>().Configure(o => o.WaitUntilStarted = true);
        PlainJsonInterface.AllowCommandsWithoutSourceUri();
        builder.Services.AddMassTransit(x =>
        {
            x.SetKebabCaseEndpointNameFormatter();
            // MassTransit 8.4+ reports anonymous usage to its makers over the internet once the bus has run a while.
            // Annotate talks to nothing but its broker, database and loopback: a document service that promises not to
            // send anything off the machine must not phone home either.
            x.DisableUsageTelemetry();
            consumers(x);
            if (bus.UsesRabbitMq)
            {
                var connection = bus.Connection();
                var prefetch = bus.EffectivePrefetch(defaultPrefetch);
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
                    // Document events also go out as plain JSON to the annotate-events exchange, for other systems.
                    cfg.UsePublishFilter(typeof(PlainJsonEventsFilter<>), context);
                    cfg.ConfigureEndpoints(context);
                    // After ConfigureEndpoints: it leaves out consumers already configured on an endpoint, so a host's own
                    // endpoint for a consumer (annotate-requests) declared first would take away its usual one (annotate-document).
                    rabbitMq?.Invoke(context, cfg);
                });
            }
            else
            {
                x.AddConsumer<BusWarmUpConsumer>();
                x.UsingInMemory((context, cfg) => cfg.ConfigureEndpoints(context));
            }
        });
        if (!bus.UsesRabbitMq)
        {
            // On the in-memory bus one request at start compiles the paths the first document would (BusWarmUpService).
            builder.Services.TryAddSingleton(TimeProvider.System);
            builder.Services.AddSingleton<BusWarmUpService>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<BusWarmUpService>());
        }
        return builder;
    }
}
