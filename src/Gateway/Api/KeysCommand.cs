using System.Globalization;
using Annotate.Gateway.Storage;
using Microsoft.Extensions.Options;

namespace Annotate.Gateway.Api;

/// <summary>
/// <c>keys new --tenant T [--name N]</c>, <c>keys list</c>, <c>keys revoke ID</c>: API keys kept in the state store the
/// gateway is configured with (the same settings files and environment variables). A new key is printed once; only its
/// SHA-256 is stored. Gateways accept a new key, and refuse a revoked one, within <see cref="ApiOptions.KeyCacheDuration"/>.
/// </summary>
public static class KeysCommand
{
    private const string Usage = """
        Usage: keys new --tenant <tenant> [--name <name>]   make a key for a tenant (printed once; only its hash is stored)
               keys list                                    the stored keys: id, tenant, name, when made, when revoked
               keys revoke <id>                             revoke a key (gateways refuse it within Annotate:Api:KeyCacheDuration)
        A tenant name is 1 to 64 letters, digits, '.', '_' or '-'; a name is 1 to 100 characters, no control characters.
        """;

    /// <summary>True when <paramref name="args"/> are a <c>keys</c> command (the gateway is then not started).</summary>
    public static bool Matches(string[] args) => args.Length > 0 && args[0] == "keys";

    /// <summary>
    /// Runs a <c>keys</c> command against the configured state store and returns its exit code (2 for a usage error,
    /// 1 when the key to revoke is unknown). <paramref name="settings"/> are added to the configuration last (tests).
    /// </summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, IDictionary<string, string?>? settings = null)
    {
        if (Parse(args) is not { } command)
        {
            await error.WriteLineAsync(Usage);
            return 2;
        }
        // The gateway's settings: appsettings.json beside the executable, the environment's file and variables (the web
        // host's ASPNETCORE_ENVIRONMENT too, which a plain host would not read).
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = [],
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT"),
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }
        builder.Services.AddAnnotateStateStore();
        builder.Services.AddOptions<ApiOptions>().BindConfiguration(ApiOptions.Section);
        await using var services = builder.Services.BuildServiceProvider();
        var store = services.GetRequiredService<IDocumentStore>();
        await store.InitializeAsync(CancellationToken.None);
        var keys = (IApiKeyStore)store;
        var time = TimeProvider.System;
        var cache = services.GetRequiredService<IOptions<ApiOptions>>().Value.KeyCacheDuration;
        switch (command)
        {
            case ("new", var tenant, var name):
                var key = ApiKeys.NewKey();
                var stored = new StoredApiKey(ApiKeys.NewKeyId(), tenant!, name, time.GetUtcNow());
                if (!await keys.AddApiKeyAsync(stored, ApiKeys.Hash(key), CancellationToken.None))
                {
                    await error.WriteLineAsync("A key with the same id or hash exists already; run the command again.");
                    return 1;
                }
                await output.WriteLineAsync($"API key {stored.Id} for tenant '{tenant}'{(name is null ? "" : $" ({name})")}. It is shown only now; the state store keeps only its SHA-256:");
                await output.WriteLineAsync();
                await output.WriteLineAsync($"  {key}");
                await output.WriteLineAsync();
                await output.WriteLineAsync($"Clients send it as the header {ApiKeys.Header}. Running gateways accept it within {Seconds(cache)}; revoke it with `keys revoke {stored.Id}`.");
                return 0;
            case ("list", _, _):
                var all = await keys.ListApiKeysAsync(CancellationToken.None);
                if (all.Count == 0)
                {
                    await output.WriteLineAsync("No keys are stored. Make one with `keys new --tenant <tenant>`.");
                    return 0;
                }
                await output.WriteLineAsync($"{"id",-16} {"tenant",-20} {"created (UTC)",-20} {"revoked (UTC)",-20} name");
                foreach (var k in all)
                {
                    await output.WriteLineAsync($"{k.Id,-16} {k.Tenant,-20} {When(k.CreatedAt),-20} {(k.RevokedAt is { } r ? When(r) : "-"),-20} {k.Name}");
                }
                return 0;
            default:
                var id = command.Argument!;
                if (!await keys.RevokeApiKeyAsync(id, time.GetUtcNow(), CancellationToken.None))
                {
                    await error.WriteLineAsync($"No key '{id}' that is not already revoked; `keys list` shows the keys.");
                    return 1;
                }
                await output.WriteLineAsync($"Revoked {id}. Running gateways refuse it within {Seconds(cache)} (Annotate:Api:KeyCacheDuration).");
                return 0;
        }
    }

    // (verb, tenant or id, name), or null when the arguments are not a valid keys command.
    private static (string Verb, string? Argument, string? Name)? Parse(string[] args)
    {
        switch (args)
        {
            case ["keys", "list"]:
                return ("list", null, null);
            case ["keys", "revoke", var id] when id.Length is > 0 and <= 64 && id.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'):
                return ("revoke", id, null);
            case ["keys", "new", .. var rest]:
                string? tenant = null, name = null;
                for (var i = 0; i < rest.Length; i++)
                {
                    switch (rest[i])
                    {
                        case "--tenant" when i + 1 < rest.Length && tenant is null:
                            tenant = rest[++i];
                            break;
                        case "--name" when i + 1 < rest.Length && name is null:
                            name = rest[++i];
                            break;
                        default:
                            return null;
                    }
                }
                return tenant is not null && ApiKeys.TenantName().IsMatch(tenant) && (name is null || IsName(name)) ? ("new", tenant, name) : null;
            default:
                return null;
        }
    }

    private static bool IsName(string name) => name.Length is > 0 and <= 100 && !name.Any(char.IsControl);

    private static string When(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    private static string Seconds(TimeSpan time) => $"{time.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s";
}
