using System.Diagnostics;
using System.Globalization;
using Annotate.Annotators;
using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Readers;
using Annotate.Worker;
using Annotate.Worker.Isolation;
using Annotate.Worker.Pipeline;
using Annotate.Worker.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Annotate.Bench;

/// <summary>
/// Documents per second with the pipeline in a supervised child process and in the worker's own process, on the same
/// small text documents and the same tiny model; then, isolated, the time from a child's crash to the next document done.
/// </summary>
internal static class IsolationBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var documents = Option(args, "--documents", 200);
        var concurrency = Option(args, "--concurrency", 2);
        var crashes = Option(args, "--crashes", 5);
        var rounds = Option(args, "--rounds", 3);
        var warmup = Option(args, "--warmup", 50);
        var model = args.SkipWhile(a => a != "--model").Skip(1).FirstOrDefault() ?? DefaultModel();
        var folder = Path.Combine(Path.GetTempPath(), "annotate-bench-isolation-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var sources = Enumerable.Range(0, documents + warmup).Select(i =>
            {
                var path = Path.Combine(folder, $"note-{i}.txt");
                File.WriteAllText(path, $"Report {i}\n\nThe budget of EUR {i},250.00 was approved on 15 March 2024 by the board of Example Ltd.\n" +
                    string.Concat(Enumerable.Repeat($"Contact office{i}@example.com or +44 20 7946 0{i % 1000:000} about order {500 + i}. ", 20)) + "\n");
                return path;
            }).ToList();
            Console.WriteLine($"{documents} text documents (~2 KB), {concurrency} at a time, {rounds} rounds of each pipeline taking turns after " +
                $"{warmup} warm-up documents each, model {Path.GetFileName(model)}, profile: statistics, language, patterns");
            await using var inProcess = Services(folder, model, concurrency, isolated: false);
            await using var isolatedServices = Services(folder, model, concurrency, isolated: true);
            await isolatedServices.GetRequiredService<PipelineSupervisor>().StartAsync(CancellationToken.None);
            var supervisor = isolatedServices.GetRequiredService<PipelineSupervisor>();
            var runners = new[] { (Name: "in process (isolation off)", Runner: inProcess.GetRequiredService<IDocumentRunner>()),
                (Name: "child process (isolation on)", Runner: isolatedServices.GetRequiredService<IDocumentRunner>()) };
            // Warm up both (JIT, tiering, Lingua) so the rounds show steady-state work.
            foreach (var (name, runner) in runners)
            {
                await RunBatchAsync(runner, folder, sources.Take(warmup).ToList(), concurrency, "warm-" + Array.IndexOf(runners, (name, runner)));
            }
            Console.WriteLine("| round | pipeline | documents | seconds | documents/s | ms per document (wall) | ms per document in the pipeline's stages | CPU ms per document (all processes) |");
            Console.WriteLine("|---|---|---|---|---|---|---|---|");
            var rates = runners.Select(_ => new List<double>()).ToArray();
            var cpus = runners.Select(_ => new List<double>()).ToArray();
            for (var round = 1; round <= rounds; round++)
            {
                for (var r = 0; r < runners.Length; r++)
                {
                    // CPU time of this process and, isolated, of the child: unlike the rate, it hardly moves when other work loads the machine.
                    var child = r == 1 ? supervisor.LastChildProcessId : null;
                    var cpu = CpuTime(null) + CpuTime(child);
                    var run = await RunBatchAsync(runners[r].Runner, folder, sources.Skip(warmup).ToList(), concurrency, $"r{round}-{r}");
                    cpu = CpuTime(null) + CpuTime(child) - cpu;
                    rates[r].Add(documents / run.Seconds);
                    cpus[r].Add(cpu.TotalMilliseconds / documents);
                    Console.WriteLine($"| {round} | {runners[r].Name} | {documents} | {run.Seconds:F2} | {documents / run.Seconds:F1} | {run.WallMs:F2} | {run.StageMs:F2} | {cpu.TotalMilliseconds / documents:F2} |");
                }
            }
            var medians = rates.Select(Median).ToArray();
            Console.WriteLine();
            Console.WriteLine($"median documents/s: in process {medians[0]:F1}, child process {medians[1]:F1}; isolated / in process = {medians[1] / medians[0]:F2}");
            Console.WriteLine($"median CPU ms per document: in process {Median(cpus[0]):F2}, isolated {Median(cpus[1]):F2}; in process / isolated = {Median(cpus[0]) / Median(cpus[1]):F2}");
            await CrashRecoveryAsync(isolatedServices, runners[1].Runner, folder, sources[0], crashes);
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>User and system CPU time of this process (null) or of another one, from /proc/&lt;pid&gt;/stat.</summary>
    private static TimeSpan CpuTime(int? pid)
    {
        if (pid is null)
        {
            return Process.GetCurrentProcess().TotalProcessorTime;
        }
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // Fields after the command (which may hold spaces, inside parentheses): utime and stime are the 12th and 13th.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / 100.0);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>Runs the documents <paramref name="concurrency"/> at a time: elapsed seconds, mean wall time per document, mean time in its stages.</summary>
    private static async Task<(double Seconds, double WallMs, double StageMs)> RunBatchAsync(IDocumentRunner runner, string folder, List<string> sources,
        int concurrency, string prefix)
    {
        long wallTicks = 0;
        long stageTicks = 0;
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(sources.Select((s, i) => (s, i)), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (d, _) =>
        {
            var started = Stopwatch.GetTimestamp();
            var result = await RunAsync(runner, folder, d.s, $"{prefix}-{d.i}");
            Interlocked.Add(ref wallTicks, Stopwatch.GetElapsedTime(started).Ticks);
            Interlocked.Add(ref stageTicks, (result.ReadTime + result.AnnotateTime + result.WriteTime).Ticks);
        });
        var seconds = clock.Elapsed.TotalSeconds;
        return (seconds, TimeSpan.FromTicks(wallTicks).TotalMilliseconds / sources.Count, TimeSpan.FromTicks(stageTicks).TotalMilliseconds / sources.Count);
    }

    private static async Task CrashRecoveryAsync(IServiceProvider services, IDocumentRunner runner, string folder, string ordinary, int crashes)
    {
        var supervisor = services.GetRequiredService<PipelineSupervisor>();
        var rss = ResidentMegabytes(supervisor.LastChildProcessId);
        Console.WriteLine();
        Console.WriteLine($"child: start to hello (runtime, engine, model loaded) {supervisor.LastChildStartTime?.TotalSeconds:F2} s; resident after the run {rss} MiB");
        var killer = Path.Combine(folder, "killer.txt");
        File.WriteAllText(killer, FaultInjection.AbortMarker + " and then text.\n");
        Console.WriteLine("| crash | abort sent → crash reported (s) | crash reported → next document done (s) |");
        Console.WriteLine("|---|---|---|");
        for (var i = 0; i < crashes; i++)
        {
            var clock = Stopwatch.StartNew();
            try
            {
                await RunAsync(runner, folder, killer, "killer-" + i);
                throw new InvalidOperationException("The abort marker did not crash the child: is fault injection on?");
            }
            catch (AnnotationException ex) when (ex.Reason == FailureReason.Crashed)
            {
            }
            var crashed = clock.Elapsed;
            await RunAsync(runner, folder, ordinary, "after-" + i);
            Console.WriteLine($"| {i + 1} | {crashed.TotalSeconds:F2} | {(clock.Elapsed - crashed).TotalSeconds:F2} |");
        }
    }

    private static Task<DocumentRunResult> RunAsync(IDocumentRunner runner, string folder, string path, string id) =>
        runner.RunAsync(new AnnotationRequest
        {
            DocumentId = id,
            Source = new DocumentSource(path, Path.GetFileName(path)),
            OutputDirectory = Path.Combine(folder, "out", id),
            Profile = "bench",
        }, CancellationToken.None);

    private static ServiceProvider Services(string folder, string model, int concurrency, bool isolated)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Annotate:Blobs:Outputs"] = Path.Combine(folder, "outbox"),
            ["Annotate:Blobs:Sources"] = Path.Combine(folder, "blobs"),
            ["Annotate:Blobs:Results"] = Path.Combine(folder, "results"),
            ["Annotate:Worker:ConcurrentDocuments"] = concurrency.ToString(CultureInfo.InvariantCulture),
            ["Annotate:Worker:FaultInjection:Enabled"] = "true",
            // The crash part measures recovery, not retries: the killer fails at its first crash.
            ["Annotate:Worker:Isolation:CrashRetries"] = "0",
            // One child for the whole run: the rounds compare steady states (a recycle adds a child's start, ~0.5 s of CPU).
            ["Annotate:Worker:Isolation:RecycleAfterDocuments"] = "1000000",
            ["Annotate:Model:Path"] = model,
            ["Annotate:Language:Languages:0"] = "en",
            ["Annotate:Language:Languages:1"] = "de",
            ["Annotate:Profiles:bench:Annotators:0"] = "statistics",
            ["Annotate:Profiles:bench:Annotators:1"] = "language",
            ["Annotate:Profiles:bench:Annotators:2"] = "patterns",
            ["Logging:LogLevel:Default"] = "Warning",
        }).Build());
        services.AddSingleton<IHostEnvironment>(new BenchEnvironment());
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Error).AddConsole());
        services.AddAnnotateWorkerServices();
        if (isolated)
        {
            services.AddAnnotationSettings();
            services.AddPipelineIsolation();
        }
        else
        {
            services.AddAnnotators();
        }
        return services.BuildServiceProvider();
    }

    private static long? ResidentMegabytes(int? pid)
    {
        if (pid is null || !File.Exists($"/proc/{pid}/status"))
        {
            return null;
        }
        var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return line is null ? null : long.Parse(line[6..].Trim().Replace(" kB", "", StringComparison.Ordinal), CultureInfo.InvariantCulture) / 1024;
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private static string DefaultModel()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Annotate.sln")))
        {
            dir = dir.Parent;
        }
        return Path.GetFullPath(Path.Combine(dir?.FullName ?? ".", "..", "shared", "models", "stories260K.gguf"));
    }

    private sealed class BenchEnvironment : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = Environments.Development;
        public string ApplicationName { get; set; } = "Annotate.Bench";
        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
