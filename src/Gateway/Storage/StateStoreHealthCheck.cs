using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Annotate.Gateway.Storage;

/// <summary>Ready when the state store answers a query (the count of documents in flight) within the check's time.</summary>
public sealed class StateStoreHealthCheck(IDocumentStore store) : IHealthCheck
{
    /// <summary>Name of the check.</summary>
    public const string Name = "state-store";

    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var inFlight = await store.CountUnfinishedAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            return HealthCheckResult.Healthy($"The state store answers ({inFlight} documents in flight).");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The message names the store and what failed; a PostgreSQL connection string is never in it.
            return HealthCheckResult.Unhealthy($"The state store cannot be read: {ex.Message}");
        }
    }
}
