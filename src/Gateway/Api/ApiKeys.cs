using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Annotate.Gateway.Storage;
using Microsoft.Extensions.Options;

namespace Annotate.Gateway.Api;

/// <summary>
/// The configured API keys (<c>Annotate:Gateway:ApiKeys</c>: the SHA-256 of a key, in hex, → its tenant). Only hashes are
/// configured, so the settings file does not hold what a caller sends.
/// </summary>
public sealed partial class ApiKeys
{
    /// <summary>The header a caller sends its key in.</summary>
    public const string Header = "X-Api-Key";

    private readonly FrozenDictionary<string, string> _tenantsByHash;

    public ApiKeys(IOptions<GatewayOptions> options) =>
        _tenantsByHash = options.Value.ApiKeys.ToFrozenDictionary(k => k.Key, k => k.Value, StringComparer.OrdinalIgnoreCase);

    /// <summary>True when keys are configured: every API request must then carry one.</summary>
    public bool Required => _tenantsByHash.Count > 0;

    /// <summary>The tenant of <paramref name="key"/>, or null when it is not a configured key.</summary>
    public string? TenantOf(string? key) =>
        string.IsNullOrEmpty(key) ? null : _tenantsByHash.GetValueOrDefault(Hash(key));

    /// <summary>The SHA-256 of a key in lower-case hex: what goes in the configuration (<c>printf %s "$KEY" | sha256sum</c>).</summary>
    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>A new random key (32 bytes, URL-safe Base64).</summary>
    public static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

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

/// <summary>Tells who calls the API from its <c>X-Api-Key</c> header; answers 401 when keys are configured and it is missing or unknown.</summary>
internal sealed class ApiKeyFilter(ApiKeys keys) : IEndpointFilter
{
    private const string TenantItem = "Annotate.Tenant";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (!keys.Required)
        {
            // Without keys the API is reachable on loopback only (see ApiHostingExtensions): everything is the default tenant's.
            http.Items[TenantItem] = Tenants.Default;
            return await next(context);
        }
        var presented = http.Request.Headers[ApiKeys.Header].ToString();
        if (keys.TenantOf(presented) is not { } tenant)
        {
            http.Response.Headers.WWWAuthenticate = $"ApiKey header=\"{ApiKeys.Header}\"";
            return ApiProblems.Problem(StatusCodes.Status401Unauthorized, "unauthorized", presented.Length == 0
                ? $"Send an API key in the {ApiKeys.Header} header."
                : $"The API key in the {ApiKeys.Header} header is not known.");
        }
        http.Items[TenantItem] = tenant;
        return await next(context);
    }

    /// <summary>The tenant of the request, set by the filter.</summary>
    public static string TenantOf(HttpContext context) =>
        context.Items[TenantItem] as string ?? throw new InvalidOperationException("The API key filter did not run for this endpoint.");
}
