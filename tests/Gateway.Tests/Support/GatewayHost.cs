using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using MassTransit;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Annotate.Gateway.Tests.Support;

/// <summary>The whole one-process Annotate (gateway, in-memory bus, worker) over real HTTP, on temporary folders.</summary>
public sealed class GatewayHost : IAsyncDisposable
{
    private readonly WebApplicationFactory<Program> _factory;

    public GatewayHost(IDictionary<string, string?>? settings = null, string? root = null)
    {
        Root = root ?? Path.Combine(Path.GetTempPath(), "annotate-gateway-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
        var all = new Dictionary<string, string?>
        {
            ["Annotate:Gateway:Inbox"] = Inbox,
            ["Annotate:Gateway:Failed"] = Failed,
            ["Annotate:Blobs:Sources"] = Path.Combine(Root, "blobs"),
            ["Annotate:Blobs:Results"] = Path.Combine(Root, "results"),
            ["Annotate:Blobs:Content"] = Path.Combine(Root, "content"),
            ["Annotate:Gateway:Database"] = Path.Combine(Root, "annotate.db"),
            ["Annotate:Gateway:PollInterval"] = "00:00:00.100",
            ["Annotate:Gateway:SettleTime"] = "00:00:00.500",
            ["Annotate:Blobs:Outputs"] = Outbox,
            ["Annotate:Worker:RetryDelay"] = "00:00:00.010",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            foreach (var (key, value) in all)
            {
                b.UseSetting(key, value);
            }
            b.ConfigureServices(services => services.AddSingleton<ConsumedCounter>().AddConsumeObserver(sp => sp.GetRequiredService<ConsumedCounter>()));
        });
        Client = _factory.CreateClient();
    }

    public string Root { get; }
    public string Inbox => Path.Combine(Root, "inbox");
    public string Outbox => Path.Combine(Root, "outbox");
    public string Failed => Path.Combine(Root, "failed");
    public HttpClient Client { get; }

    /// <summary>Another client of the same host, sending <paramref name="apiKey"/> in the X-Api-Key header when given.</summary>
    public HttpClient CreateClient(string? apiKey)
    {
        var client = _factory.CreateClient();
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        }
        return client;
    }
    public IServiceProvider Services => _factory.Services;

    /// <summary>Polls the status endpoint until the document reaches a final state (bounded: 180 s: a loaded machine running the model can be slow).</summary>
    public async Task<JsonElement> WaitUntilFinishedAsync(string id)
    {
        for (var i = 0; i < 1800; i++)
        {
            var status = await Client.GetFromJsonAsync<JsonElement>($"/api/documents/{id}");
            if (status.GetProperty("state").GetString() is "Completed" or "Failed")
            {
                return status;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"Document {id} did not finish within 180 s.");
    }

    /// <summary>Waits until the inbox file named <paramref name="fileName"/> has a final state (bounded: 180 s: a loaded machine running the model can be slow).</summary>
    public async Task<JsonElement> WaitForInboxFileAsync(string fileName, int count = 1)
    {
        for (var i = 0; i < 1800; i++)
        {
            var list = await Client.GetFromJsonAsync<JsonElement>("/api/documents?limit=500");
            var matches = list.EnumerateArray().Where(d => d.GetProperty("fileName").GetString() == fileName).ToList();
            if (matches.Count >= count && matches.All(d => d.GetProperty("state").GetString() is "Completed" or "Failed"))
            {
                return matches[0];
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"{fileName} was not annotated within 180 s.");
    }

    /// <summary>Waits until the gateway knows the document (it may learn of it from events) and it is final (bounded: 180 s: a loaded machine running the model can be slow).</summary>
    public async Task<JsonElement> WaitUntilKnownAndFinishedAsync(string id)
    {
        for (var i = 0; i < 1800; i++)
        {
            if ((await Client.GetAsync($"/api/documents/{id}")).IsSuccessStatusCode)
            {
                return await WaitUntilFinishedAsync(id);
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"Document {id} never appeared.");
    }

    /// <summary>Waits until a consumer of the gateway has handled a message of type <typeparamref name="T"/> (bounded: 60 s).</summary>
    public Task WaitForConsumedAsync<T>(TimeSpan? bound = null) where T : class => WaitForConsumedCountAsync<T>(1, bound);

    /// <summary>Waits until consumers of the gateway have handled <paramref name="count"/> messages of type <typeparamref name="T"/> (bounded: 60 s unless told).</summary>
    public async Task WaitForConsumedCountAsync<T>(int count, TimeSpan? bound = null) where T : class
    {
        var observer = Services.GetRequiredService<ConsumedCounter>();
        var limit = bound ?? TimeSpan.FromSeconds(60);
        try
        {
            await observer.WhenCountAsync<T>(count).WaitAsync(limit);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{observer.Count<T>()} of {count} {typeof(T).Name} were consumed within {limit.TotalSeconds:0} s.");
        }
    }

    public async Task<JsonElement[]> DocumentsNamedAsync(string fileName)
    {
        var list = await Client.GetFromJsonAsync<JsonElement>("/api/documents?limit=500");
        return list.EnumerateArray().Where(d => d.GetProperty("fileName").GetString() == fileName).ToArray();
    }

    public async Task<string> UploadAsync(string path, string? name = null, string? profile = null)
    {
        using var form = new MultipartFormDataContent();
        var content = new ByteArrayContent(await File.ReadAllBytesAsync(path));
        form.Add(content, "file", name ?? Path.GetFileName(path));
        if (profile is not null)
        {
            form.Add(new StringContent(profile), "profile");
        }
        var response = await Client.PostAsync("/api/documents", form);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("id").GetString()!;
    }

    /// <summary>Stops the host and keeps the folders (for restart tests).</summary>
    public ValueTask StopAsync() => _factory.DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        await _factory.DisposeAsync();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may still hold the WAL file for a moment; temp space is reclaimed by the OS.
        }
    }
}
