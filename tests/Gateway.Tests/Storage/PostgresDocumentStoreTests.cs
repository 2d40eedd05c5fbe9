using Annotate.Gateway.Storage;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Annotate.Gateway.Tests.Storage;

/// <summary>
/// The store contract on a real PostgreSQL (<c>ANNOTATE_TEST_POSTGRES</c>, started by <c>.ci/postgres.sh</c>). Each test
/// gets databases of its own, dropped afterwards, so tests running in parallel do not see each other's documents.
/// </summary>
[RequiresPostgres]
public sealed class PostgresDocumentStoreTests : DocumentStoreContract
{
    private readonly List<string> _databases = [];
    private readonly List<PostgresDocumentStore> _stores = [];
    private string? _database;

    public override async Task InitializeAsync()
    {
        _database = await CreateDatabaseAsync();
        await base.InitializeAsync();
    }

    protected override Task<IDocumentStore> CreateStoreAsync() => Task.FromResult<IDocumentStore>(NewStore(_database!));

    protected override async Task<IDocumentStore> CreateStoreAtFirstSchemaAsync(string id, DateTimeOffset receivedAt)
    {
        var database = await CreateDatabaseAsync();
        var store = NewStore(database);
        await store.MigrateAsync(1, CancellationToken.None);
        // A row as the first release wrote it: only the columns of that schema.
        await using var connection = new NpgsqlConnection(ConnectionString(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "INSERT INTO documents (id, file_name, channel, state, received_at, outputs_json) VALUES (@id, 'old.txt', 'inbox', 'Received', @at, '[]');",
            connection);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("at", receivedAt.ToUniversalTime());
        await command.ExecuteNonQueryAsync();
        return store;
    }

    [StoreFact]
    public async Task Gateways_starting_together_apply_each_schema_step_once()
    {
        var database = await CreateDatabaseAsync();
        var stores = Enumerable.Range(0, 4).Select(_ => NewStore(database)).ToList();

        await Task.WhenAll(stores.Select(s => s.InitializeAsync(CancellationToken.None)));

        await using var connection = new NpgsqlConnection(ConnectionString(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT array_agg(version ORDER BY version) FROM schema_version;", connection);
        var versions = (int[])(await command.ExecuteScalarAsync())!;
        Assert.Equal(new[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 }, versions);
    }

    public override async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }
        if (_databases.Count == 0)
        {
            return;
        }
        await using var admin = new NpgsqlConnection(PostgresTestServer.Require());
        await admin.OpenAsync();
        foreach (var database in _databases)
        {
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE);", admin);
            await drop.ExecuteNonQueryAsync();
        }
    }

    private PostgresDocumentStore NewStore(string database)
    {
        var store = new PostgresDocumentStore(Options.Create(new StateStoreOptions { PostgresConnectionString = ConnectionString(database) }));
        _stores.Add(store);
        return store;
    }

    private static string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder(PostgresTestServer.Require()) { Database = database }.ConnectionString;

    private async Task<string> CreateDatabaseAsync()
    {
        var name = "annotate_" + Guid.NewGuid().ToString("N");
        await using var admin = new NpgsqlConnection(PostgresTestServer.Require());
        await admin.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\";", admin);
        await create.ExecuteNonQueryAsync();
        _databases.Add(name);
        return name;
    }
}
