using Annotate.Annotators;
using Annotate.Annotators.Evaluation;
using Annotate.Gateway.Api;
using Annotate.Gateway.Consumers;
using Annotate.Gateway.Inbox;
using Annotate.Gateway.Intake;
using Annotate.Gateway.Dashboard;
using Annotate.Gateway.Evaluation;
using Annotate.Gateway.Jobs;
using Annotate.Gateway.Review;
using Annotate.Gateway.Stats;
using Annotate.Gateway.Storage;
using Annotate.Gateway.Telemetry;
using Annotate.Hosting;
using Annotate.Hosting.Telemetry;
using Annotate.Messages;
using Annotate.Worker;
using Annotate.Worker.Consumers;
using MassTransit;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Quartz;

namespace Annotate.Gateway;

/// <summary>Composition of the gateway: state store, intake, watched folder, state consumers and the HTTP API.</summary>
public static class GatewayHostingExtensions
{
    /// <summary>Name of the queue (and exchange) workers take <see cref="AnnotateDocument"/> commands from.</summary>
    public const string WorkQueue = "annotate-document";

    /// <summary>
    /// Adds the gateway's services: the host defaults, the settings it checks uploads against, the state store and the
    /// intake; and the worker's engine when <see cref="RunsWorker"/>.
    /// </summary>
    public static IHostApplicationBuilder AddAnnotateGateway(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        builder.AddAnnotateHostDefaults("annotate-gateway");
        services.AddAnnotationSettings();
        if (RunsWorker(builder.Configuration))
        {
            builder.AddAnnotateWorker();
        }
        services.AddAnnotateStateStore();
        services.AddSingleton<BlobFolder>();
        services.AddSingleton<Redrive>();
        services.AddSingleton<Review.ReviewStore>();
        services.AddSingleton<Review.ReviewedDownloads>();
        // POST /api/eval: the engine's evaluator; its sentence encoder loads on the first evaluation, not at start.
        services.AddEvaluation();
        services.AddSingleton<FailedFolder>();
        services.AddSingleton<DocumentStateChanges>();
        services.AddSingleton<ExactDuplicates>();
        services.AddSingleton<DocumentIntake>();
        services.AddSingleton<PartIntake>();
        services.AddOptions<Annotators.Readers.ContainerOptions>().BindConfiguration(Annotators.Readers.ContainerOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<InboxScanRequests>();
        services.AddSingleton<StartupRecovery>();
        services.AddProblemDetails();
        services.AddHealthChecks().AddCheck<StateStoreHealthCheck>(StateStoreHealthCheck.Name, tags: [Annotate.Hosting.HostDefaults.ReadyTag]);
        builder.AddAnnotateGatewayTelemetry();
        builder.AddAnnotateApi();
        return builder;
    }

    /// <summary>
    /// The state store: PostgreSQL when a connection string is configured (several gateways share it), otherwise the
    /// SQLite file; with the API keys it keeps. Also what the <c>keys</c> command opens.
    /// </summary>
    public static IServiceCollection AddAnnotateStateStore(this IServiceCollection services)
    {
        services.AddOptions<GatewayOptions>().BindConfiguration(GatewayOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<StateStoreOptions>().BindConfiguration(StateStoreOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IDocumentStore>(sp => sp.GetRequiredService<IOptions<StateStoreOptions>>().Value.UsesPostgres
            ? ActivatorUtilities.CreateInstance<PostgresDocumentStore>(sp)
            : ActivatorUtilities.CreateInstance<SqliteDocumentStore>(sp));
        services.AddSingleton(sp => (IApiKeyStore)sp.GetRequiredService<IDocumentStore>());
        return services;
    }

    /// <summary>
    /// Metrics (see <see cref="AnnotateMetrics"/>) scraped at <c>/metrics</c>, the documents-in-flight gauge, <c>/api/stats</c>;
    /// and, when spans are exported, the HTTP requests' spans (the root of an upload's trace through the broker to the worker).
    /// </summary>
    public static IHostApplicationBuilder AddAnnotateGatewayTelemetry(this IHostApplicationBuilder builder)
    {
        builder.AddAnnotateMetrics(WorkQueue);
        builder.Services.AddSingleton<TelemetryHostingExtensions.IObservableInstruments, DocumentsInFlightGauge>();
        builder.Services.AddSingleton<StatsReader>();
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddPrometheusExporter());
        if (Annotate.Hosting.HostDefaults.ExportsTraces(builder.Configuration))
        {
            builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddAspNetCoreInstrumentation());
        }
        return builder;
    }

    /// <summary>True when the worker runs in the gateway's process (see <see cref="GatewayOptions.RunWorker"/>).</summary>
    public static bool RunsWorker(IConfiguration configuration)
    {
        var gateway = configuration.GetSection(GatewayOptions.Section).Get<GatewayOptions>() ?? new GatewayOptions();
        return gateway.RunWorker ?? !DurableTransport(configuration);
    }

    /// <summary>True on RabbitMQ: queued commands survive a restart of the gateway, so it must not send them again.</summary>
    public static bool DurableTransport(IConfiguration configuration) =>
        (configuration.GetSection(BusOptions.Section).Get<BusOptions>() ?? new BusOptions()).UsesRabbitMq;

    /// <summary>Adds the bus with the gateway's consumers, and the worker's when it runs inside.</summary>
    public static IHostApplicationBuilder AddAnnotateGatewayBus(this IHostApplicationBuilder builder)
    {
        var runsWorker = RunsWorker(builder.Configuration);
        var bus = builder.Configuration.GetSection(BusOptions.Section).Get<BusOptions>() ?? new BusOptions();
        // Before the bus, so the documented queue and exchange exist when the gateway says it is ready.
        builder.Services.AddHostedService<PlainJsonTopologyDeclaration>();
        return builder.AddAnnotateBus(
            x =>
            {
                if (runsWorker)
                {
                    x.AddAnnotateWorkerConsumers();
                }
                x.AddAnnotateGatewayConsumers();
            },
            WorkerOptions.EffectiveConcurrency(builder.Configuration),
            (context, rabbit) =>
            {
                if (runsWorker)
                {
                    rabbit.ConfigureAnnotateRequestsEndpoint(context, bus, WorkerOptions.EffectiveConcurrency(builder.Configuration));
                }
                // The work queue is declared and bound by the gateway too: a command published before any worker has
                // started must wait in the queue, not reach an exchange with nothing bound and be dropped.
                // (Bound straight to the message type's exchange; a worker's own binding goes through an exchange named
                // after the queue. RabbitMQ puts a message in a queue once, however many routes lead to it.)
                rabbit.Publish<AnnotateDocument>(p => p.BindQueue(p.Exchange.ExchangeName, WorkQueue, q =>
                {
                    q.Durable = true;
                    if (bus.QuorumQueues)
                    {
                        q.SetQuorumQueue();
                    }
                }));
            });
    }

    /// <summary>Registers the gateway's consumers of document events.</summary>
    public static IBusRegistrationConfigurator AddAnnotateGatewayConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<DocumentAnnotationStartedConsumer>(RetryWhileStoreIsUnreachable);
        bus.AddConsumer<DocumentAnnotatedConsumer>(RetryWhileStoreIsUnreachable);
        bus.AddConsumer<DocumentAnnotationFailedConsumer>(RetryWhileStoreIsUnreachable);
        return bus;
    }

