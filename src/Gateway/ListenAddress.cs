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
}
