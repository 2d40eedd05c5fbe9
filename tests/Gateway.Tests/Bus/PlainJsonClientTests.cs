using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Annotate.Gateway.Tests.Support;
using Annotate.Hosting.Blobs;
using Microsoft.Extensions.DependencyInjection;

namespace Annotate.Gateway.Tests.Bus;

/// <summary>
/// A system that is not .NET (Python with Debian's python3-pika, <c>plain_json_client.py</c>) publishes plain JSON
/// commands to annotate-requests and reads the plain JSON events from its own queue bound to annotate-events.
/// </summary>
public sealed class PlainJsonClientTests
{
    private const string Memo = "# Memo\n\nPlease pay invoice 42 by 2024-04-30.\n\n| Item | Price |\n|---|---|\n| Paper | 12.50 |\n";

    [PythonPikaFact]
    public async Task A_command_with_inline_content_and_no_sourceUri_is_answered_with_a_plain_json_Completed_event()
    {
        await using var vhost = await RabbitMqVirtualHost.CreateAsync();
        await using var host = StartWorkerHost(vhost);

        var reply = await RunClientAsync(host, vhost, $$"""
            { "documentId": "ext-inline-1", "fileName": "memo.md", "correlationId": "py-1",
              "contentBase64": "{{Convert.ToBase64String(Encoding.UTF8.GetBytes(Memo))}}" }
            """);

        AssertCompleted(reply, "ext-inline-1", "py-1");
        // Staged for this document only: gone once it is done.
        Assert.False(await host.Services.GetRequiredService<IBlobStore>().ExistsAsync("sources/ext-inline-1/memo.md", CancellationToken.None));
    }

    [PythonPikaFact]
    public async Task A_command_with_a_blob_reference_is_answered_with_a_plain_json_Completed_event()
    {
        await using var vhost = await RabbitMqVirtualHost.CreateAsync();
        await using var host = StartWorkerHost(vhost);
        var blobs = host.Services.GetRequiredService<IBlobStore>();
        await blobs.PutAsync("sources/ext-blob-1/memo.md", new MemoryStream(Encoding.UTF8.GetBytes(Memo)), CancellationToken.None);

        var reply = await RunClientAsync(host, vhost, """
            { "documentId": "ext-blob-1", "sourceUri": "blob:sources/ext-blob-1/memo.md", "fileName": "memo.md", "correlationId": "py-2" }
            """);

        AssertCompleted(reply, "ext-blob-1", "py-2");
        // The plain JSON endpoint comes in addition to MassTransit's own, which the gateway's commands still go to.
        var queues = await vhost.QueuesAsync();
        Assert.Contains(queues, q => q.Name == "annotate-document");
        Assert.Contains(queues, q => q.Name == "annotate-requests");
    }

    [PythonPikaFact]
    public async Task A_document_that_cannot_be_annotated_is_answered_with_a_plain_json_Failed_event()
    {
        await using var vhost = await RabbitMqVirtualHost.CreateAsync();
        await using var host = StartWorkerHost(vhost);
        var pdf = await File.ReadAllBytesAsync(Shared.Corpus("pdf/minimal-document.pdf"));

        var reply = await RunClientAsync(host, vhost, $$"""
            { "documentId": "ext-bad-1", "sourceUri": "", "fileName": "truncated.pdf", "correlationId": "py-3",
              "contentBase64": "{{Convert.ToBase64String(pdf[..(pdf.Length / 3)])}}" }
            """);

        Assert.Equal("DocumentAnnotationFailed", reply.GetProperty("routingKey").GetString());
        Assert.Equal("application/json", reply.GetProperty("contentType").GetString());
        var failed = reply.GetProperty("event");
        Assert.Equal("ext-bad-1", failed.GetProperty("documentId").GetString());
        Assert.Equal("corrupt", failed.GetProperty("reason").GetString());
        Assert.Contains("truncated.pdf", failed.GetProperty("message").GetString());
        Assert.False(failed.GetProperty("retryable").GetBoolean());
        Assert.Equal("py-3", failed.GetProperty("correlationId").GetString());
    }

