using Xunit.Abstractions;
using Xunit.Sdk;

namespace Annotate.Gateway.Tests.Storage;

/// <summary>
/// A contract test, run once per store class. xunit 2 has no run-time skip, and a <c>Skip</c> set on the shared attribute
/// would skip every store, so the discoverer decides per class: classes marked <see cref="RequiresPostgresAttribute"/>
/// are skipped when no test server is configured (outside CI; in CI they run and fail).
/// </summary>
[XunitTestCaseDiscoverer("Annotate.Gateway.Tests.Storage.StoreFactDiscoverer", "Annotate.Gateway.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class StoreFactAttribute : FactAttribute;

/// <summary>Marks a contract test class that needs the PostgreSQL test server.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class RequiresPostgresAttribute : Attribute;

public sealed class StoreFactDiscoverer(IMessageSink diagnosticMessageSink) : FactDiscoverer(diagnosticMessageSink)
{
    public override IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        if (testMethod.TestClass.Class.GetCustomAttributes(typeof(RequiresPostgresAttribute)).Any() && PostgresTestServer.SkipReason is { } reason)
        {
            return [new XunitSkippedDataRowTestCase(DiagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(),
                discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, reason)];
        }
        return base.Discover(discoveryOptions, testMethod, factAttribute);
    }
}

/// <summary>The PostgreSQL server the tests use, from <c>ANNOTATE_TEST_POSTGRES</c> (set by <c>.ci/postgres.sh start</c>).</summary>
public static class PostgresTestServer
{
    public const string Variable = "ANNOTATE_TEST_POSTGRES";

    public static string? ConnectionString => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value ? value : null;

    private static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Why PostgreSQL tests are skipped, or null when they run. Never skipped in CI, so CI cannot pass without them.</summary>
    public static string? SkipReason => ConnectionString is null && !InCi
        ? $"{Variable} is not set: run `eval \"$(bash .ci/postgres.sh start)\"` first (and `bash .ci/postgres.sh stop` after)"
        : null;

    /// <summary>The server's connection string, or a failure saying why it is missing (in CI).</summary>
    public static string Require() => ConnectionString
        ?? throw new InvalidOperationException($"{Variable} is not set, and CI=true: CI must run the PostgreSQL tests (.ci/run starts a server with .ci/postgres.sh)");
}
