using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace Annotate.Annotators.Ocr;

/// <summary>How a run of an external tool ended.</summary>
/// <param name="ExitCode">The process's exit code (meaningless when <paramref name="TimedOut"/> or <paramref name="OutputTooLarge"/>).</param>
/// <param name="Output">Its standard output, up to the bound it was read with.</param>
/// <param name="Errors">The end of its standard error, for messages.</param>
/// <param name="TimedOut">It ran past its time limit and was killed.</param>
/// <param name="OutputTooLarge">It wrote more than the bound and was killed.</param>
internal sealed record ToolResult(int ExitCode, byte[] Output, string Errors, bool TimedOut, bool OutputTooLarge)
{
    /// <summary>True when it exited by itself with code 0.</summary>
    public bool Succeeded => !TimedOut && !OutputTooLarge && ExitCode == 0;
}

/// <summary>
/// Runs an external tool (Tesseract, pdftoppm) as a child process with a time limit, an address-space limit
/// (<c>prlimit --as</c> from util-linux, when installed), one OpenMP thread, and a bound on the output it may write.
/// Arguments go through <see cref="ProcessStartInfo.ArgumentList"/>: no shell ever sees a file name.
/// </summary>
internal static class ToolProcess
{
    private const int ErrorTailBytes = 4096;

    /// <summary>The full path of an executable: <paramref name="name"/> itself when it holds a '/', otherwise looked up on PATH; null when not found.</summary>
    public static string? Resolve(string name)
    {
        if (name.Contains('/'))
        {
            return File.Exists(name) ? Path.GetFullPath(name) : null;
        }
        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(folder, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    private static readonly string? Prlimit = Resolve("prlimit");

    /// <summary>Runs <paramref name="executable"/> (a resolved path) and waits for it, killing its process tree past <paramref name="timeout"/>.</summary>
    public static async Task<ToolResult> RunAsync(string executable, IEnumerable<string> arguments, TimeSpan timeout, long memoryLimitBytes,
        int maxOutputBytes, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        if (Prlimit is not null)
        {
            start.FileName = Prlimit;
            start.ArgumentList.Add($"--as={memoryLimitBytes}");
            start.ArgumentList.Add("--");
            start.ArgumentList.Add(executable);
        }
        else
        {
            start.FileName = executable;
        }
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        // Tesseract's OpenMP would start a thread per core; documents already run side by side, one core each.
        start.Environment["OMP_THREAD_LIMIT"] = "1";

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            throw new FileNotFoundException($"'{Path.GetFileName(executable)}' could not be started: {ex.Message}", ex);
        }
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        var errors = ReadTailAsync(process.StandardError.BaseStream);
        var output = new MemoryStream();
        var tooLarge = false;
        try
        {
            tooLarge = !await CopyBoundedAsync(process.StandardOutput.BaseStream, output, maxOutputBytes, limit.Token).ConfigureAwait(false);
            if (tooLarge)
            {
                Kill(process);
            }
            await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            return new ToolResult(-1, output.ToArray(), await errors.ConfigureAwait(false), TimedOut: true, OutputTooLarge: false);
        }
        return new ToolResult(process.ExitCode, output.ToArray(), await errors.ConfigureAwait(false), TimedOut: false, tooLarge);
    }

    /// <summary>Copies until the end of the stream (true) or until more than <paramref name="max"/> bytes came (false).</summary>
    private static async Task<bool> CopyBoundedAsync(Stream source, MemoryStream target, int max, CancellationToken cancellationToken)
    {
        var buffer = new byte[81920];
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (target.Length + read > max)
            {
                return false;
            }
            target.Write(buffer, 0, read);
        }
        return true;
    }

    /// <summary>Reads a stream to its end, keeping only its last bytes.</summary>
    private static async Task<string> ReadTailAsync(Stream source)
    {
        var buffer = new byte[ErrorTailBytes];
        var tail = new Queue<byte>(ErrorTailBytes);
        int read;
        try
        {
            while ((read = await source.ReadAsync(buffer).ConfigureAwait(false)) > 0)
            {
                for (var i = 0; i < read; i++)
                {
                    if (tail.Count == ErrorTailBytes)
                    {
                        tail.Dequeue();
                    }
                    tail.Enqueue(buffer[i]);
                }
            }
        }
        catch (IOException)
        {
            // The process was killed while it wrote: what came so far is the message.
        }
        return Encoding.UTF8.GetString(tail.ToArray()).Trim();
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited on its own meanwhile.
        }
    }
}
