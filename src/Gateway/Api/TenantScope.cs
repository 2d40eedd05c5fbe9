using Annotate.Gateway.Storage;

namespace Annotate.Gateway.Api;

/// <summary>What the caller's tenant may see: every endpoint that takes a document id goes through these.</summary>
internal static class TenantScope
{
    /// <summary>The routes of the API: the caller is told by its key (<see cref="ApiKeyFilter"/>) and rate-limited per key.</summary>
    public static RouteGroupBuilder ForTenants(this RouteGroupBuilder group) =>
        group.AddEndpointFilter<ApiKeyFilter>().RequireRateLimiting(ApiHostingExtensions.RateLimitPolicy);

    /// <summary>The document when it belongs to the caller's tenant; any other id is not found, so ids of others are not revealed.</summary>
    public static async Task<DocumentRecord?> FindOwnAsync(this IDocumentStore store, string id, HttpContext http, CancellationToken cancellationToken) =>
        await store.FindAsync(id, cancellationToken) is { } record && Owns(http, record) ? record : null;

    /// <summary>True when <paramref name="record"/> belongs to the caller's tenant.</summary>
    public static bool Owns(HttpContext http, DocumentRecord record) =>
        string.Equals(record.Tenant, ApiKeyFilter.TenantOf(http), StringComparison.Ordinal);
}
