namespace Annotate.Gateway.Api;

/// <summary>HTTP API: who the caller is, so the dashboard knows whether to ask for a key and whose documents it shows.</summary>
public static class SessionEndpoints
{
    public static IEndpointRouteBuilder MapSessionEndpoints(this IEndpointRouteBuilder app)
    {
        // Behind the key filter: without a valid key (when keys are required) the answer is the same 401 as everywhere.
        app.MapGroup("/api").ForTenants().MapGet("/session", (HttpContext http) =>
            TypedResults.Ok(new Session(ApiKeyFilter.TenantOf(http), ApiCaller.Known(http)?.Required ?? false)));
        return app;
    }
}

/// <summary>Answer of <c>GET /api/session</c>.</summary>
/// <param name="Tenant">The caller's tenant (<c>default</c> when keys are not required).</param>
/// <param name="KeysRequired">Whether every API request needs a key (keys are configured or stored).</param>
public sealed record Session(string Tenant, bool KeysRequired);
