using Annotate.Gateway.Stats;

namespace Annotate.Gateway.Api;

/// <summary>HTTP API: throughput, latency and failure statistics from the state store.</summary>
public static class StatsEndpoints
{
    public static IEndpointRouteBuilder MapStatsEndpoints(this IEndpointRouteBuilder app)
    {
        // Behind the API key like every /api route. The figures are the whole gateway's, every tenant's documents together.
        app.MapGroup("/api").ForTenants()
            .MapGet("/stats", async (StatsReader stats, CancellationToken cancellationToken) => TypedResults.Ok(await stats.ReadAsync(cancellationToken)));
        return app;
    }
}
