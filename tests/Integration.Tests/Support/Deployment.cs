using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Annotate.Integration.Tests.Support;

/// <summary>
/// Annotate as it is deployed on several machines, on one: a RabbitMQ node (and a PostgreSQL cluster) of its own, one
/// Gateway process and separate Worker processes sharing the blob folders under a temporary root, and a tap on the
/// document events. Everything it started is stopped on dispose, whatever happened.
/// </summary>
public sealed class Deployment : IAsyncDisposable
{
    /// <summary>Documents each worker annotates at once (and so holds from the queue).</summary>
    public const int WorkerConcurrency = 2;

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly List<HostProcess> _workers = [];

    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private readonly Action<string>? _log;

    private Deployment(string root, Action<string>? log)
    {
        Root = root;
        _log = log;
    }

    /// <summary>Writes <paramref name="step"/> with the time since the deployment started to the test's output.</summary>
    public void Log(string step) => _log?.Invoke($"[{_clock.Elapsed.TotalSeconds,6:0.0} s] {step}");

    public string Root { get; }
    public string Inbox => Path.Combine(Root, "inbox");
    public string Outbox => Path.Combine(Root, "outbox");
    public RabbitMqNode Broker { get; private set; } = null!;
    public PostgresServer? Postgres { get; private set; }
    public HostProcess Gateway { get; private set; } = null!;
    public IReadOnlyList<HostProcess> Workers => _workers;
    public EventTap Events { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;

    /// <summary>Starts the servers, the gateway, <paramref name="workers"/> workers (waiting until each consumes the work queue) and the event tap.</summary>
    public static async Task<Deployment> StartAsync(int workers, bool postgres = false, Action<string>? log = null)
    {
        var deployment = new Deployment(Path.Combine(Path.GetTempPath(), "annotate-integration", Guid.NewGuid().ToString("N")), log);
        Directory.CreateDirectory(deployment.Root);
        try
        {
            // The servers start together; each script waits until its server accepts connections.
            var broker = RabbitMqNode.StartAsync(Path.Combine(deployment.Root, "rabbitmq"));
            Task<PostgresServer?> database = postgres
                ? StartPostgresAsync(Path.Combine(deployment.Root, "postgres"))
                : Task.FromResult<PostgresServer?>(null);
            try
            {
                await Task.WhenAll(broker, database);
            }
            finally
            {
                // Kept even when the other failed, so dispose stops it.
                deployment.Broker = broker.IsCompletedSuccessfully ? broker.Result : null!;
                deployment.Postgres = database.IsCompletedSuccessfully ? database.Result : null;
            }
            deployment.Log(postgres ? "RabbitMQ and PostgreSQL started" : "RabbitMQ started");
            await deployment.StartGatewayAsync();
            deployment.Log("gateway ready");
            deployment.Events = await EventTap.StartAsync(deployment.Broker.Uri);
            for (var i = 0; i < workers; i++)
            {
                deployment.LaunchWorker();
            }
            await deployment.WaitForWorkQueueConsumersAsync(workers, StartTimeout);
            deployment.Log($"{workers} workers consuming");
            return deployment;
        }
        catch
        {
            await deployment.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts one more worker process (<see cref="WaitForWorkQueueConsumersAsync"/> says when it takes documents).</summary>
    public HostProcess LaunchWorker()
    {
        var name = $"worker-{_workers.Count + 1}";
        var settings = new Dictionary<string, string>(SharedSettings())
        {
            ["Annotate__Worker__ConcurrentDocuments"] = WorkerConcurrency.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Annotate__Worker__RetryDelay"] = "00:00:00.200",
            ["DOTNET_ENVIRONMENT"] = "Testing",
        };
        var worker = HostProcess.Start(name, TestServices.WorkerDll, Path.Combine(Root, name), settings);
        _workers.Add(worker);
        return worker;
    }

    private static async Task<PostgresServer?> StartPostgresAsync(string directory) => await PostgresServer.StartAsync(directory);

    /// <summary>Waits (bounded, polling the broker) until the work queue has <paramref name="count"/> consumers: that many workers take documents.</summary>
    public async Task WaitForWorkQueueConsumersAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var consumers = await Events.ConsumersAsync("annotate-document");
            if (consumers >= count)
            {
                return;
            }
            if (_workers.Any(w => w.HasExited) || DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The work queue has {consumers?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"} consumers, not {count}, after {timeout}:\n{string.Join('\n', _workers.Select(w => w.Output))}");
            }
            await Task.Delay(250);
        }
    }

    /// <summary>Uploads each document over HTTP (<paramref name="parallelism"/> at a time); their ids, in order.</summary>
    public async Task<string[]> UploadAsync(IReadOnlyList<(string Name, byte[] Content)> documents, int parallelism = 4)
    {
        var ids = new string[documents.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, documents.Count), new ParallelOptions { MaxDegreeOfParallelism = parallelism }, async (i, token) =>
        {
            using var form = new MultipartFormDataContent();
            var file = new ByteArrayContent(documents[i].Content);
            file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(file, "file", documents[i].Name);
            using var response = await Client.PostAsync("/api/documents", form, token);
            Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"Upload of {documents[i].Name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(token)}");
            ids[i] = (await response.Content.ReadFromJsonAsync<JsonElement>(token)).GetProperty("id").GetString()!;
        });
        return ids;
    }

    /// <summary>Every document the gateway knows, by id (null while the API cannot answer, e.g. its database is down).</summary>
    public async Task<Dictionary<string, JsonElement>?> TryDocumentsAsync()
    {
        try
        {
            using var response = await Client.GetAsync("/api/documents?limit=500");
            return response.IsSuccessStatusCode
                ? (await response.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().ToDictionary(d => d.GetProperty("id").GetString()!)
                : null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    /// <summary>
    /// Polls the gateway's API until <paramref name="done"/> holds for its documents (bounded by <paramref name="timeout"/>);
    /// returns them. Fails with the documents not yet final and the hosts' last lines.
    /// </summary>
    public async Task<Dictionary<string, JsonElement>> WaitForDocumentsAsync(Func<Dictionary<string, JsonElement>, bool> done, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        Dictionary<string, JsonElement>? documents = null;
        while (DateTime.UtcNow < deadline)
        {
            documents = await TryDocumentsAsync() ?? documents;
            if (documents is not null && done(documents))
            {
                return documents;
            }
            await Task.Delay(250);
        }
        var pending = documents?.Values.Where(d => !IsFinal(d)).Select(d => $"{d.GetProperty("fileName")} {d.GetProperty("state")}").Take(20) ?? [];
        throw new TimeoutException($"Not within {timeout}: {what}. Not final: {string.Join(", ", pending)}\n{Diagnostics()}");
    }

    /// <summary>Waits until each of <paramref name="ids"/> is Completed or Failed; returns them.</summary>
    public Task<Dictionary<string, JsonElement>> WaitUntilFinishedAsync(IReadOnlyCollection<string> ids, TimeSpan timeout) =>
        WaitForDocumentsAsync(d => ids.All(id => d.TryGetValue(id, out var doc) && IsFinal(doc)), timeout, $"all {ids.Count} documents Completed or Failed");

    public static bool IsFinal(JsonElement document) => document.GetProperty("state").GetString() is "Completed" or "Failed";

    public static string State(JsonElement document) => document.GetProperty("state").GetString()!;

    /// <summary>The last lines of every host, for failure messages.</summary>
    public string Diagnostics() => string.Join('\n', new[] { Gateway }.Concat(_workers).OfType<HostProcess>().Select(h => h.Output));

    private async Task StartGatewayAsync()
    {
        var port = FreePort();
        var settings = new Dictionary<string, string>(SharedSettings())
        {
            ["Annotate__Gateway__Inbox"] = Inbox,
            ["Annotate__Gateway__Failed"] = Path.Combine(Root, "failed"),
            ["Annotate__Gateway__Database"] = Path.Combine(Root, "annotate.db"),
            ["Annotate__Gateway__PollInterval"] = "00:00:00.200",
            ["Annotate__Gateway__SettleTime"] = "00:00:00.500",
            ["ASPNETCORE_ENVIRONMENT"] = "Testing",
        };
        if (Postgres is not null)
        {
            settings["Annotate__State__PostgresConnectionString"] = Postgres.ConnectionString;
        }
        Gateway = HostProcess.Start("gateway", TestServices.GatewayDll, Path.Combine(Root, "gateway"), settings, "--urls", $"http://127.0.0.1:{port}");
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        await Gateway.WaitForOutputAsync("Annotate is ready", StartTimeout);
    }

    /// <summary>What every host shares: the broker and the blob folders.</summary>
    private Dictionary<string, string> SharedSettings()
    {
        var settings = Broker.Settings();
        settings["Annotate__Blobs__Sources"] = Path.Combine(Root, "blobs");
        settings["Annotate__Blobs__Outputs"] = Outbox;
        settings["Annotate__Blobs__Results"] = Path.Combine(Root, "results");
        settings["Annotate__Blobs__Content"] = Path.Combine(Root, "content");
        return settings;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        // Each step on its own, so one that fails cannot leave a process or a server running.
        var failures = new List<Exception>();
        async Task Try(Func<ValueTask> step)
        {
            try
            {
                await step();
            }
            catch (Exception ex)
            {
                failures.Add(ex);
            }
        }
        foreach (var worker in _workers)
        {
            await Try(worker.DisposeAsync);
        }
        if (Gateway is not null)
        {
            await Try(Gateway.DisposeAsync);
        }
        Client?.Dispose();
        if (Events is not null)
        {
            await Try(Events.DisposeAsync);
        }
        if (Broker is not null)
        {
            await Try(Broker.DisposeAsync);
        }
        if (Postgres is not null)
        {
            await Try(Postgres.DisposeAsync);
        }
        await Try(() =>
        {
            Directory.Delete(Root, recursive: true);
            return ValueTask.CompletedTask;
        });
        Log("stopped");
        if (failures.Count > 0)
        {
            throw new AggregateException("Stopping the deployment failed", failures);
        }
    }
}
