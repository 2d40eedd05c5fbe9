using Annotate.Gateway.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Annotate.Gateway.Tests.Storage;

public sealed class StateStoreSelectionTests
{
    private static async Task<IDocumentStore> ResolveAsync(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddAnnotateGateway();
        await using var services = builder.Services.BuildServiceProvider();
        return services.GetRequiredService<IDocumentStore>();
    }

    [Fact]
    public async Task Without_a_connection_string_states_are_kept_in_SQLite()
    {
        var folder = Path.Combine(Path.GetTempPath(), "annotate-store-tests", Guid.NewGuid().ToString("N"));
        var store = await ResolveAsync(new() { ["Annotate:Gateway:Database"] = Path.Combine(folder, "a.db") });

        Assert.IsType<SqliteDocumentStore>(store);
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task A_connection_string_selects_PostgreSQL()
    {
        var store = await ResolveAsync(new() { [StateStoreOptions.PostgresConnectionStringKey] = "Host=127.0.0.1;Port=1;Username=u;Database=d" });

        Assert.IsType<PostgresDocumentStore>(store);
    }

    [Fact]
    public async Task An_unreachable_server_fails_start_up_naming_the_setting_but_not_the_password()
    {
        // Port 1 on the loopback: nothing listens, so the connection is refused at once.
        await using var store = new PostgresDocumentStore(Options.Create(new StateStoreOptions
        {
            PostgresConnectionString = "Host=127.0.0.1;Port=1;Username=annotate;Password=hunter2-secret;Database=annotate;Timeout=5",
        }));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => store.InitializeAsync(CancellationToken.None));

        Assert.Contains("Annotate:State:PostgresConnectionString", error.Message);
        Assert.Contains("127.0.0.1:1/annotate", error.Message);
        Assert.DoesNotContain("hunter2-secret", error.ToString());
    }

    [Fact]
    public void A_malformed_connection_string_is_named_by_its_setting_without_its_value()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new PostgresDocumentStore(Options.Create(new StateStoreOptions
        {
            PostgresConnectionString = "Host=db;Passwrod=hunter2-secret",
        })));

        Assert.Contains("Annotate:State:PostgresConnectionString", error.Message);
        Assert.DoesNotContain("hunter2-secret", error.ToString());
    }
}
