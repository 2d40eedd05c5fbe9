using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Annotate.Gateway.Storage;
using Microsoft.Extensions.Options;

namespace Annotate.Gateway.Api;

/// <summary>
/// Tells the tenant of an API key: keys configured by their SHA-256 (<c>Annotate:Gateway:ApiKeys</c>: hash in hex → tenant)
/// and keys kept in the state store (<c>keys new</c>, hashes only). Stored keys are looked up once per
/// <see cref="ApiOptions.KeyCacheDuration"/> and remembered meanwhile, so a request costs no query and a revoked key stops
/// working within that time.
/// </summary>
public sealed partial class ApiKeys
{
    /// <summary>The header a caller sends its key in.</summary>
    public const string Header = "X-Api-Key";

    // Beyond this many remembered answers, new ones are not remembered (random keys cannot fill the memory).
    private const int CacheLimit = 10_000;

    private readonly FrozenDictionary<string, string> _tenantsByHash;
    private readonly IApiKeyStore _store;
    private readonly TimeProvider _time;
    private readonly TimeSpan _cacheFor;
    private readonly ConcurrentDictionary<string, (string? Tenant, DateTimeOffset Until)> _stored = new(StringComparer.Ordinal);
    // Ticks (UTC) until which "no key is stored" is believed; a long, so threads never read half of it.
    private long _noneStoredUntil = long.MinValue;
    private volatile bool _anyStored;

    public ApiKeys(IOptions<GatewayOptions> options, IOptions<ApiOptions> api, IApiKeyStore store, TimeProvider time)
    {
        _tenantsByHash = options.Value.ApiKeys.ToFrozenDictionary(k => k.Key.ToLowerInvariant(), k => k.Value, StringComparer.Ordinal);
        _store = store;
        _time = time;
        _cacheFor = api.Value.KeyCacheDuration;
    }

    /// <summary>True when keys are configured: every API request must then carry one.</summary>
    public bool Configured => _tenantsByHash.Count > 0;

    /// <summary>
    /// True when every API request must carry a key: keys are configured, or a key was ever stored (revoking the last
    /// stored key does not open the API).
    /// </summary>
    public async ValueTask<bool> RequiredAsync(CancellationToken cancellationToken)
    {
        if (Configured || _anyStored)
        {
            return true;
        }
        var now = _time.GetUtcNow();
        if (now.UtcTicks < Interlocked.Read(ref _noneStoredUntil))
        {
            return false;
        }
        if (await _store.HasApiKeysAsync(cancellationToken))
        {
            _anyStored = true;
            return true;
        }
        Interlocked.Exchange(ref _noneStoredUntil, (now + _cacheFor).UtcTicks);
        return false;
    }

    /// <summary>The tenant of <paramref name="key"/>, or null when it is neither configured nor stored and not revoked.</summary>
    public async ValueTask<string?> TenantOfAsync(string? key, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(key))
        {
            return null;
        }
        // What is looked up (and compared, by the dictionary and the database index) is the key's SHA-256, never the key:
        // timing can tell an attacker at most how much of a hash of their own guess matches, which brings them no closer to a key.
        var hash = Hash(key);
        if (_tenantsByHash.GetValueOrDefault(hash) is { } configured)
        {
            return configured;
        }
        var now = _time.GetUtcNow();
        if (_stored.TryGetValue(hash, out var remembered) && now < remembered.Until)
        {
            return remembered.Tenant;
        }
        var tenant = await _store.FindApiKeyTenantAsync(hash, cancellationToken);
        if (_cacheFor > TimeSpan.Zero)
        {
            if (_stored.Count >= CacheLimit)
            {
                foreach (var expired in _stored.Where(e => e.Value.Until <= now))
                {
                    _stored.TryRemove(expired.Key, out _);
                }
            }
            if (_stored.Count < CacheLimit)
            {
                _stored[hash] = (tenant, now + _cacheFor);
            }
        }
        if (tenant is not null)
        {
            _anyStored = true;
        }
        return tenant;
    }

    /// <summary>The SHA-256 of a key in lower-case hex: what goes in the configuration (<c>printf %s "$KEY" | sha256sum</c>) and in the store.</summary>
    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>A new random key (32 bytes, URL-safe Base64).</summary>
    public static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>A new key id: random, short, and unrelated to the key (so listing ids reveals nothing of any key).</summary>
    public static string NewKeyId() => "k_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

    /// <summary>Why a configured entry is wrong, or null when every entry is a SHA-256 in hex mapped to a tenant name.</summary>
    internal static string? Problem(IReadOnlyDictionary<string, string> configured)
    {
        foreach (var (hash, tenant) in configured)
        {
            if (!HexSha256().IsMatch(hash))
            {
                return $"Annotate:Gateway:ApiKeys holds '{(hash.Length > 8 ? hash[..8] + "…" : hash)}', which is not the SHA-256 of a key in hex (64 characters): configure `printf %s \"$KEY\" | sha256sum`, never the key itself.";
            }
            if (!TenantName().IsMatch(tenant ?? string.Empty))
            {
                return $"Annotate:Gateway:ApiKeys:{hash[..8]}… maps to '{tenant}', which is not a tenant name (1 to 64 letters, digits, '.', '_' or '-').";
            }
        }
        return null;
    }

    [GeneratedRegex("^[0-9a-fA-F]{64}$")]
    private static partial Regex HexSha256();

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    internal static partial Regex TenantName();
}

