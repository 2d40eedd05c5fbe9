using Annotate.Gateway.Storage;
using Annotate.Gateway.Tests.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Annotate.Gateway.Tests.Jobs;

/// <summary>
/// A job's tests run once per state store: a subclass per store says which (the PostgreSQL one is marked
/// <see cref="RequiresPostgresAttribute"/> and its tests are <see cref="StoreFactAttribute"/>s, skipped like the store contract's).
/// </summary>
public abstract class JobTestsOnEachStore : IAsyncLifetime
{
    protected static readonly CancellationToken None = CancellationToken.None;

    protected string Root { get; } = Path.Combine(Path.GetTempPath(), "annotate-job-tests", Guid.NewGuid().ToString("N"));

    protected IDocumentStore Store { get; private set; } = null!;

    /// <summary>A new, initialized store over a database of this test's own.</summary>
    protected abstract Task<IDocumentStore> CreateStoreAsync();

    public virtual async Task InitializeAsync()
    {
        Directory.CreateDirectory(Root);
        Store = await CreateStoreAsync();
        await Store.InitializeAsync(None);
    }

    public virtual async Task DisposeAsync()
    {
        if (Store is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
        await TestDatabase.DropAsync(this);
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }

    protected Task<IDocumentStore> SqliteStoreAsync() =>
        Task.FromResult<IDocumentStore>(new SqliteDocumentStore(Options.Create(new GatewayOptions { Database = Path.Combine(Root, "annotate.db") })));

    protected async Task<IDocumentStore> PostgresStoreAsync() =>
        new PostgresDocumentStore(Options.Create(new StateStoreOptions { PostgresConnectionString = await TestDatabase.CreateAsync(this) }));
}

/// <summary>PostgreSQL databases made for one test, dropped with it.</summary>
public static class TestDatabase
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<object, List<string>> Owned = new();

    /// <summary>Creates an empty database owned by <paramref name="owner"/>; its connection string.</summary>
    public static async Task<string> CreateAsync(object owner)
    {
        var name = "annotate_" + Guid.NewGuid().ToString("N");
        await using var admin = new NpgsqlConnection(PostgresTestServer.Require());
        await admin.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\";", admin);
        await create.ExecuteNonQueryAsync();
        Owned.GetOrCreateValue(owner).Add(name);
        return new NpgsqlConnectionStringBuilder(PostgresTestServer.Require()) { Database = name }.ConnectionString;
    }

    /// <summary>Drops the databases <paramref name="owner"/> created.</summary>
    public static async Task DropAsync(object owner)
    {
        if (!Owned.TryGetValue(owner, out var names) || names.Count == 0)
        {
            return;
        }
        await using var admin = new NpgsqlConnection(PostgresTestServer.Require());
        await admin.OpenAsync();
        foreach (var name in names)
        {
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE);", admin);
            await drop.ExecuteNonQueryAsync();
        }
        names.Clear();
    }
}
