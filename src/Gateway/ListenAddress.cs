namespace Annotate.Gateway;

/// <summary>Where the HTTP API listens: chosen the usual ASP.NET Core ways, <see cref="Default"/> when none is used.</summary>
public static class ListenAddress
{
    /// <summary>The address used when nothing chooses one.</summary>
    public const string Default = "http://localhost:5080";

    /// <summary>
    /// Listens on <see cref="Default"/> unless <c>ASPNETCORE_URLS</c>, <c>--urls</c>, <c>ASPNETCORE_HTTP_PORTS</c> or
    /// <c>Kestrel:Endpoints</c> say otherwise. The default is not in appsettings.json: there it would hide
    /// <c>ASPNETCORE_URLS</c>, which ASP.NET Core reads before the settings file.
    /// </summary>
    public static WebApplicationBuilder UseDefaultListenAddress(this WebApplicationBuilder builder)
    {
        if (DefaultFor(builder.Configuration) is { } address)
        {
            builder.WebHost.UseUrls(address);
        }
        return builder;
    }

    /// <summary><see cref="Default"/>, or null when <paramref name="configuration"/> already chooses an address.</summary>
    public static string? DefaultFor(IConfiguration configuration)
    {
        var chosen = !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.ServerUrlsKey])
            || !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.HttpPortsKey])
            || !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.HttpsPortsKey])
            || configuration.GetSection("Kestrel:Endpoints").GetChildren().Any();
        return chosen ? null : Default;
    }
    /// <summary>
    /// The first address the configuration makes Kestrel listen on that other machines can reach (a wildcard, a
    /// non-loopback IP or a host name other than localhost, or any port chosen with <c>ASPNETCORE_HTTP_PORTS</c>, which
    /// binds every interface), or null when it listens on loopback only. Nothing chosen means <see cref="Default"/>.
    /// </summary>
    public static string? ReachableFromOtherMachines(IConfiguration configuration)
    {
        foreach (var key in new[] { WebHostDefaults.HttpPortsKey, WebHostDefaults.HttpsPortsKey })
        {
            if (configuration[key] is { Length: > 0 } ports)
            {
                return $"port {ports} of every interface ({key})";
            }
        }
        var urls = (configuration[WebHostDefaults.ServerUrlsKey] ?? string.Empty)
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Concat(configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e["Url"]).OfType<string>());
        return urls.FirstOrDefault(url => !IsLoopback(url));
    }

    private static bool IsLoopback(string url)
    {
        // Kestrel's wildcards (*, +, 0.0.0.0, [::]) are not valid in a Uri or are not loopback: only a parsed loopback host is.
        var host = url.Contains("://", StringComparison.Ordinal) ? url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..] : url;
        host = host.Split('/')[0];
        host = host.StartsWith('[') ? host[1..Math.Max(1, host.IndexOf(']'))] : host.Split(':')[0];
        return string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
            || (System.Net.IPAddress.TryParse(host, out var ip) && System.Net.IPAddress.IsLoopback(ip));
    }
}