    /// <summary>
    /// An event whose state change fails because the state store is unreachable is tried again for
    /// <see cref="StateStoreOptions.RetryFor"/>: without it the event went to its error queue at the first failure and
    /// the document stayed in Received or Processing for good after a database restart.
    /// </summary>
    private static void RetryWhileStoreIsUnreachable<T>(IRegistrationContext context, IConsumerConfigurator<T> consumer) where T : class
    {
        var options = context.GetRequiredService<IOptions<StateStoreOptions>>().Value;
        consumer.UseMessageRetry(retry =>
        {
            retry.Intervals([.. options.RetryIntervals()]);
            retry.Handle<Npgsql.NpgsqlException>(ex => ex.IsTransient);
        });
    }

    /// <summary>Hosted services that need the bus: registered after it so the bus starts first.</summary>
    public static IHostApplicationBuilder AddAnnotateGatewayServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHostedService<PendingDocumentsResumer>();
        builder.Services.AddHostedService<InboxWatcher>();
        builder.Services.AddHostedService<StartupBanner>();
        builder.AddAnnotateJobs();
        return builder;
    }

    /// <summary>
    /// The scheduled work (<see cref="JobsOptions"/>): sweeper, retention, inbox rescan, throughput rollup and content pruning, on Quartz.
    /// The schedule is kept in memory with the SQLite state store (one gateway); with PostgreSQL it is kept in the same
    /// database and clustered, so gateways sharing it run each firing once. Registered after the bus, so the scheduler
    /// starts once jobs can publish.
    /// </summary>
    public static IHostApplicationBuilder AddAnnotateJobs(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<JobsOptions>().BindConfiguration(JobsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var jobs = builder.Configuration.GetSection(JobsOptions.Section).Get<JobsOptions>() ?? new JobsOptions();
        if (!jobs.Enabled)
        {
            return builder;
        }
        var state = builder.Configuration.GetSection(StateStoreOptions.Section).Get<StateStoreOptions>() ?? new StateStoreOptions();
        var gateway = builder.Configuration.GetSection(GatewayOptions.Section).Get<GatewayOptions>() ?? new GatewayOptions();
        services.AddQuartz(q =>
        {
            Every<SweepStuckDocumentsJob>(q, SweepStuckDocumentsJob.Key, jobs.SweepInterval);
            Every<RollUpThroughputJob>(q, RollUpThroughputJob.Key, jobs.RollupInterval);
            if (jobs.RetentionDays > 0)
            {
                Every<PurgeExpiredDocumentsJob>(q, PurgeExpiredDocumentsJob.Key, jobs.RetentionInterval);
            }
            if (jobs.ContentPruneInterval > TimeSpan.Zero)
            {
                Every<PruneContentJob>(q, PruneContentJob.Key, jobs.ContentPruneInterval);
            }
            if (gateway.WatchInbox && jobs.InboxRescanInterval > TimeSpan.Zero)
            {
                Every<RescanInboxJob>(q, RescanInboxJob.Key, jobs.InboxRescanInterval);
            }
            UseAnnotateJobStore(q, jobs, state);
        });
        services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        return builder;
    }

    /// <summary>
    /// Where the schedule is kept: in memory with SQLite; with PostgreSQL in the state store's database (the <c>qrtz_*</c>
    /// tables its migrations create, see <see cref="QuartzSchema"/>), clustered, so each firing runs on one gateway.
    /// </summary>
    internal static void UseAnnotateJobStore(IQuartzBuilder quartz, JobsOptions jobs, StateStoreOptions state)
    {
        quartz.ConfigureScheduler(s => s.InstanceName = jobs.SchedulerName);
        if (!state.UsesPostgres)
        {
            quartz.UseInMemoryStore();
            return;
        }
        quartz.UsePersistentStore(store =>
        {
            store.UsePostgres(state.PostgresConnectionString);
            store.UseClustering();
            store.UseSystemTextJsonSerializer();
        });
    }

    // One job with one trigger firing every interval from start-up; after downtime, Quartz's default for a trigger that
    // repeats for ever runs the next firing, not every one that was missed.
    private static void Every<TJob>(IQuartzBuilder quartz, JobKey key, TimeSpan interval) where TJob : IJob =>
        quartz.ScheduleJob<TJob>(
            trigger => trigger.WithIdentity(key.Name, key.Group).StartNow()
                .WithSimpleSchedule(s => s.WithInterval(interval).RepeatForever()),
            job => job.WithIdentity(key));

    /// <summary>Creates the database, then maps the API.</summary>
    public static WebApplication MapAnnotateGateway(this WebApplication app)
    {
        app.Services.GetRequiredService<IDocumentStore>().InitializeAsync(CancellationToken.None).GetAwaiter().GetResult();
        app.RefuseOpenApiOffLoopbackAsync(CancellationToken.None).GetAwaiter().GetResult();
        app.UseExceptionHandler();
        app.UseAnnotateApi();
        app.UseAnnotateDashboard();
        app.MapHealthEndpoints();
        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapDocumentEndpoints();
        app.MapRedriveEndpoints();
        app.MapReviewEndpoints();
        app.MapStatsEndpoints();
        app.MapSessionEndpoints();
        app.MapEvalEndpoints();
        return app;
    }
}
