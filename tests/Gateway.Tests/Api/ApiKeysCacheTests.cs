using Annotate.Gateway.Api;
using Annotate.Gateway.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Annotate.Gateway.Tests.Api;

/// <summary>How long <see cref="ApiKeys"/> remembers the store's answers, on a real SQLite store and a fake clock.</summary>
public sealed class ApiKeysCacheTests : IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "annotate-keys-cache-tests", Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero));
    private SqliteDocumentStore _store = null!;

    public async Task InitializeAsync()
    {
        _store = new SqliteDocumentStore(Options.Create(new GatewayOptions { Database = Path.Combine(_folder, "annotate.db") }));
        await _store.InitializeAsync(None);
    }

    private ApiKeys Keys(Dictionary<string, string>? configured = null) => new(
        Options.Create(new GatewayOptions { ApiKeys = configured ?? [] }),
        Options.Create(new ApiOptions { KeyCacheDuration = TimeSpan.FromSeconds(30) }),
        _store, _time);

    [Fact]
    public async Task A_revoked_key_works_until_the_remembered_answer_expires_then_is_refused()
    {
        await _store.AddApiKeyAsync(new StoredApiKey("k_1", "acme", null, _time.GetUtcNow()), ApiKeys.Hash("the-key"), None);
        var keys = Keys();
        Assert.Equal("acme", await keys.TenantOfAsync("the-key", None));

        await _store.RevokeApiKeyAsync("k_1", _time.GetUtcNow(), None);
        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal("acme", await keys.TenantOfAsync("the-key", None));
        _time.Advance(TimeSpan.FromSeconds(2));

        Assert.Null(await keys.TenantOfAsync("the-key", None));
    }

    [Fact]
    public async Task A_new_key_is_refused_while_its_earlier_miss_is_remembered_then_admitted()
    {
        var keys = Keys();
        Assert.Null(await keys.TenantOfAsync("the-key", None));
        Assert.False(await keys.RequiredAsync(None));

        await _store.AddApiKeyAsync(new StoredApiKey("k_1", "acme", null, _time.GetUtcNow()), ApiKeys.Hash("the-key"), None);
        Assert.Null(await keys.TenantOfAsync("the-key", None));
        Assert.False(await keys.RequiredAsync(None));
        _time.Advance(TimeSpan.FromSeconds(31));

        Assert.Equal("acme", await keys.TenantOfAsync("the-key", None));
        Assert.True(await keys.RequiredAsync(None));
        await _store.RevokeApiKeyAsync("k_1", _time.GetUtcNow(), None);
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.True(await keys.RequiredAsync(None));
    }

    [Fact]
    public async Task Configured_keys_are_found_by_their_hash_in_either_case_and_make_keys_required()
    {
        var keys = Keys(new Dictionary<string, string> { [ApiKeys.Hash("configured").ToUpperInvariant()] = "globex" });

        Assert.True(await keys.RequiredAsync(None));
        Assert.Equal("globex", await keys.TenantOfAsync("configured", None));
        Assert.Null(await keys.TenantOfAsync("Configured", None));
        Assert.Null(await keys.TenantOfAsync("", None));
        Assert.Null(await keys.TenantOfAsync(ApiKeys.Hash("configured"), None));
    }

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
        return Task.CompletedTask;
    }
}
