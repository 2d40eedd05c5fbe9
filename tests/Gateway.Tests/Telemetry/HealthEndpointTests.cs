using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Annotate.Gateway.Storage;
using Annotate.Gateway.Tests.Jobs;
using Annotate.Gateway.Tests.Storage;
using Annotate.Gateway.Tests.Support;
using Npgsql;

namespace Annotate.Gateway.Tests.Telemetry;

public sealed class HealthEndpointTests
{
    private static async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(GatewayHost host, string path)
    {
        var response = await host.Client.GetAsync(path);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    private static string[] CheckNames(JsonElement body) =>
        body.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("name").GetString()!).ToArray();

    [Fact]
    public async Task Live_and_ready_answer_200_when_the_bus_the_state_store_the_blob_folders_and_the_pipeline_children_check_pass()
    {
        await using var host = new GatewayHost();

        var live = await GetAsync(host, "/health/live");
        var ready = await GetAsync(host, "/health/ready");

        Assert.Equal(HttpStatusCode.OK, live.Status);
        Assert.Empty(CheckNames(live.Body));
        Assert.Equal(HttpStatusCode.OK, ready.Status);
        var names = CheckNames(ready.Body);
        Assert.Contains("state-store", names);
        Assert.Contains("blobs", names);
        // One process: the engine runs in this gateway's pipeline child, so the child (and its model) is part of readiness.
        Assert.Contains("pipeline-children", names);
        Assert.Contains(names, n => n.Contains("masstransit", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Ready_answers_503_naming_the_folder_when_a_blob_store_folder_cannot_be_written_while_live_stays_200()
    {
        await using var host = new GatewayHost();
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(host, "/health/ready")).Status);

        // The content folder replaced by a file: nothing can be stored there (root or not).
        var content = Path.Combine(host.Root, "content");
        if (Directory.Exists(content))
        {
            Directory.Delete(content, recursive: true);
        }
        await File.WriteAllTextAsync(content, "not a folder");

        var ready = await GetAsync(host, "/health/ready");
        var live = await GetAsync(host, "/health/live");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.Status);
        var blobs = ready.Body.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "blobs");
        Assert.Equal("Unhealthy", blobs.GetProperty("status").GetString());
        Assert.Contains("Annotate:Blobs:Content", blobs.GetProperty("description").GetString());
        Assert.Equal(HttpStatusCode.OK, live.Status);
    }
}

/// <summary>Readiness over the PostgreSQL state store.</summary>
[RequiresPostgres]
public sealed class PostgresHealthEndpointTests : IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => TestDatabase.DropAsync(this);

    [StoreFact]
    public async Task Ready_answers_503_when_the_PostgreSQL_state_store_cannot_be_reached_while_live_stays_200()
    {
        var connectionString = await TestDatabase.CreateAsync(this);
        await using var host = new GatewayHost(new Dictionary<string, string?>
        {
            [StateStoreOptions.PostgresConnectionStringKey] = connectionString,
            // No scheduler on a database about to disappear.
            ["Annotate:Jobs:Enabled"] = "false",
        });
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/health/ready")).StatusCode);

        // The database goes away under the running gateway (its connections are terminated).
        await using (var admin = new NpgsqlConnection(PostgresTestServer.Require()))
        {
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE \"{new NpgsqlConnectionStringBuilder(connectionString).Database}\" WITH (FORCE);", admin);
            await drop.ExecuteNonQueryAsync();
        }

        var ready = await host.Client.GetAsync("/health/ready");
        var body = await ready.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        var store = body.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "state-store");
        Assert.Equal("Unhealthy", store.GetProperty("status").GetString());
        Assert.DoesNotContain("Password", store.GetProperty("description").GetString());
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/health/live")).StatusCode);
    }
}
