using Annotate.Gateway.Stats;

namespace Annotate.Gateway.Api;

/// <summary>HTTP API: throughput, latency and failure statistics from the state store.</summary>
public static class StatsEndpoints
{
    public static IEndpointRouteBuilder MapStatsEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/stats", async (StatsReader stats, CancellationToken cancellationToken) => TypedResults.Ok(await stats.ReadAsync(cancellationToken)));
        return app;
    }
}
