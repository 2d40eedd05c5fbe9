using System.Net;
using System.Text.Json;
using Annotate.Gateway.Tests.Support;
using Annotate.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Annotate.Gateway.Tests.Bus;

/// <summary>The one-process host (gateway and worker) with its messages going through a real RabbitMQ broker.</summary>
public sealed class RabbitMqOneProcessTests
{
    [RabbitMqFact]
    public async Task An_uploaded_document_is_completed_with_its_outputs_through_the_broker()
    {
        await using var vhost = await RabbitMqVirtualHost.CreateAsync();
        await using var host = new GatewayHost(vhost.Settings());
        var file = Path.Combine(host.Root, "memo.md");
        await File.WriteAllTextAsync(file, "# Memo\n\nPlease pay invoice 42 by 2024-04-30.\n\n| Item | Price |\n|---|---|\n| Paper | 12.50 |\n");

        var id = await host.UploadAsync(file);
        var status = await host.WaitUntilFinishedAsync(id);

        Assert.Equal("Completed", status.GetProperty("state").GetString());
        var markdown = status.GetProperty("outputs").EnumerateArray().Single(o => o.GetProperty("name").GetString() == "content.md");
        var download = await host.Client.GetAsync(markdown.GetProperty("url").GetString());
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Contains("| Paper | 12.50 |", await download.Content.ReadAsStringAsync());
        // The command really crossed the broker: its queue exists in this test's virtual host (and nowhere else).
        var queues = await vhost.QueuesAsync();
        Assert.Contains(queues, q => q.Name == "annotate-document");
        // The start's warm-up request is the in-memory bus's alone: no service, no queue on a broker other hosts share.
        Assert.Null(host.Services.GetService<BusWarmUpService>());
        Assert.DoesNotContain(queues, q => q.Name.Contains("warm-up", StringComparison.Ordinal));
    }

    [RabbitMqFact]
    public async Task A_corrupt_upload_fails_with_its_reason_through_the_broker()
    {
        await using var vhost = await RabbitMqVirtualHost.CreateAsync();
        await using var host = new GatewayHost(vhost.Settings());
        var pdf = await File.ReadAllBytesAsync(Shared.Corpus("pdf/minimal-document.pdf"));
        var file = Path.Combine(host.Root, "truncated.pdf");
        await File.WriteAllBytesAsync(file, pdf[..(pdf.Length / 3)]);

        var id = await host.UploadAsync(file);
        var status = await host.WaitUntilFinishedAsync(id);

        Assert.Equal("Failed", status.GetProperty("state").GetString());
        Assert.Equal("corrupt", status.GetProperty("reason").GetString());
        Assert.Contains("truncated.pdf", status.GetProperty("message").GetString());
        var error = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(host.Failed, "truncated.pdf.error.json"))).RootElement;
        Assert.Equal(id, error.GetProperty("documentId").GetString());
    }

    [RabbitMqFact]
    public async Task Receive_endpoints_are_durable_classic_queues_by_default()
    {
        await using var vhost = await RabbitMqVirtualHost.CreateAsync();
        await using var host = new GatewayHost(vhost.Settings());
        var queues = await WaitForEndpointQueuesAsync(vhost);

        Assert.All(queues, q => Assert.True(q.Durable, $"{q.Name} is durable"));
        Assert.All(queues, q => Assert.Equal("classic", q.Type));
    }

    [RabbitMqFact]
    public async Task Receive_endpoints_are_quorum_queues_when_QuorumQueues_is_set()
    {
        await using var vhost = await RabbitMqVirtualHost.CreateAsync();
        await using var host = new GatewayHost(vhost.Settings(quorumQueues: true));
        var queues = await WaitForEndpointQueuesAsync(vhost);

        Assert.All(queues, q => Assert.True(q.Durable, $"{q.Name} is durable"));
        Assert.All(queues, q => Assert.Equal("quorum", q.Type));
    }

    /// <summary>
    /// The receive endpoints' queues, once the bus has declared them (bounded: 60 s). The bus's own reply queue is
    /// left out: it is temporary by design (auto-delete, named after the machine), not a receive endpoint.
    /// </summary>
    private static async Task<IReadOnlyList<QueueState>> WaitForEndpointQueuesAsync(RabbitMqVirtualHost vhost)
    {
        for (var i = 0; i < 120; i++)
        {
            var queues = (await vhost.QueuesAsync()).Where(q => !q.Name.Contains("_bus_", StringComparison.Ordinal)).ToList();
            if (queues.Any(q => q.Name == "annotate-document") && queues.Any(q => q.Name == "annotate-document-fault"))
            {
                return queues;
            }
            await Task.Delay(500);
        }
        throw new TimeoutException($"The receive endpoints were not declared in {vhost.Name} within 60 s.");
    }
}
