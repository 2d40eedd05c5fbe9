using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Annotate.Worker.Isolation;

/// <summary>
/// Reports the pipeline children: how many are alive, how many died or were killed in the last hour, deaths by reason,
/// and the model they hold. Unhealthy when the children's model failed to load (as the in-process model check is);
/// degraded while no child is ready to take documents.
/// </summary>
public sealed class IsolationHealthCheck(PipelineSupervisor supervisor) : IHealthCheck
{
    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var state = supervisor.State();
        var data = new Dictionary<string, object>
        {
            ["childrenAlive"] = state.Alive,
            ["childrenStarted"] = supervisor.ChildrenStarted,
            ["childrenRecycled"] = supervisor.ChildrenRecycled,
            ["childrenStoppedIdle"] = supervisor.ChildrenStoppedIdle,
            ["cachesReleased"] = supervisor.CachesReleased,
            ["restartsLastHour"] = state.DeathsLastHour,
            // Ready, but a document that comes before the warm-up is over shares its loads and takes longer than the next.
            ["warmedUp"] = state.SharedWarmedUp,
        };
        foreach (var (reason, count) in state.DeathsByReason)
        {
            data["crashes:" + reason] = count;
        }
        foreach (var (reason, count) in supervisor.ChildrenRecycledByReason)
        {
            data["recycled:" + reason] = count;
        }
        if (state.Model is { } model)
        {
            data["modelState"] = model.ModelState;
            if (model.ModelSha256 is { } sha256)
            {
                data["modelSha256"] = sha256;
            }
        }
        var summary = $"{state.Alive} pipeline child(ren) alive, {state.DeathsLastHour} restart(s) in the last hour";
        var result = state.Model is { ModelState: "failed" } failed
            ? HealthCheckResult.Unhealthy($"The pipeline child's language model could not be loaded: {failed.ModelReason}", data: data)
            : state.SharedReady ? HealthCheckResult.Healthy(summary + (state.SharedWarmedUp ? "" : "; warming up"), data)
            // Stopped for want of documents (IdleStopAfter): the next document starts one, so documents are still taken.
            : state.StoppedIdle ? HealthCheckResult.Healthy(summary + "; stopped while idle, the next document starts one", data)
            : HealthCheckResult.Degraded(summary + "; none ready yet", data: data);
        return Task.FromResult(result);
    }
}
