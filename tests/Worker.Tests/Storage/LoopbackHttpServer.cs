using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Annotate.Worker.Tests.Storage;

/// <summary>
/// A scripted HTTP/1.1 server on 127.0.0.1 over raw sockets, so responses can say anything (a Content-Length that lies,
/// a redirect elsewhere, no answer at all). One response per connection. Every request path is recorded.
/// </summary>
public sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Dictionary<string, Func<NetworkStream, Task>> _routes = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public LoopbackHttpServer()
    {
        _listener.Start();
        _loop = AcceptLoopAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public List<string> Requests { get; } = [];

    public string Url(string path, string host = "127.0.0.1") => $"http://{host}:{Port}/{path}";

    /// <summary>Answers <paramref name="path"/> with a status, headers and a body (Content-Length set unless a header gives one).</summary>
    public LoopbackHttpServer Answer(string path, int status, byte[]? body = null, params (string Name, string Value)[] headers)
    {
        _routes["/" + path] = async stream =>
        {
            body ??= [];
            var head = new StringBuilder($"HTTP/1.1 {status} Status\r\nConnection: close\r\n");
            foreach (var (name, value) in headers)
            {
                head.Append($"{name}: {value}\r\n");
            }
            if (!headers.Any(h => h.Name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) || h.Name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)))
            {
                head.Append($"Content-Length: {body.Length}\r\n");
            }
            head.Append("\r\n");
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()));
            await stream.WriteAsync(body);
        };
        return this;
    }

    /// <summary>Answers <paramref name="path"/> with a redirect to <paramref name="location"/>.</summary>
    public LoopbackHttpServer Redirect(string path, string location, int status = 302) => Answer(path, status, null, ("Location", location));

    /// <summary>Answers <paramref name="path"/> with a chunked body of <paramref name="size"/> bytes and no Content-Length.</summary>
    public LoopbackHttpServer Chunked(string path, int size)
    {
        _routes["/" + path] = async stream =>
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n"));
            var chunk = new byte[4096];
            Array.Fill(chunk, (byte)'a');
            for (var sent = 0; sent < size; sent += chunk.Length)
            {
                var length = Math.Min(chunk.Length, size - sent);
                await stream.WriteAsync(Encoding.ASCII.GetBytes($"{length:x}\r\n"));
                await stream.WriteAsync(chunk.AsMemory(0, length));
                await stream.WriteAsync("\r\n"u8.ToArray());
            }
            await stream.WriteAsync("0\r\n\r\n"u8.ToArray());
        };
        return this;
    }

    /// <summary>Reads the request on <paramref name="path"/> and never answers (until the server is disposed).</summary>
    public LoopbackHttpServer Silent(string path)
    {
        _routes["/" + path] = _ => Task.Delay(Timeout.Infinite, _stop.Token);
        return this;
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            _ = Task.Run(() => HandleAsync(client));
        }
    }

    private async Task HandleAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true);
                var requestLine = await reader.ReadLineAsync(_stop.Token) ?? "";
                while (!string.IsNullOrEmpty(await reader.ReadLineAsync(_stop.Token)))
                {
                }
                var path = requestLine.Split(' ') is { Length: >= 2 } parts ? parts[1] : "/";
                lock (Requests)
                {
                    Requests.Add(path);
                }
                if (_routes.TryGetValue(path, out var answer))
                {
                    await answer(stream);
                }
                else
                {
                    await stream.WriteAsync("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"u8.ToArray());
                }
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or SocketException)
            {
                // The client went away (it stopped reading a body that was too large) or the server stops.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }
}
