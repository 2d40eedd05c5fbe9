using Annotate.Gateway.Stats;

namespace Annotate.Gateway.Api;

/// <summary>HTTP API: throughput, latency, failure and token statistics from the state store.</summary>
public static class StatsEndpoints
{
    public static IEndpointRouteBuilder MapStatsEndpoints(this IEndpointRouteBuilder app)
    {
        // Behind the API key like every /api route: with keys, the figures are the caller's tenant's; without keys (loopback
        // only), every document's.
        app.MapGroup("/api").ForTenants()
            .MapGet("/stats", async (HttpContext http, StatsReader stats, CancellationToken cancellationToken) =>
                TypedResults.Ok(await stats.ReadAsync(ApiCaller.Known(http) is { Required: true } ? ApiKeyFilter.TenantOf(http) : null, cancellationToken)));
        return app;
    }
}
