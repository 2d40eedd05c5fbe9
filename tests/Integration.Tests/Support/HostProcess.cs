using System.Diagnostics;

namespace Annotate.Integration.Tests.Support;

/// <summary>
/// A Gateway or Worker as a real operating-system process (<c>dotnet Annotate.X.dll</c> from its own build folder), with an
/// environment of its own; its console lines are kept so tests can wait for them. Killed (SIGKILL) on dispose.
/// </summary>
public sealed class HostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Done)> _waiters = [];

    private HostProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    /// <summary>What the test calls it (gateway, worker-1…), for messages.</summary>
    public string Name { get; }

    /// <summary>The operating system's process id (MassTransit puts it in every message the process sends).</summary>
    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The last lines the process printed, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return $"--- {Name} (pid {Id}) ---\n" + string.Join('\n', _output.TakeLast(40));
            }
        }
    }

    /// <summary>
    /// Starts <paramref name="dll"/> in <paramref name="workingDirectory"/> with <paramref name="settings"/> as its only
    /// Annotate settings: the test's own <c>Annotate__*</c> variables (a model path, say) are not passed on.
    /// </summary>
    public static HostProcess Start(string name, string dll, string workingDirectory, IReadOnlyDictionary<string, string> settings, params string[] arguments)
    {
        Directory.CreateDirectory(workingDirectory);
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("Annotate__", StringComparison.OrdinalIgnoreCase)
            || k.StartsWith("ASPNETCORE_", StringComparison.Ordinal) || k.StartsWith("DOTNET_ENVIRONMENT", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }
        // Workstation GC: five .NET processes share two cores in CI.
        start.Environment["DOTNET_gcServer"] = "0";
        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var host = new HostProcess(name, process);
        process.OutputDataReceived += (_, e) => host.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => host.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

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

    /// <summary>Waits (bounded) for a line containing <paramref name="text"/>; fails with the output when the process ends first or the time is up.</summary>
    public async Task<string> WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var line = WaitForLineAsync(l => l.Contains(text, StringComparison.Ordinal));
        var ended = await Task.WhenAny(line, _process.WaitForExitAsync(), Task.Delay(timeout));
        if (ended == line)
        {
            return await line;
        }
        // WaitForExitAsync returns once the redirected output has been read to its end: every line has been seen.
        if (HasExited)
        {
            await _process.WaitForExitAsync();
        }
        return line.IsCompletedSuccessfully
            ? await line
            : throw new TimeoutException($"{Name} {(HasExited ? "exited" : $"did not print it within {timeout}")} before printing '{text}':\n{Output}");
    }

    /// <summary>Lines printed so far that contain <paramref name="text"/>.</summary>
    public IReadOnlyList<string> Lines(string text)
    {
        lock (_output)
        {
            return _output.Where(l => l.Contains(text, StringComparison.Ordinal)).ToList();
        }
    }

    /// <summary>Ends the process at once (SIGKILL, what <c>kill -9</c> or the OOM killer does) and waits for it to go.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillAsync();
        }
        finally
        {
            _process.Dispose();
        }
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
}
