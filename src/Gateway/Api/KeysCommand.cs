namespace Annotate.Gateway.Api;

/// <summary>
/// <c>keys new &lt;tenant&gt;</c>: makes a new API key and prints it with the setting that admits it (its SHA-256). The key
/// itself is shown once and stored nowhere; the setting goes into the configuration of every gateway.
/// </summary>
public static class KeysCommand
{
    /// <summary>Runs <paramref name="args"/> when they are a <c>keys</c> command and returns its exit code; null for any other arguments.</summary>
    public static int? TryRun(string[] args, TextWriter output, TextWriter error)
    {
        if (args.Length == 0 || args[0] != "keys")
        {
            return null;
        }
        if (args is not [_, "new", var tenant] || !ApiKeys.TenantName().IsMatch(tenant))
        {
            error.WriteLine("Usage: keys new <tenant>   (a tenant name is 1 to 64 letters, digits, '.', '_' or '-')");
            return 2;
        }
        var key = ApiKeys.NewKey();
        var hash = ApiKeys.Hash(key);
        output.WriteLine($"API key for tenant '{tenant}' (give it to the client; it is not stored anywhere):");
        output.WriteLine();
        output.WriteLine($"  {key}");
        output.WriteLine();
        output.WriteLine("Admit it by adding its hash to the configuration of every gateway, as an environment variable:");
        output.WriteLine();
        output.WriteLine($"  Annotate__Gateway__ApiKeys__{hash}={tenant}");
        output.WriteLine();
        output.WriteLine("or in appsettings.json:");
        output.WriteLine();
        output.WriteLine($"  \"Annotate\": {{ \"Gateway\": {{ \"ApiKeys\": {{ \"{hash}\": \"{tenant}\" }} }} }}");
        output.WriteLine();
        output.WriteLine($"Clients send it as the header {ApiKeys.Header}: {key}");
        return 0;
    }
}
