using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace Annotate.Gateway.Tests.Support;

/// <summary>
/// The one-process service as a real operating-system process (the built Annotate.Gateway.dll under <c>dotnet</c>),
/// for tests that kill it with SIGKILL and start it again on the same folders.
/// </summary>
public sealed class GatewayProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Done)> _waiters = [];

    private GatewayProcess(Process process, int port)
    {
        _process = process;
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
    }

    public HttpClient Client { get; }

    /// <summary>The process id, to read what the system knows of it (<c>/proc/PID</c>).</summary>
    public int Id => _process.Id;

    /// <summary>The last lines the process printed, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output.TakeLast(40));
            }
        }
    }

    /// <summary>Starts the service on <paramref name="root"/>'s folders and waits (bounded: 60 s) until it says it is ready.</summary>
    public static async Task<GatewayProcess> StartAsync(string root, IDictionary<string, string>? settings = null)
    {
        var gateway = Launch(root, settings);
        // The banner is printed once the server listens.
        var ready = gateway.WaitForLineAsync(l => l.Contains("Annotate is ready", StringComparison.Ordinal));
        var ended = await Task.WhenAny(ready, gateway.ExitedAsync(), Task.Delay(TimeSpan.FromSeconds(60)));
        if (ended == ready)
        {
            return gateway;
        }
        var exited = gateway.HasExited;
        await gateway.DisposeAsync();
        throw exited
            ? new InvalidOperationException($"The gateway exited:\n{gateway.Output}")
            : new TimeoutException($"The gateway did not start within 60 s:\n{gateway.Output}");
    }

    /// <summary>Completes when the process ends.</summary>
    public Task ExitedAsync() => _process.WaitForExitAsync();

    /// <summary>Completes with the first line the process prints (or has printed) that <paramref name="match"/> accepts.</summary>
    public Task<string> WaitForLineAsync(Func<string, bool> match)
    {
        lock (_output)
        {
            if (_output.FirstOrDefault(match) is { } seen)
            {
                return Task.FromResult(seen);
            }
            var waiter = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, waiter));
            return waiter.Task;
        }
    }

    /// <summary>True once the process has ended.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>True when the service answers its health check.</summary>
    public async Task<bool> AnswersAsync()
    {
        try
        {
            return (await Client.GetAsync("/health")).IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    /// <summary>Starts the service without waiting for it (it may die before it answers).</summary>
    public static GatewayProcess Launch(string root, IDictionary<string, string>? settings = null)
    {
        var port = FreePort();
        var dll = Path.Combine(AppContext.BaseDirectory, "Annotate.Gateway.dll");
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port}");
        var environment = new Dictionary<string, string>
        {
            ["Annotate__Gateway__Inbox"] = Path.Combine(root, "inbox"),
            ["Annotate__Gateway__Failed"] = Path.Combine(root, "failed"),
            ["Annotate__Blobs__Sources"] = Path.Combine(root, "blobs"),
            ["Annotate__Blobs__Results"] = Path.Combine(root, "results"),
            ["Annotate__Blobs__Content"] = Path.Combine(root, "content"),
            ["Annotate__Gateway__Database"] = Path.Combine(root, "annotate.db"),
            ["Annotate__Gateway__PollInterval"] = "00:00:00.100",
            ["Annotate__Gateway__SettleTime"] = "00:00:00.300",
            ["Annotate__Blobs__Outputs"] = Path.Combine(root, "outbox"),
            ["DOTNET_gcServer"] = "0",
            ["ASPNETCORE_ENVIRONMENT"] = "Testing",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var gateway = new GatewayProcess(process, port);
        process.OutputDataReceived += (_, e) => gateway.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => gateway.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return gateway;
    }

    /// <summary>
    /// Completes when the service has printed the final line of <paramref name="fileName"/> (Completed or Failed): it is
    /// printed once the state is recorded and the file moved or its bytes removed.
    /// </summary>
    public Task FinishedAsync(string fileName) =>
        WaitForLineAsync(l => l.Contains($"  {fileName}  Completed", StringComparison.Ordinal) || l.Contains($"  {fileName}  Failed (", StringComparison.Ordinal));

    /// <summary>Waits (bounded: 60 s, a loaded machine can be slow) until the process has printed a line containing <paramref name="text"/>.</summary>
    public async Task WaitForOutputAsync(string text)
    {
        var line = WaitForLineAsync(l => l.Contains(text, StringComparison.Ordinal));
        try
        {
            await line.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            Assert.Fail($"The gateway never printed '{text}':\n{Output}");
        }
    }

    /// <summary>All documents the service knows.</summary>
    public async Task<JsonElement[]> DocumentsAsync() =>
        (await Client.GetFromJsonAsync<JsonElement>("/api/documents?limit=500")).EnumerateArray().ToArray();

    /// <summary>Ends the process at once, as a power cut or an OOM killer would (SIGKILL), and waits for it to go.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await KillAsync();
        }
        _process.Dispose();
        Client.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.Add(line);
            foreach (var waiter in _waiters.Where(w => w.Match(line)).ToList())
            {
                _waiters.Remove(waiter);
                waiter.Done.TrySetResult(line);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
