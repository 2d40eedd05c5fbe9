using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Annotate.Gateway.Api;
using Annotate.Gateway.Storage;
using Annotate.Gateway.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Annotate.Gateway.Tests.Api;

public sealed class RedriveEndpointsTests
{
    private static async Task<string> UploadAsync(GatewayHost host, string name, string text)
    {
        var path = Path.Combine(host.Root, name);
        await File.WriteAllTextAsync(path, text);
        return await host.UploadAsync(path);
    }

    [Fact]
    public async Task A_failed_document_sent_again_is_a_new_document_with_the_same_bytes_and_the_failed_copy_leaves_the_failed_folder()
    {
        await using var host = new GatewayHost();
        var id = await UploadAsync(host, "broken.pdf", "%PDF-1.7 not really a PDF");
        var failed = await host.WaitUntilFinishedAsync(id);
        Assert.Equal("corrupt", failed.GetProperty("reason").GetString());
        Assert.True(File.Exists(Path.Combine(host.Failed, "broken.pdf")));

        var response = await host.Client.PostAsync($"/api/documents/{id}/redrive", null);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(id, body.GetProperty("redriveOf").GetString());
        var again = body.GetProperty("id").GetString()!;
        Assert.NotEqual(id, again);
        var status = await host.WaitUntilFinishedAsync(again);
        Assert.Equal("redrive", status.GetProperty("channel").GetString());
        Assert.Equal("broken.pdf", status.GetProperty("fileName").GetString());
        Assert.Equal(failed.GetProperty("sha256").GetString(), status.GetProperty("sha256").GetString());
        Assert.Equal("corrupt", status.GetProperty("reason").GetString());
        // The first stays as it was.
        Assert.Equal("Failed", (await host.Client.GetFromJsonAsync<JsonElement>($"/api/documents/{id}")).GetProperty("state").GetString());
        // Failing again kept the bytes once more, under the same name: one copy, one report.
        Assert.Single(Directory.GetFiles(host.Failed, "broken*.error.json"));
    }

    [Fact]
    public async Task Only_failed_documents_can_be_sent_again_and_unknown_ids_are_404()
    {
        await using var host = new GatewayHost();
        var id = await UploadAsync(host, "fine.txt", "Plain words.");
        await host.WaitUntilFinishedAsync(id);

        var completed = await host.Client.PostAsync($"/api/documents/{id}/redrive", null);
        var unknown = await host.Client.PostAsync("/api/documents/nope/redrive", null);
        var noReason = await host.Client.PostAsync("/api/documents/redrive", null);

        Assert.Equal(HttpStatusCode.Conflict, completed.StatusCode);
        Assert.Equal("not-failed", (await completed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reason").GetString());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
    }

    [Fact]
    public async Task All_documents_failed_for_a_reason_are_sent_again_and_others_are_left_alone()
    {
        await using var host = new GatewayHost();
        var first = await UploadAsync(host, "a.pdf", "%PDF-1.7 broken one");
        var second = await UploadAsync(host, "b.pdf", "%PDF-1.7 broken two");
        var other = await UploadAsync(host, "c.txt", "");
        foreach (var id in new[] { first, second, other })
        {
            await host.WaitUntilFinishedAsync(id);
        }

        var response = await host.Client.PostAsync("/api/documents/redrive?reason=corrupt", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var redriven = body.GetProperty("redriven").EnumerateArray().ToList();
        Assert.Equal([first, second], redriven.Select(r => r.GetProperty("redriveOf").GetString()).Order());
        Assert.Equal(0, body.GetProperty("notKept").GetInt32());
        foreach (var again in redriven)
        {
            Assert.Equal("Failed", (await host.WaitUntilFinishedAsync(again.GetProperty("id").GetString()!)).GetProperty("state").GetString());
        }
        Assert.Equal("empty", (await host.Client.GetFromJsonAsync<JsonElement>($"/api/documents/{other}")).GetProperty("reason").GetString());
        Assert.Single(await host.DocumentsNamedAsync("c.txt"));
    }

    [Fact]
    public async Task Sending_again_by_reason_reads_the_failures_page_by_page_and_stops_at_the_batch_limit()
    {
        await using var host = new GatewayHost();
        var store = host.Services.GetRequiredService<IDocumentStore>();
        var t0 = DateTimeOffset.UtcNow.AddDays(-1);
        // Failures whose bytes are no longer kept: each is counted as not kept, so the batch shows how many were read.
        async Task FailAsync(string id, int second, string reason, string tenant = Tenants.Default)
        {
            await store.TryAddAsync(new DocumentRecord { Id = id, FileName = id + ".txt", Channel = "upload", ReceivedAt = t0.AddSeconds(second), Tenant = tenant }, CancellationToken.None);
            await store.MarkFailedAsync(id, reason, "x", true, t0.AddSeconds(second + 1), CancellationToken.None);
        }
        for (var i = 0; i < 230; i++)
        {
            await FailAsync($"timeout-{i:D3}", i, "timeout");
        }
        for (var i = 0; i < 620; i++)
        {
            await FailAsync($"crashed-{i:D3}", i, "crashed");
        }
        await FailAsync("other-tenant", 1, "timeout", "acme");

        var timeouts = await (await host.Client.PostAsync("/api/documents/redrive?reason=timeout", null)).Content.ReadFromJsonAsync<JsonElement>();
        var crashes = await (await host.Client.PostAsync("/api/documents/redrive?reason=crashed", null)).Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal((0, 230), (timeouts.GetProperty("redriven").GetArrayLength(), timeouts.GetProperty("notKept").GetInt32()));
        Assert.Equal(RedriveEndpoints.BatchLimit, crashes.GetProperty("notKept").GetInt32());
    }

    [Fact]
    public async Task A_queued_document_is_cancelled_with_its_bytes_kept_and_can_be_sent_again_later()
    {
        // No worker: the document waits in the queue.
        await using var host = new GatewayHost(new Dictionary<string, string?> { ["Annotate:Gateway:RunWorker"] = "false" });
        var id = await UploadAsync(host, "waiting.txt", "Nobody takes me.");

        var response = await host.Client.PostAsync($"/api/documents/{id}/cancel", null);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var status = await host.WaitUntilFinishedAsync(id);
        Assert.Equal("Failed", status.GetProperty("state").GetString());
        Assert.Equal("cancelled", status.GetProperty("reason").GetString());
        Assert.Equal("Nobody takes me.", await File.ReadAllTextAsync(Path.Combine(host.Failed, "waiting.txt")));
        Assert.Equal(HttpStatusCode.Conflict, (await host.Client.PostAsync($"/api/documents/{id}/cancel", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await host.Client.PostAsync($"/api/documents/{id}/redrive", null)).StatusCode);
        Assert.False(File.Exists(Path.Combine(host.Failed, "waiting.txt")));
    }
}
