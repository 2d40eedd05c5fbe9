using Annotate.Gateway.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Annotate.Gateway.Tests.Storage;

/// <summary>The store contract on a SQLite file of its own.</summary>
public sealed class SqliteDocumentStoreTests : DocumentStoreContract
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "annotate-store-tests", Guid.NewGuid().ToString("N"));

    private SqliteDocumentStore NewStore(string file) => new(Options.Create(new GatewayOptions { Database = Path.Combine(_folder, file) }));

    protected override Task<IDocumentStore> CreateStoreAsync() => Task.FromResult<IDocumentStore>(NewStore("annotate.db"));

    protected override async Task<IDocumentStore> CreateStoreAtFirstSchemaAsync(string id, DateTimeOffset receivedAt)
    {
        var store = NewStore("first-schema.db");
        await store.MigrateAsync(1, CancellationToken.None);
        // A row as the first release wrote it: only the columns of that schema.
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_folder, "first-schema.db")}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO documents (id, file_name, channel, state, received_at, outputs_json) VALUES ($id, 'old.txt', 'inbox', 'Received', $at, '[]');";
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$at", receivedAt.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", System.Globalization.CultureInfo.InvariantCulture));
        await command.ExecuteNonQueryAsync();
        return store;
    }

    [Fact]
    public async Task Every_connection_keeps_a_small_page_cache_however_often_the_pool_hands_it_out()
    {
        var store = NewStore("cache.db");
        await store.InitializeAsync(CancellationToken.None);
        // SQLite's default is 2 MiB a connection, held in the native heap as the file grows (issue 12, soak).
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(-512, await store.PageCacheSizeAsync(CancellationToken.None));
        }
    }

    public override Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
        return Task.CompletedTask;
    }
}
