using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Annotate.Annotators.Tests.Models.Download;

/// <summary>
/// A minimal HTTP/1.1 file server on 127.0.0.1 with Range support and scripted failures (a cut connection, a 503), so
/// the downloader is tested over real sockets without reaching the internet. One response per connection.
/// </summary>
public sealed class LoopbackFileServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Dictionary<string, byte[]> _files = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _cutsLeft;
    private int _unavailableLeft;

    public LoopbackFileServer()
    {
        _listener.Start();
        _loop = AcceptLoopAsync();
    }

    /// <summary>Every request received, in order.</summary>
    public ConcurrentQueue<SeenRequest> Requests { get; } = new();

    /// <summary>Body bytes sent before a cut connection.</summary>
    public int CutAfterBytes { get; private set; }

    /// <summary>When true the server answers 200 with the whole file even to a Range request.</summary>
    public bool IgnoreRange { get; set; }

    public string Url(string path) => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/{path}";

    public LoopbackFileServer Serve(string name, byte[] content)
    {
        _files["/" + name] = content;
        return this;
    }

    /// <summary>The next <paramref name="times"/> file responses stop after <paramref name="bytes"/> body bytes and close.</summary>
    public void CutConnection(int bytes, int times = 1)
    {
        CutAfterBytes = bytes;
        _cutsLeft = times;
    }

    /// <summary>The next <paramref name="times"/> requests are answered 503.</summary>
    public void Unavailable(int times) => _unavailableLeft = times;

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
                var (path, range) = await ReadRequestAsync(stream);
                Requests.Enqueue(new SeenRequest(path, range));

                if (Interlocked.Decrement(ref _unavailableLeft) >= 0)
                {
                    await WriteHeadAsync(stream, "503 Service Unavailable", 0);
                    return;
                }
                if (!_files.TryGetValue(path, out var content))
                {
                    await WriteHeadAsync(stream, "404 Not Found", 0);
                    return;
                }

                var from = IgnoreRange ? 0 : range ?? 0;
                if (from >= content.Length && from > 0)
                {
                    await WriteHeadAsync(stream, "416 Range Not Satisfiable", 0, $"Content-Range: bytes */{content.Length}");
                    return;
                }
                var length = content.Length - from;
                if (from > 0)
                {
                    await WriteHeadAsync(stream, "206 Partial Content", length, $"Content-Range: bytes {from}-{content.Length - 1}/{content.Length}");
                }
                else
                {
                    await WriteHeadAsync(stream, "200 OK", length, "Accept-Ranges: bytes");
                }

                var send = Interlocked.Decrement(ref _cutsLeft) >= 0 ? Math.Min(CutAfterBytes, (int)length) : (int)length;
                await stream.WriteAsync(content.AsMemory((int)from, send));
                await stream.FlushAsync();
                // A graceful close (FIN) after the sent bytes: the client gets them all, then a premature end of body.
                client.Client.Shutdown(SocketShutdown.Send);
            }
            catch (IOException)
            {
                // The client went away; nothing to answer.
            }
        }
    }

    private static async Task<(string Path, long? Range)> ReadRequestAsync(NetworkStream stream)
    {
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(one) == 0)
            {
                throw new IOException("Request ended early.");
            }
            head.Append((char)one[0]);
        }
        var lines = head.ToString().Split("\r\n");
        var path = lines[0].Split(' ')[1];
        long? range = null;
        foreach (var line in lines.Skip(1))
        {
            if (line.StartsWith("Range:", StringComparison.OrdinalIgnoreCase))
            {
                var spec = line["Range:".Length..].Trim();
                range = long.Parse(spec["bytes=".Length..spec.IndexOf('-')], CultureInfo.InvariantCulture);
            }
        }
        return (path, range);
    }

    private static async Task WriteHeadAsync(NetworkStream stream, string status, long contentLength, params string[] headers)
    {
        var head = new StringBuilder($"HTTP/1.1 {status}\r\nContent-Length: {contentLength}\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n");
        foreach (var header in headers)
        {
            head.Append(header).Append("\r\n");
        }
        head.Append("\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop;
        _stop.Dispose();
    }
}

/// <summary>A request the loopback server received.</summary>
public sealed record SeenRequest(string Path, long? RangeFrom);
