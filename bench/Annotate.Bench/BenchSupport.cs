using System.Diagnostics;
using System.Globalization;

namespace Annotate.Bench;

/// <summary>What the newer benchmarks share: options, medians, child processes of this benchmark, resident memory.</summary>
internal static class BenchSupport
{
    public static int Option(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }

    public static double Option(string[] args, string name, double fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? double.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }

    public static string? Option(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN
            : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>Starts this benchmark again with <paramref name="args"/>, under the dotnet host when this process runs under it.</summary>
    public static ProcessStartInfo Self(params string[] args)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            start.ArgumentList.Add(typeof(BenchSupport).Assembly.Location);
        }
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        return start;
    }

    /// <summary>Runs a process to its end, its output discarded: the wall time in seconds.</summary>
    public static double Time(ProcessStartInfo start)
    {
        start.RedirectStandardOutput = true;
        start.UseShellExecute = false;
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        process.StandardOutput.BaseStream.CopyTo(Stream.Null);
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{start.FileName} exited with {process.ExitCode}");
        }
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>A process's resident memory in MiB (VmRSS in /proc/PID/status), or null when it is gone.</summary>
    public static double? ResidentMiB(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? null : long.Parse(line[6..].Trim().Replace(" kB", "", StringComparison.Ordinal), CultureInfo.InvariantCulture) / 1024.0;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>
    /// The proportional set size (<c>Pss</c> of <c>/proc/PID/smaps_rollup</c>): each resident page divided by the number of
    /// processes that map it. Summed over processes that share the runtime's libraries (a gateway and its pipeline child
    /// map the same <c>libcoreclr.so</c> and framework assemblies), it counts those pages once, where a sum of
    /// <c>VmRSS</c> counts them in each process.
    /// </summary>
    public static double? ProportionalMiB(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/smaps_rollup").FirstOrDefault(l => l.StartsWith("Pss:", StringComparison.Ordinal));
            return line is null ? null : long.Parse(line[4..].Trim().Replace(" kB", "", StringComparison.Ordinal), CultureInfo.InvariantCulture) / 1024.0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// What the process holds that is not a copy of a file: <c>RssAnon</c> (heaps, stacks) plus <c>RssShmem</c> (the
    /// runtime's executable memory, double-mapped through a memfd). The rest of <c>VmRSS</c> is pages of mapped files
    /// (libraries, assemblies), which the kernel can drop under pressure and read again.
    /// </summary>
    public static double? AnonymousMiB(int pid)
    {
        try
        {
            var fields = File.ReadLines($"/proc/{pid}/status").Where(l => l.StartsWith("RssAnon:", StringComparison.Ordinal) || l.StartsWith("RssShmem:", StringComparison.Ordinal))
                .Select(l => long.Parse(l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim().Replace(" kB", "", StringComparison.Ordinal), CultureInfo.InvariantCulture)).ToList();
            return fields.Count == 2 ? fields.Sum() / 1024.0 : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    public static string Load() => File.ReadAllText("/proc/loadavg").Split(' ').Take(3).Aggregate((a, b) => a + " " + b);
}
