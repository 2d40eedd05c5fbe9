using Annotate.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Annotate.Worker.Tests;

public sealed class BusOptionsTests
{
    [Fact]
    public void Defaults_connect_to_the_local_broker_as_guest_like_the_old_default_uri()
    {
        Assert.Equal(new RabbitMqConnection("127.0.0.1", 5672, "/", "guest", "guest", false), new BusOptions().Connection());
    }

    [Fact]
    public void RabbitMqUri_wins_over_the_separate_settings_and_amqps_means_tls()
    {
        var options = new BusOptions { Host = "ignored", Port = 1, VirtualHost = "ignored", RabbitMqUri = new Uri("amqps://annotate:s%40cret@broker.example/prod") };

        Assert.Equal(new RabbitMqConnection("broker.example", 5671, "prod", "annotate", "s@cret", true), options.Connection());
    }

    [Fact]
    public void The_password_is_never_in_the_text_of_the_options_or_the_connection()
    {
        var options = new BusOptions { Transport = "RabbitMq", Password = "hunter2-secret" };
        var fromUri = new BusOptions { RabbitMqUri = new Uri("amqp://u:hunter2-secret@h:5672/") };

        Assert.DoesNotContain("hunter2-secret", options.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2-secret", options.Connection().ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2-secret", fromUri.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("InMemory")]
    [InlineData("RabbitMq")]
    public void The_bus_sends_no_usage_telemetry_off_the_machine(string transport)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Annotate:Bus:Transport"] = transport });
        builder.AddAnnotateBus(_ => { }, defaultPrefetch: 1);
        using var host = builder.Build();

        Assert.False(host.Services.GetRequiredService<IOptions<MassTransit.UsageTelemetryOptions>>().Value.Enabled);
    }

    [Theory]
    [InlineData("Annotate:Bus:Port", "0")]
    [InlineData("Annotate:Bus:Port", "70000")]
    [InlineData("Annotate:Bus:PrefetchCount", "0")]
    [InlineData("Annotate:Bus:RabbitMqUri", "http://broker:5672/")]
    public async Task Invalid_settings_stop_the_host_at_start(string key, string value)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [key] = value, ["Annotate:Bus:Password"] = "hunter2-secret" });
        builder.AddAnnotateBus(_ => { }, defaultPrefetch: 1);
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.DoesNotContain("hunter2-secret", error.Message, StringComparison.Ordinal);
    }
}
