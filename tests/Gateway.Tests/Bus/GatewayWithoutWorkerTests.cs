using Annotate.Annotators.Models;
using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Builtin;
using Annotate.Gateway.Tests.Support;
using Annotate.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Annotate.Gateway.Tests.Bus;

/// <summary>The gateway on RabbitMQ runs alone: no engine, no model; a worker started elsewhere, later, does the work.</summary>
public sealed class GatewayWithoutWorkerTests
{
    [RabbitMqFact]
    public async Task A_document_queued_before_any_worker_exists_waits_in_the_queue_and_a_worker_started_later_annotates_it()
    {
        await using var vhost = await RabbitMqVirtualHost.CreateAsync();
        var settings = vhost.Settings(runWorker: false);
        // A model that does not exist: a gateway that loaded one would fail to start.
        settings["Annotate:Model:Path"] = "/nonexistent/model.gguf";
        await using var gateway = new GatewayHost(settings);

        Assert.Null(gateway.Services.GetService<ILanguageModel>());
        Assert.Null(gateway.Services.GetService<IDocumentPipeline>());
        Assert.Null(gateway.Services.GetService<LanguageDetectorProvider>());

        var file = Path.Combine(gateway.Root, "memo.txt");
        await File.WriteAllTextAsync(file, "Please pay invoice 42 by 2024-04-30.");
        var id = await gateway.UploadAsync(file);
        await WaitForQueuedAsync(vhost, "annotate-document", 1);
        // The documented plain JSON interface exists before any worker: other systems' commands wait in their queue too.
        Assert.Contains(await vhost.QueuesAsync(), q => q.Name == "annotate-requests" && q.Durable);
        var exchanges = await RabbitMqTestBroker.CtlAsync("list_exchanges", "-p", vhost.Name, "--quiet", "--no-table-headers", "name", "type");
        Assert.Contains("annotate-events\ttopic", exchanges.Split('\n', StringSplitOptions.TrimEntries));

        settings.Remove("Annotate:Model:Path");
        settings["Annotate:Blobs:Sources"] = Path.Combine(gateway.Root, "blobs");
        settings["Annotate:Blobs:Outputs"] = gateway.Outbox;
        settings["Annotate:Blobs:Results"] = Path.Combine(gateway.Root, "results");
        settings["Annotate:Blobs:Content"] = Path.Combine(gateway.Root, "content");
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Development" });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddAnnotateWorker();
        builder.AddAnnotateWorkerBus();
        using var worker = builder.Build();
        await worker.StartAsync();
        try
        {
            var status = await gateway.WaitUntilFinishedAsync(id);
            Assert.Equal("Completed", status.GetProperty("state").GetString());
            // Read through the blob store, as a gateway on another machine than the worker would.
            var markdown = status.GetProperty("outputs").EnumerateArray().Single(o => o.GetProperty("name").GetString() == "content.md");
            Assert.Contains("invoice 42", await gateway.Client.GetStringAsync(markdown.GetProperty("url").GetString()));
        }
        finally
        {
            await worker.StopAsync();
        }
    }

    /// <summary>Waits (bounded: 60 s) until <paramref name="queue"/> holds <paramref name="count"/> ready messages.</summary>
    private static async Task WaitForQueuedAsync(RabbitMqVirtualHost vhost, string queue, int count)
    {
        var last = "";
        for (var i = 0; i < 120; i++)
        {
            last = await RabbitMqTestBroker.CtlAsync("list_queues", "-p", vhost.Name, "--quiet", "--no-table-headers", "name", "messages_ready");
            if (last.Split('\n', StringSplitOptions.TrimEntries).Any(l => l == $"{queue}\t{count}"))
            {
                return;
            }
            await Task.Delay(500);
        }
        var bindings = await RabbitMqTestBroker.CtlAsync("list_bindings", "-p", vhost.Name, "--quiet", "source_name", "destination_name");
        var exchanges = await RabbitMqTestBroker.CtlAsync("list_exchanges", "-p", vhost.Name, "--quiet", "name", "type");
        throw new TimeoutException($"{queue} never held {count} message(s): {last}\n{bindings}\n{exchanges}");
    }
}
