using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Annotate.Annotators.Models.Host;

/// <summary>
/// Health of the language model: healthy when loaded, degraded when none is configured (or it is still loading) since
/// everything but the model annotators works, unhealthy with the reason when loading failed.
/// </summary>
public sealed class ModelHealthCheck(ILanguageModel model) : IHealthCheck
{
    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = model.Status;
        var data = new Dictionary<string, object>
        {
            ["state"] = status.State,
        };
        if (status.Name is not null)
        {
            data["name"] = status.Name;
        }
        if (status.Path is not null)
        {
            data["path"] = status.Path;
        }
        if (status.Sha256 is not null)
        {
            data["sha256"] = status.Sha256;
        }
        if (status.ContextSize > 0)
        {
            data["contextSize"] = status.ContextSize;
        }
        var result = status.State switch
        {
            "ready" when status.IsAvailable => HealthCheckResult.Healthy($"Model {status.Name} is loaded (context {status.ContextSize} tokens).", data),
            "not-configured" => HealthCheckResult.Degraded($"No language model configured; model annotators are skipped. {status.Reason}", data: data),
            "loading" => HealthCheckResult.Degraded("The language model is loading.", data: data),
            _ => HealthCheckResult.Unhealthy($"The language model is unavailable: {status.Reason}", data: data),
        };
        return Task.FromResult(result);
    }
}
