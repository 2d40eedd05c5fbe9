namespace Annotate.Integration.Tests.Support;

/// <summary>A PostgreSQL cluster of the test's own (<c>.ci/postgres.sh</c>: own data directory and port), removed on dispose.</summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(2);
    private readonly string _directory;

    private PostgresServer(string directory, string connectionString)
    {
        _directory = directory;
        ConnectionString = connectionString;
    }

    /// <summary>Npgsql connection string of the test database.</summary>
    public string ConnectionString { get; }

    public static async Task<PostgresServer> StartAsync(string directory)
    {
        try
        {
            var exports = TestServices.Exports(await TestServices.RunScriptAsync("postgres.sh", ScriptTimeout, "start", directory));
            return new PostgresServer(directory, exports["ANNOTATE_TEST_POSTGRES"]);
        }
        catch
        {
            await TestServices.RunScriptAsync("postgres.sh", ScriptTimeout, "stop", directory);
            throw;
        }
    }

    /// <summary>Stops the server (fast shutdown: open connections are cut), keeping its data.</summary>
    public Task StopServerAsync() => TestServices.RunScriptAsync("postgres.sh", ScriptTimeout, "stop-server", _directory);

    /// <summary>Starts the stopped server again on the same port; returns once it accepts connections.</summary>
    public Task StartServerAsync() => TestServices.RunScriptAsync("postgres.sh", ScriptTimeout, "start-server", _directory);

    public async ValueTask DisposeAsync() => await TestServices.RunScriptAsync("postgres.sh", ScriptTimeout, "stop", _directory);
}
