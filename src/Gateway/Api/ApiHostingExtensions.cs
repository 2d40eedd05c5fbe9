using System.Threading.RateLimiting;
using Annotate.Annotators.Readers;
using Annotate.Gateway.Storage;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace Annotate.Gateway.Api;

/// <summary>Composition of the HTTP API: keys and tenants, rate limit, problem details, OpenAPI document and reference page.</summary>
public static class ApiHostingExtensions
{
    /// <summary>Name of the rate-limiting policy of the <c>/api</c> endpoints.</summary>
    public const string RateLimitPolicy = "api";

    /// <summary>Adds what the API needs; the gateway refuses to start open (no keys) on an address other machines reach.</summary>
    public static IHostApplicationBuilder AddAnnotateApi(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ApiOptions>().BindConfiguration(ApiOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.FormatsAreKnown(),
                $"{ApiOptions.Section}:AllowedFormats names a format Annotate does not read; use {string.Join(", ", ApiOptions.ReadableFormats)}.")
            .ValidateOnStart();
        // Checked at start with the other gateway options; the message names the address or the wrong entry.
        services.AddOptions<GatewayOptions>().ValidateOnStart();
        services.AddSingleton<IValidateOptions<GatewayOptions>, ConfiguredApiKeysAreHashes>();
        services.TryAddSingleton<FormatDetector>();
        services.AddSingleton<ApiKeys>();
        services.AddProblemDetails();
        services.AddOpenApi(openApi => openApi.AddDocumentTransformer((document, _, _) =>
        {
            // The key header as a security scheme, so the reference page offers a field for it.
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes["ApiKey"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = ApiKeys.Header,
                Description = "Required when the gateway has API keys (configured in Annotate:Gateway:ApiKeys, or made with `keys new`); each key sees its tenant's documents only.",
            };
            document.Security ??= [];
            document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("ApiKey", document)] = [] });
            return Task.CompletedTask;
        }));
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(RateLimitPolicy, context =>
            {
                var options = context.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value;
                if (options.RateLimitPermits == 0)
                {
                    return RateLimitPartition.GetNoLimiter("unlimited");
                }
                return RateLimitPartition.GetFixedWindowLimiter(PartitionOf(context), _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = options.RateLimitPermits,
                    Window = options.RateLimitWindow,
                    QueueLimit = 0,
                });
            });
            limiter.OnRejected = async (rejected, cancellationToken) =>
            {
                var http = rejected.HttpContext;
                var window = http.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value.RateLimitWindow;
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : window;
                http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                await ApiProblems.Problem(StatusCodes.Status429TooManyRequests, "rate-limited",
                        $"Too many requests for this API key: at most {http.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value.RateLimitPermits} per {window} ({ApiOptions.Section}:RateLimitPermits). Try again after {http.Response.Headers.RetryAfter} s.")
                    .ExecuteAsync(http);
            };
        });
        return builder;
    }

    // Per key: a valid key counts for its hash, anything else for the client's address (so random keys do not each get a
    // fresh allowance). The caller was told before the limiter ran (UseAnnotateApi).
    private static string PartitionOf(HttpContext context) =>
        ApiCaller.Known(context)?.KeyHash is { } hash ? "key:" + hash : "address:" + context.Connection.RemoteIpAddress;

    /// <summary>Error pages, rate limiting, the OpenAPI document (<c>/openapi/v1.json</c>) and its reference page (<c>/scalar</c>).</summary>
    public static WebApplication UseAnnotateApi(this WebApplication app)
    {
        // Every error answer is a problem details body, including those no endpoint wrote (404 of an unknown route, 405).
        app.UseStatusCodePages();
        // Who calls is told before the rate limiter, which counts per key; stored keys need a (remembered) store lookup.
        app.Use(async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments("/api"))
            {
                await ApiCaller.OfAsync(context);
            }
            await next(context);
        });
        app.UseRateLimiter();
        app.MapOpenApi();
        app.MapScalarApiReference(scalar =>
        {
            // The page's script is the copy bundled in the package (served under /scalar); its fonts would come from
            // Scalar's CDN, so the system fonts are used and the page works without internet.
            scalar.DefaultFonts = false;
            scalar.Title = "Annotate API";
        });
        return app;
    }

    /// <summary>
    /// Refuses an open API (no key configured or stored) on an address other machines can reach, naming it. Run once the
    /// state store is initialized, since keys made with <c>keys new</c> are kept there.
    /// </summary>
    public static async Task RefuseOpenApiOffLoopbackAsync(this WebApplication app, CancellationToken cancellationToken)
    {
        if (!await app.Services.GetRequiredService<ApiKeys>().RequiredAsync(cancellationToken)
            && ListenAddress.ReachableFromOtherMachines(app.Configuration) is { } address)
        {
            throw new InvalidOperationException(
                $"Annotate would listen on {address}, which other machines can reach, with no API keys: anyone could upload and read every document. " +
                "Make a key (`keys new --tenant <tenant>`) or configure one (Annotate:Gateway:ApiKeys), see the README's \"HTTP API\" section, or listen on localhost only (ASPNETCORE_URLS=http://localhost:5080).");
        }
    }

    /// <summary>Checks the configured keys: hashes in hex mapped to tenant names.</summary>
    private sealed class ConfiguredApiKeysAreHashes : IValidateOptions<GatewayOptions>
    {
        public ValidateOptionsResult Validate(string? name, GatewayOptions options) =>
            ApiKeys.Problem(options.ApiKeys) is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
    }
}
