using System.Diagnostics;
using System.Reflection;

namespace Annotate.Integration.Tests.Support;

/// <summary>A service an integration test starts for itself with the scripts in <c>.ci</c>.</summary>
public enum Service
{
    RabbitMq,
    Postgres,
}

/// <summary>
/// A test that starts its own RabbitMQ node (and PostgreSQL cluster): skipped outside CI when the servers are not
/// installed, run and failing in CI (CI=true), so CI cannot pass without these tests.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ServicesFactAttribute : FactAttribute
{
    public ServicesFactAttribute(params Service[] services)
    {
        if (TestServices.SkipReason(services) is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>Where the scripts and the hosts' builds are, and whether the servers the tests start are installed.</summary>
public static class TestServices
{
    public const string RabbitMqServer = "/usr/lib/rabbitmq/bin/rabbitmq-server";

    private static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Why the tests needing <paramref name="services"/> are skipped, or null when they run. Never skipped in CI.</summary>
    public static string? SkipReason(IEnumerable<Service> services)
    {
        if (InCi)
        {
            return null;
        }
        var missing = services.Distinct().Where(s => !Installed(s)).ToList();
        return missing.Count == 0
            ? null
            : $"{string.Join(" and ", missing.Select(Describe))} not installed (apt-get install -y rabbitmq-server postgresql); these tests start their own servers";
    }

    private static bool Installed(Service service) => service switch
    {
        Service.RabbitMq => File.Exists(RabbitMqServer),
        Service.Postgres => Directory.Exists("/usr/lib/postgresql")
            && Directory.EnumerateDirectories("/usr/lib/postgresql").Any(v => File.Exists(Path.Combine(v, "bin", "initdb"))),
        _ => false,
    };

    private static string Describe(Service service) => service switch
    {
        Service.RabbitMq => RabbitMqServer,
        _ => "/usr/lib/postgresql/*/bin/initdb",
    };

    /// <summary>The repository the tests were built from (its <c>.ci</c> scripts start the servers).</summary>
    public static string RepositoryRoot => Metadata("RepositoryRoot");

    /// <summary>The built gateway, in its own output folder.</summary>
    public static string GatewayDll => Existing(Metadata("GatewayDll"));

    /// <summary>The built worker, in its own output folder.</summary>
    public static string WorkerDll => Existing(Metadata("WorkerDll"));

    /// <summary>Runs <c>bash .ci/<paramref name="script"/></c> with <paramref name="arguments"/> (bounded) and returns its standard output.</summary>
    public static async Task<string> RunScriptAsync(string script, TimeSpan timeout, params string[] arguments)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepositoryRoot };
        start.ArgumentList.Add(Path.Combine(RepositoryRoot, ".ci", script));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        return await RunAsync(start, timeout);
    }

    /// <summary>Runs a program to its end (bounded: killed after <paramref name="timeout"/>); fails with its output when it fails.</summary>
    public static async Task<string> RunAsync(ProcessStartInfo start, TimeSpan timeout)
    {
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{start.FileName} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var bound = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{start.FileName} {string.Join(' ', start.ArgumentList)} did not finish within {timeout}: {await error}");
        }
        return process.ExitCode == 0
            ? await output
            : throw new InvalidOperationException($"{start.FileName} {string.Join(' ', start.ArgumentList)} failed ({process.ExitCode}):\n{await error}{await output}");
    }

    /// <summary>The variables a script printed as <c>export NAME='value'</c> lines.</summary>
    public static Dictionary<string, string> Exports(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l.StartsWith("export ", StringComparison.Ordinal) && l.Contains('='))
            .Select(l => l["export ".Length..].Split('=', 2))
            .ToDictionary(p => p[0], p => p[1].Trim('\''));

    private static string Metadata(string key) =>
        typeof(TestServices).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    private static string Existing(string path) =>
        File.Exists(path) ? path : throw new FileNotFoundException($"{path} is not built: build the solution (dotnet build Annotate.sln -c <the same configuration>) first.", path);
}
