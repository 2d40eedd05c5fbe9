using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Annotate.Worker.Tests;

/// <summary>The worker's time settings against each other and against the broker's consumer timeout; no broker needed.</summary>
public sealed class WorkerOptionsValidatorTests
{
    private static async Task<Exception?> StartWorkerAsync(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Development" });
        // Nothing listens there: a worker that passed validation would hang connecting, so the start is bounded and a
        // refusal must come before any connection is tried.
        settings["Annotate:Bus:Port"] = "1";
        settings["Annotate:Language:Languages:0"] = "en";
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddAnnotateWorker();
        builder.AddAnnotateWorkerBus();
        using var host = builder.Build();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await host.StartAsync(timeout.Token);
            await host.StopAsync(CancellationToken.None);
            return null;
        }
        catch (Exception ex)
        {
            return ex;
        }
    }

    [Fact]
    public async Task A_worker_on_RabbitMQ_refuses_to_start_when_DocumentTimeout_and_ShutdownGrace_reach_the_consumer_timeout()
    {
        var error = await StartWorkerAsync(new()
        {
            ["Annotate:Bus:Transport"] = "RabbitMq",
            ["Annotate:Worker:DocumentTimeout"] = "00:29:00",
            ["Annotate:Worker:ShutdownGrace"] = "00:00:30",
        });

        var refused = Assert.IsType<OptionsValidationException>(error);
        Assert.Contains("Annotate:Worker:DocumentTimeout (00:29:00)", refused.Message);
        Assert.Contains("Annotate:Worker:ShutdownGrace (00:00:30)", refused.Message);
        Assert.Contains("Annotate:Bus:ConsumerTimeout (00:30:00)", refused.Message);
        Assert.Contains("consumer_timeout", refused.Message);
    }

    [Fact]
    public void The_rule_keeps_a_margin_below_the_consumer_timeout()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Annotate:Bus:Transport"] = "RabbitMq",
            ["Annotate:Bus:ConsumerTimeout"] = "01:00:00",
        }).Build();
        var validator = new WorkerOptionsValidator(configuration);

        Assert.True(validator.Validate(null, new WorkerOptions { DocumentTimeout = TimeSpan.FromMinutes(58), ShutdownGrace = TimeSpan.FromMinutes(1) }).Succeeded);
        Assert.True(validator.Validate(null, new WorkerOptions { DocumentTimeout = TimeSpan.FromMinutes(58), ShutdownGrace = TimeSpan.FromSeconds(61) }).Failed);
        // The defaults fit RabbitMQ's default consumer_timeout.
        Assert.True(new WorkerOptionsValidator(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Annotate:Bus:Transport"] = "RabbitMq",
        }).Build()).Validate(null, new WorkerOptions()).Succeeded);
    }

    [Fact]
    public void On_the_in_memory_transport_there_is_no_broker_timeout_to_respect()
    {
        var validator = new WorkerOptionsValidator(new ConfigurationBuilder().Build());

        Assert.True(validator.Validate(null, new WorkerOptions { DocumentTimeout = TimeSpan.FromHours(2) }).Succeeded);
    }

    [Theory]
    [InlineData("Annotate:Worker:DocumentTimeout", "00:00:00")]
    [InlineData("Annotate:Worker:ShutdownGrace", "-00:00:01")]
    [InlineData("Annotate:Worker:RedeliveryDelays:0", "00:00:00")]
    [InlineData("Annotate:Worker:RedeliveryLimit", "21")]
    public async Task Invalid_worker_settings_stop_the_worker_at_start(string key, string value)
    {
        var error = await StartWorkerAsync(new() { [key] = value });

        var refused = Assert.IsType<OptionsValidationException>(error);
        Assert.Contains(key.Split(':')[2].TrimEnd('0', ':'), refused.Message);
    }

    [Theory]
    [InlineData("WarmUpPdfPages", "-1")]
    [InlineData("WarmUpPdfPages", "5001")]
    [InlineData("WarmUpWorkbookRows", "-1")]
    public async Task A_warm_up_size_out_of_range_stops_the_worker_at_start_naming_it(string setting, string value)
    {
        var error = await StartWorkerAsync(new() { ["Annotate:Worker:Isolation:" + setting] = value });

        var refused = Assert.IsType<OptionsValidationException>(error);
        Assert.Contains(setting, refused.Message);
    }

    [Fact]
    public void Redelivery_delays_repeat_the_last_one_up_to_the_limit_and_default_to_30s_2min_10min()
    {
        Assert.Equal([TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(10)], new WorkerOptions().RedeliveryIntervals());
        Assert.Equal([TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5)],
            new WorkerOptions { RedeliveryDelays = [TimeSpan.FromSeconds(5)] }.RedeliveryIntervals());
        Assert.Empty(new WorkerOptions { RedeliveryLimit = 0 }.RedeliveryIntervals());
    }

    [Fact]
    public void Configured_redelivery_delays_replace_the_defaults()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Annotate:Worker:RedeliveryDelays:0"] = "00:00:01",
        }).Build();

        var options = configuration.GetSection(WorkerOptions.Section).Get<WorkerOptions>()!;

        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)], options.RedeliveryIntervals());
    }
}
