using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Annotate.Gateway.Api;

/// <summary>
/// <c>/health/live</c>: the process answers (no check runs). <c>/health/ready</c>: every check tagged
/// <see cref="Annotate.Hosting.HostDefaults.ReadyTag"/> passes (bus, state store, blob store folders, and the model where the engine runs
/// here); 503 otherwise; both answer JSON naming the checks and why one failed. <c>/health</c> runs every check and
/// answers the overall status as plain text.
/// </summary>
public static class HealthEndpoints
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        // As it always answered: the overall status as plain text (scripts and compose health checks read it).
        app.MapHealthChecks("/health");
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(Annotate.Hosting.HostDefaults.ReadyTag),
            ResponseWriter = WriteAsync,
        });
        return app;
    }

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var view = new HealthView(report.Status.ToString(), report.Entries
            .Select(e => new HealthCheckView(e.Key, e.Value.Status.ToString(), e.Value.Description))
            .OrderBy(c => c.Name, StringComparer.Ordinal)
            .ToList());
        return context.Response.WriteAsync(JsonSerializer.Serialize(view, Json));
    }
}

/// <summary>Answer of the health endpoints.</summary>
/// <param name="Status"><c>Healthy</c>, <c>Degraded</c> (still 200) or <c>Unhealthy</c> (503).</param>
/// <param name="Checks">The checks that ran.</param>
public sealed record HealthView(string Status, IReadOnlyList<HealthCheckView> Checks);

/// <summary>One health check's result.</summary>
/// <param name="Name">Name of the check (<c>masstransit-bus</c>, <c>state-store</c>, <c>blobs</c>, <c>model</c>).</param>
/// <param name="Status"><c>Healthy</c>, <c>Degraded</c> or <c>Unhealthy</c>.</param>
/// <param name="Description">What the check found.</param>
public sealed record HealthCheckView(string Name, string Status, string? Description);