    [PythonPikaFact]
    public async Task A_source_that_stays_unreachable_is_retried_then_answered_with_a_plain_json_Failed_event()
    {
        await using var vhost = await RabbitMqVirtualHost.CreateAsync();
        // Retries run out, then one redelivery through a delay queue (back to annotate-document, still plain JSON), then
        // the fault goes to annotate-document-fault, whose consumer publishes the Failed event.
        await using var host = StartWorkerHost(vhost, new()
        {
            ["Annotate:Worker:FetchHosts:0"] = "127.0.0.1",
            ["Annotate:Worker:RetryLimit"] = "1",
            ["Annotate:Worker:RedeliveryLimit"] = "1",
            ["Annotate:Worker:RedeliveryDelays:0"] = "00:00:01",
        });
        var closed = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        closed.Start();
        var port = ((System.Net.IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();

        var reply = await RunClientAsync(host, vhost, $$"""
            { "documentId": "ext-down-1", "sourceUri": "http://127.0.0.1:{{port}}/memo.md", "fileName": "memo.md" }
            """);

        Assert.Equal("DocumentAnnotationFailed", reply.GetProperty("routingKey").GetString());
        var failed = reply.GetProperty("event");
        Assert.Equal("source-missing", failed.GetProperty("reason").GetString());
        Assert.True(failed.GetProperty("retryable").GetBoolean());
        Assert.Contains($"127.0.0.1:{port}", failed.GetProperty("message").GetString());
        Assert.Contains(await vhost.QueuesAsync(), q => q.Name == "annotate-document-fault");
    }

    /// <summary>The gateway with the worker inside (see <see cref="RabbitMqVirtualHost.Settings"/>), over this test's virtual host.</summary>
    private static GatewayHost StartWorkerHost(RabbitMqVirtualHost vhost, Dictionary<string, string?>? more = null)
    {
        var settings = vhost.Settings();
        foreach (var (key, value) in more ?? [])
        {
            settings[key] = value;
        }
        return new GatewayHost(settings);
    }

    private static void AssertCompleted(JsonElement reply, string documentId, string correlationId)
    {
        Assert.Equal("DocumentAnnotated", reply.GetProperty("routingKey").GetString());
        Assert.Equal("application/json", reply.GetProperty("contentType").GetString());
        var annotated = reply.GetProperty("event");
        // Plain JSON: the event's own fields at the top, no MassTransit envelope around them.
        Assert.False(annotated.TryGetProperty("messageType", out _));
        Assert.False(annotated.TryGetProperty("message", out _));
        Assert.Equal(documentId, annotated.GetProperty("documentId").GetString());
        Assert.Equal("memo.md", annotated.GetProperty("fileName").GetString());
        Assert.Equal(correlationId, annotated.GetProperty("correlationId").GetString());
        Assert.Equal($"blob:outputs/{documentId}/", annotated.GetProperty("outputUri").GetString());
        Assert.Equal("markdown", annotated.GetProperty("digest").GetProperty("format").GetString());
        Assert.Contains(annotated.GetProperty("outputs").EnumerateArray(), o => o.GetProperty("name").GetString() == "content.md");
    }

    /// <summary>Runs the Python client with <paramref name="command"/> and returns what it printed (bounded: 90 s).</summary>
    private static async Task<JsonElement> RunClientAsync(GatewayHost host, RabbitMqVirtualHost vhost, string command)
    {
        var file = Path.Combine(host.Root, $"command-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, command);
        var start = new ProcessStartInfo(PythonPika.Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Bus", "plain_json_client.py"));
        start.ArgumentList.Add(vhost.AmqpUri().AbsoluteUri);
        start.ArgumentList.Add(file);
        start.ArgumentList.Add("60");
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"plain_json_client.py did not finish within 90 s: {await error}");
        }
        Assert.True(process.ExitCode == 0, $"plain_json_client.py exited with {process.ExitCode}: {await error}{await output}");
        return JsonDocument.Parse(await output).RootElement.Clone();
    }
}

/// <summary>A broker test that also needs Debian's python3 with python3-pika: skipped without either outside CI, failing in CI.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PythonPikaFactAttribute : FactAttribute
{
    public PythonPikaFactAttribute()
    {
        if ((RabbitMqTestBroker.SkipReason ?? PythonPika.SkipReason) is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>Debian's Python (not a virtual environment's), where apt-get installs python3-pika.</summary>
public static class PythonPika
{
    public const string Python = "/usr/bin/python3";

    private static readonly Lazy<bool> Available = new(() =>
    {
        if (!File.Exists(Python))
        {
            return false;
        }
        using var process = Process.Start(new ProcessStartInfo(Python, ["-c", "import pika"]) { RedirectStandardError = true })!;
        process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0;
    });

    private static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Why the Python client tests are skipped, or null when they run. Never skipped in CI (they fail there instead).</summary>
    public static string? SkipReason => !InCi && !Available.Value
        ? $"{Python} cannot import pika: install it with `apt-get install -y python3-pika` (.ci/run does)"
        : null;
}