/// <summary>Who calls the API, told once per request from its <c>X-Api-Key</c> header (before the rate limiter, which counts per key).</summary>
/// <param name="Required">Whether keys are required.</param>
/// <param name="Tenant">The caller's tenant; null when keys are required and the key is missing or unknown.</param>
/// <param name="KeyHash">SHA-256 of the key when it is valid (the rate limiter's partition); never the key.</param>
internal sealed record ApiCaller(bool Required, string? Tenant, string? KeyHash)
{
    private const string Item = "Annotate.ApiCaller";

    /// <summary>The caller when it was already resolved for this request, otherwise null.</summary>
    public static ApiCaller? Known(HttpContext http) => http.Items[Item] as ApiCaller;

    /// <summary>The caller of <paramref name="http"/>, resolved on first use and kept for the rest of the request.</summary>
    public static async ValueTask<ApiCaller> OfAsync(HttpContext http)
    {
        if (http.Items[Item] is ApiCaller known)
        {
            return known;
        }
        var keys = http.RequestServices.GetRequiredService<ApiKeys>();
        var caller = new ApiCaller(false, Tenants.Default, null);
        if (await keys.RequiredAsync(http.RequestAborted))
        {
            // Without keys the API is reachable on loopback only (see ApiHostingExtensions): everything is the default tenant's.
            var presented = http.Request.Headers[ApiKeys.Header].ToString();
            var tenant = await keys.TenantOfAsync(presented, http.RequestAborted);
            caller = new ApiCaller(true, tenant, tenant is null ? null : ApiKeys.Hash(presented));
        }
        http.Items[Item] = caller;
        return caller;
    }
}

/// <summary>Tells who calls the API from its <c>X-Api-Key</c> header; answers 401 when keys are required and it is missing or unknown.</summary>
internal sealed class ApiKeyFilter : IEndpointFilter
{
    private const string TenantItem = "Annotate.Tenant";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var caller = await ApiCaller.OfAsync(http);
        if (caller.Tenant is not { } tenant)
        {
            http.Response.Headers.WWWAuthenticate = $"ApiKey header=\"{ApiKeys.Header}\"";
            return ApiProblems.Problem(StatusCodes.Status401Unauthorized, "unauthorized", http.Request.Headers[ApiKeys.Header].ToString().Length == 0
                ? $"Send an API key in the {ApiKeys.Header} header."
                : $"The API key in the {ApiKeys.Header} header is not known, or was revoked.");
        }
        http.Items[TenantItem] = tenant;
        return await next(context);
    }

    /// <summary>The tenant of the request, set by the filter.</summary>
    public static string TenantOf(HttpContext context) =>
        context.Items[TenantItem] as string ?? throw new InvalidOperationException("The API key filter did not run for this endpoint.");
}
