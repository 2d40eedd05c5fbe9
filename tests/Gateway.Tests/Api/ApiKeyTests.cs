using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Annotate.Gateway.Api;
using Annotate.Gateway.Storage;
using Annotate.Gateway.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Annotate.Gateway.Tests.Api;

/// <summary>API keys, tenants and the rate limit, over HTTP.</summary>
public sealed class ApiKeyTests
{
    private const string AcmeKey = "acme-key-0123456789";
    private const string GlobexKey = "globex-key-9876543210";

    private static Dictionary<string, string?> Keys(params (string Key, string Tenant)[] keys) =>
        keys.ToDictionary(k => "Annotate:Gateway:ApiKeys:" + ApiKeys.Hash(k.Key), k => (string?)k.Tenant);

    [Fact]
    public async Task With_keys_configured_a_request_without_a_key_or_with_a_wrong_key_is_401_with_a_problem()
    {
        await using var host = new GatewayHost(Keys((AcmeKey, "acme")));

        foreach (var client in new[] { host.CreateClient(null), host.CreateClient("not-a-key") })
        {
            using var list = await client.GetAsync("/api/documents");
            Assert.Equal(HttpStatusCode.Unauthorized, list.StatusCode);
            Assert.Equal("application/problem+json", list.Content.Headers.ContentType?.MediaType);
            Assert.Equal("unauthorized", (await list.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reason").GetString());

            using var form = new MultipartFormDataContent { { new ByteArrayContent("Hello."u8.ToArray()), "file", "a.txt" } };
            using var upload = await client.PostAsync("/api/documents", form);
            Assert.Equal(HttpStatusCode.Unauthorized, upload.StatusCode);
        }
        Assert.Equal(HttpStatusCode.OK, (await host.CreateClient(AcmeKey).GetAsync("/api/documents")).StatusCode);
        Assert.Empty(await host.Services.GetRequiredService<IDocumentStore>().ListAsync(10, CancellationToken.None));
    }

    [Fact]
    public async Task A_tenant_cannot_get_list_or_download_another_tenants_document()
    {
        await using var host = new GatewayHost(Keys((AcmeKey, "acme"), (GlobexKey, "globex")));
        var acme = host.CreateClient(AcmeKey);
        var globex = host.CreateClient(GlobexKey);
        using var form = new MultipartFormDataContent { { new ByteArrayContent("# Memo\n\nPay invoice 42.\n"u8.ToArray()), "file", "memo.md" } };
        var id = (await (await acme.PostAsync("/api/documents", form)).Content.ReadFromJsonAsync<UploadAccepted>())!.Id;
        var status = await WaitUntilFinishedAsync(acme, id);
        Assert.Equal("Completed", status.State);
        Assert.Equal("acme", status.Tenant);

        Assert.Equal([id], (await acme.GetFromJsonAsync<DocumentView[]>("/api/documents"))!.Select(d => d.Id));
        Assert.Empty((await globex.GetFromJsonAsync<DocumentView[]>("/api/documents"))!);
        foreach (var url in new[] { $"/api/documents/{id}", $"/api/documents/{id}/files/content.md", $"/api/documents/{id}/outputs.zip" })
        {
            Assert.Equal(HttpStatusCode.OK, (await acme.GetAsync(url)).StatusCode);
            using var other = await globex.GetAsync(url);
            Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
            Assert.Equal("not-found", (await other.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reason").GetString());
        }
    }

    [Fact]
    public async Task A_tenant_cannot_read_review_cancel_or_send_again_another_tenants_document()
    {
        await using var host = new GatewayHost(Keys((AcmeKey, "acme"), (GlobexKey, "globex")));
        var acme = host.CreateClient(AcmeKey);
        var globex = host.CreateClient(GlobexKey);
        using var good = new MultipartFormDataContent { { new ByteArrayContent("# Memo\n\nPay invoice 42.\n"u8.ToArray()), "file", "memo.md" } };
        var done = (await (await acme.PostAsync("/api/documents", good)).Content.ReadFromJsonAsync<UploadAccepted>())!.Id;
        using var bad = new MultipartFormDataContent { { new ByteArrayContent("%PDF-1.7 broken"u8.ToArray()), "file", "broken.pdf" } };
        var failed = (await (await acme.PostAsync("/api/documents", bad)).Content.ReadFromJsonAsync<UploadAccepted>())!.Id;
        Assert.Equal("Completed", (await WaitUntilFinishedAsync(acme, done)).State);
        Assert.Equal("Failed", (await WaitUntilFinishedAsync(acme, failed)).State);

        Assert.Equal(HttpStatusCode.OK, (await acme.GetAsync($"/api/documents/{done}/content.html")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await acme.GetAsync($"/api/documents/{done}/review")).StatusCode);
        foreach (var (method, url) in new[]
        {
            (HttpMethod.Get, $"/api/documents/{done}/content.html"),
            (HttpMethod.Get, $"/api/documents/{done}/review"),
            (HttpMethod.Put, $"/api/documents/{done}/review"),
            (HttpMethod.Post, $"/api/documents/{done}/cancel"),
            (HttpMethod.Post, $"/api/documents/{failed}/redrive"),
        })
        {
            using var request = new HttpRequestMessage(method, url);
            if (method == HttpMethod.Put)
            {
                request.Content = JsonContent.Create(new { reviewer = "Mallory" });
            }
            using var other = await globex.SendAsync(request);
            Assert.True(other.StatusCode == HttpStatusCode.NotFound, $"{method} {url}: {other.StatusCode}");
        }
        // Sending again by reason reaches only the caller's own failures; without a key nothing is reachable.
        var batch = await (await globex.PostAsync("/api/documents/redrive?reason=corrupt", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Empty(batch.GetProperty("redriven").EnumerateArray());
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Client.GetAsync("/api/stats")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Client.GetAsync("/api/profiles")).StatusCode);
        var again = await acme.PostAsync($"/api/documents/{failed}/redrive", null);
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        var redriven = (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        Assert.Equal("acme", (await WaitUntilFinishedAsync(acme, redriven)).Tenant);
    }

    [Fact]
    public async Task Stats_with_a_key_count_only_its_tenants_documents_and_the_session_names_the_tenant()
    {
        await using var host = new GatewayHost(Keys((AcmeKey, "acme"), (GlobexKey, "globex")));
        var acme = host.CreateClient(AcmeKey);
        var globex = host.CreateClient(GlobexKey);
        using var form = new MultipartFormDataContent { { new ByteArrayContent("# Memo\n\nPay invoice 42.\n"u8.ToArray()), "file", "memo.md" } };
        var id = (await (await acme.PostAsync("/api/documents", form)).Content.ReadFromJsonAsync<UploadAccepted>())!.Id;
        Assert.Equal("Completed", (await WaitUntilFinishedAsync(acme, id)).State);
        await host.Services.GetRequiredService<IDocumentStore>()
            .RollUpThroughputAsync(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddMinutes(1), CancellationToken.None);

        var mine = await acme.GetFromJsonAsync<JsonElement>("/api/stats");
        var theirs = await globex.GetFromJsonAsync<JsonElement>("/api/stats");

        Assert.Equal("acme", mine.GetProperty("tenant").GetString());
        Assert.Equal(1, mine.GetProperty("perMinute").EnumerateArray().Sum(p => p.GetProperty("completed").GetInt32()));
        Assert.Equal(1, mine.GetProperty("latencyLastHour").GetProperty("documents").GetInt32());
        Assert.Equal("globex", theirs.GetProperty("tenant").GetString());
        Assert.Equal(0, theirs.GetProperty("perMinute").EnumerateArray().Sum(p => p.GetProperty("received").GetInt32()));
        Assert.Equal(0, theirs.GetProperty("latencyLastHour").GetProperty("documents").GetInt32());
        Assert.Equal(new Session("globex", true), await globex.GetFromJsonAsync<Session>("/api/session"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Client.GetAsync("/api/session")).StatusCode);
    }

    [Fact]
    public async Task Without_keys_the_stats_count_every_tenants_documents_and_the_session_says_no_key_is_needed()
    {
        await using var host = new GatewayHost();
        var store = host.Services.GetRequiredService<IDocumentStore>();
        var now = DateTimeOffset.UtcNow;
        await store.TryAddAsync(new DocumentRecord { Id = "a", FileName = "a.txt", Channel = "upload", Tenant = "acme", ReceivedAt = now }, CancellationToken.None);
        await store.TryAddAsync(new DocumentRecord { Id = "b", FileName = "b.txt", Channel = "inbox", ReceivedAt = now }, CancellationToken.None);
        // Finished, so start-up recovery does not take them for intakes that never completed and remove them.
        await store.MarkFailedAsync("a", "corrupt", "x", false, now, CancellationToken.None);
        await store.MarkFailedAsync("b", "corrupt", "x", false, now, CancellationToken.None);
        await store.RollUpThroughputAsync(now.AddHours(-1), now.AddMinutes(1), CancellationToken.None);

        var stats = await host.Client.GetFromJsonAsync<JsonElement>("/api/stats");

        Assert.Equal(JsonValueKind.Null, stats.GetProperty("tenant").ValueKind);
        Assert.Equal(2, stats.GetProperty("perMinute").EnumerateArray().Sum(p => p.GetProperty("failed").GetInt32()));
        Assert.Equal(new Session("default", false), await host.Client.GetFromJsonAsync<Session>("/api/session"));
    }

    [Fact]
    public async Task Without_keys_uploads_belong_to_the_default_tenant()
    {
        await using var host = new GatewayHost();
        using var form = new MultipartFormDataContent { { new ByteArrayContent("Hello."u8.ToArray()), "file", "a.txt" } };
        var id = (await (await host.Client.PostAsync("/api/documents", form)).Content.ReadFromJsonAsync<UploadAccepted>())!.Id;

        Assert.Equal("default", (await host.Client.GetFromJsonAsync<DocumentView>($"/api/documents/{id}"))!.Tenant);
    }

    [Fact]
    public async Task Requests_over_the_rate_limit_of_a_key_are_429_with_Retry_After_and_other_keys_are_not_limited()
    {
        await using var host = new GatewayHost(new Dictionary<string, string?>(Keys((AcmeKey, "acme"), (GlobexKey, "globex")))
        {
            ["Annotate:Api:RateLimitPermits"] = "2",
            ["Annotate:Api:RateLimitWindow"] = "01:00:00",
        });
        var acme = host.CreateClient(AcmeKey);

        Assert.Equal(HttpStatusCode.OK, (await acme.GetAsync("/api/documents")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await acme.GetAsync("/api/documents")).StatusCode);
        using var limited = await acme.GetAsync("/api/documents");

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        Assert.Equal("rate-limited", (await limited.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reason").GetString());
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero, "no Retry-After");
        Assert.Equal(HttpStatusCode.OK, (await host.CreateClient(GlobexKey).GetAsync("/api/documents")).StatusCode);
    }

    [Fact]
    public async Task A_key_configured_in_clear_instead_of_its_hash_stops_the_start_with_a_reason()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var host = new GatewayHost(new Dictionary<string, string?> { ["Annotate:Gateway:ApiKeys:my-secret-key"] = "acme" });
        });

        Assert.Contains("not the SHA-256 of a key", Flatten(error));
    }

    [Fact]
    public async Task Listening_on_every_interface_without_keys_stops_the_start_and_says_why()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var host = new GatewayHost(new Dictionary<string, string?> { ["urls"] = "http://0.0.0.0:5080" });
        });

        var message = Flatten(error);
        Assert.Contains("http://0.0.0.0:5080", message);
        Assert.Contains("no API keys", message);
    }

    [Fact]
    public async Task Listening_on_every_interface_with_keys_starts()
    {
        await using var host = new GatewayHost(new Dictionary<string, string?>(Keys((AcmeKey, "acme"))) { ["urls"] = "http://0.0.0.0:5080" });

        Assert.Equal(HttpStatusCode.OK, (await host.CreateClient(AcmeKey).GetAsync("/api/documents")).StatusCode);
    }

    private static string Flatten(Exception error)
    {
        var messages = new List<string>();
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            messages.Add(e.Message);
            if (e is AggregateException aggregate)
            {
                messages.AddRange(aggregate.InnerExceptions.Select(Flatten));
            }
        }
        return string.Join(" | ", messages);
    }

    /// <summary>Polls the status with this client until the document is final (bounded: 60 s).</summary>
    internal static async Task<DocumentView> WaitUntilFinishedAsync(HttpClient client, string id)
    {
        for (var i = 0; i < 600; i++)
        {
            var status = (await client.GetFromJsonAsync<DocumentView>($"/api/documents/{id}"))!;
            if (status.State is "Completed" or "Failed")
            {
                return status;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"Document {id} did not finish within 60 s.");
    }
}
