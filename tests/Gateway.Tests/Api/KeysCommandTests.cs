using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Annotate.Gateway.Api;
using Annotate.Gateway.Storage;
using Annotate.Gateway.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Annotate.Gateway.Tests.Api;

/// <summary><c>keys new|list|revoke</c> on a real SQLite state store, and the keys it makes admitting requests of a gateway on that store.</summary>
public sealed class KeysCommandTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "annotate-keys-tests", Guid.NewGuid().ToString("N"));

    private string Database => Path.Combine(_root, "annotate.db");

    private Dictionary<string, string?> Settings => new() { ["Annotate:Gateway:Database"] = Database, ["Annotate:State:PostgresConnectionString"] = "" };

    private async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await KeysCommand.RunAsync(args, output, error, Settings);
        return (exit, output.ToString(), error.ToString());
    }

    private static string KeyIn(string output) => Regex.Match(output, @"^  ([A-Za-z0-9_-]{43})$", RegexOptions.Multiline).Groups[1].Value;

    private static string IdIn(string output) => Regex.Match(output, @"API key (k_[0-9a-f]{12}) ").Groups[1].Value;

    [Fact]
    public async Task Keys_new_prints_a_fresh_key_once_and_the_store_keeps_only_its_hash_with_tenant_and_name()
    {
        var (exit, output, _) = await RunAsync("keys", "new", "--tenant", "acme", "--name", "invoice robot");

        Assert.Equal(0, exit);
        var key = KeyIn(output);
        Assert.NotEmpty(key);
        var id = IdIn(output);
        Assert.NotEmpty(id);
        var (_, again, _) = await RunAsync("keys", "new", "--tenant", "acme");
        Assert.NotEqual(key, KeyIn(again));

        SqliteConnection.ClearAllPools();
        await using var connection = new SqliteConnection($"Data Source={Database}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, key_sha256, tenant, name, revoked_at FROM api_keys WHERE id = $id;";
        command.Parameters.AddWithValue("$id", id);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal((ApiKeys.Hash(key), "acme", "invoice robot", true), (reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.IsDBNull(4)));
        await reader.DisposeAsync();
        await connection.CloseAsync();
        SqliteConnection.ClearAllPools();
        // The key itself is nowhere in the database files.
        foreach (var file in Directory.GetFiles(_root, "annotate.db*"))
        {
            Assert.DoesNotContain(key, Encoding.Latin1.GetString(await File.ReadAllBytesAsync(file)));
        }
    }

    [Fact]
    public async Task Keys_list_shows_id_tenant_name_and_revocation_but_never_a_key_or_its_hash()
    {
        var (_, made, _) = await RunAsync("keys", "new", "--tenant", "acme", "--name", "robot");
        var (_, other, _) = await RunAsync("keys", "new", "--tenant", "globex");
        Assert.Equal(0, (await RunAsync("keys", "revoke", IdIn(other))).Exit);

        var (exit, list, _) = await RunAsync("keys", "list");

        Assert.Equal(0, exit);
        var lines = list.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Matches($@"^{IdIn(made)}\s+acme\s+\d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d\s+-\s+robot", lines[1]);
        Assert.Matches($@"^{IdIn(other)}\s+globex\s+\S+ \S+\s+\d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d", lines[2]);
        foreach (var key in new[] { KeyIn(made), KeyIn(other) })
        {
            Assert.DoesNotContain(key, list);
            Assert.DoesNotContain(ApiKeys.Hash(key), list);
        }
    }

    [Fact]
    public async Task A_stored_key_opens_the_API_to_its_tenant_until_it_is_revoked()
    {
        var (_, made, _) = await RunAsync("keys", "new", "--tenant", "acme");
        var key = KeyIn(made);
        // No configured key: the stored one alone makes keys required. Nothing remembered, so revocation shows at once.
        await using var host = new GatewayHost(new Dictionary<string, string?>(Settings) { ["Annotate:Api:KeyCacheDuration"] = "00:00:00" }, _root);
        var acme = host.CreateClient(key);

        Assert.Equal(HttpStatusCode.OK, (await acme.GetAsync("/api/documents")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.CreateClient(null).GetAsync("/api/documents")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.CreateClient(key + "x").GetAsync("/api/documents")).StatusCode);

        var (exit, revoked, _) = await RunAsync("keys", "revoke", IdIn(made));

        Assert.Equal(0, exit);
        Assert.Contains("Revoked", revoked);
        using var refused = await acme.GetAsync("/api/documents");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("revoked", await refused.Content.ReadAsStringAsync());
        // Revoking the last key does not open the API.
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.CreateClient(null).GetAsync("/api/documents")).StatusCode);
        Assert.True(await host.Services.GetRequiredService<IApiKeyStore>().HasApiKeysAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Revoking_an_unknown_or_already_revoked_key_fails_with_exit_code_1()
    {
        var (_, made, _) = await RunAsync("keys", "new", "--tenant", "acme");
        Assert.Equal(0, (await RunAsync("keys", "revoke", IdIn(made))).Exit);

        var (exit, _, error) = await RunAsync("keys", "revoke", IdIn(made));
        Assert.Equal(1, exit);
        Assert.Contains("keys list", error);
        Assert.Equal(1, (await RunAsync("keys", "revoke", "k_000000000000")).Exit);
    }

    [Theory]
    [InlineData("keys")]
    [InlineData("keys new")]
    [InlineData("keys new acme")]
    [InlineData("keys new --tenant")]
    [InlineData("keys new --tenant ../etc")]
    [InlineData("keys new --tenant acme --name")]
    [InlineData("keys new --tenant acme --colour blue")]
    [InlineData("keys revoke")]
    [InlineData("keys revoke ../x")]
    [InlineData("keys delete k_1")]
    public async Task Keys_with_wrong_arguments_prints_the_usage_and_fails_with_exit_code_2(string command)
    {
        var (exit, _, error) = await RunAsync(command.Split(' '));

        Assert.Equal(2, exit);
        Assert.Contains("Usage: keys new --tenant <tenant>", error);
    }

    [Fact]
    public async Task A_name_with_control_characters_is_refused()
    {
        Assert.Equal(2, (await RunAsync("keys", "new", "--tenant", "acme", "--name", "robot\u001b[31m")).Exit);
    }

    [Fact]
    public void Only_keys_arguments_are_a_keys_command()
    {
        Assert.True(KeysCommand.Matches(["keys", "list"]));
        Assert.False(KeysCommand.Matches(["--urls", "http://localhost:5000"]));
        Assert.False(KeysCommand.Matches([]));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
