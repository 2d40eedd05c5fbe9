using Annotate.Gateway.Api;
using Annotate.Gateway.Consumers;
using Annotate.Gateway.Inbox;
using Annotate.Gateway.Intake;
using Annotate.Gateway.Storage;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Annotate.Gateway;

/// <summary>Composition of the gateway: state store, intake, watched folder, state consumers and the HTTP API.</summary>
public static class GatewayHostingExtensions
{
    public static IHostApplicationBuilder AddAnnotateGateway(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<GatewayOptions>().BindConfiguration(GatewayOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<StateStoreOptions>().BindConfiguration(StateStoreOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        // PostgreSQL when a connection string is configured (several gateways share it), otherwise the SQLite file.
        services.AddSingleton<IDocumentStore>(sp => sp.GetRequiredService<IOptions<StateStoreOptions>>().Value.UsesPostgres
            ? ActivatorUtilities.CreateInstance<PostgresDocumentStore>(sp)
            : ActivatorUtilities.CreateInstance<SqliteDocumentStore>(sp));
        services.AddSingleton<BlobFolder>();
        services.AddSingleton<FailedFolder>();
        services.AddSingleton<DocumentStateChanges>();
        services.AddSingleton<DocumentIntake>();
        services.AddHealthChecks();
        services.AddProblemDetails();
        return builder;
    }

    /// <summary>Registers the gateway's consumers of document events.</summary>
    public static IBusRegistrationConfigurator AddAnnotateGatewayConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<DocumentAnnotationStartedConsumer>();
        bus.AddConsumer<DocumentAnnotatedConsumer>();
        bus.AddConsumer<DocumentAnnotationFailedConsumer>();
        return bus;
    }

    /// <summary>Hosted services that need the bus: registered after it so the bus starts first.</summary>
    public static IHostApplicationBuilder AddAnnotateGatewayServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHostedService<PendingDocumentsResumer>();
        builder.Services.AddHostedService<InboxWatcher>();
        builder.Services.AddHostedService<StartupBanner>();
        return builder;
    }

    /// <summary>Creates the database, then maps the API.</summary>
    public static WebApplication MapAnnotateGateway(this WebApplication app)
    {
        app.Services.GetRequiredService<IDocumentStore>().InitializeAsync(CancellationToken.None).GetAwaiter().GetResult();
        app.UseExceptionHandler();
        app.MapHealthChecks("/health");
        app.MapDocumentEndpoints();
        return app;
    }
}
