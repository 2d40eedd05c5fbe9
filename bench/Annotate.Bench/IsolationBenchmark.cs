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
        var model = args.SkipWhile(a => a != "--model").Skip(1).FirstOrDefault() ?? DefaultModel();
        var folder = Path.Combine(Path.GetTempPath(), "annotate-bench-isolation-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var sources = Enumerable.Range(0, documents + concurrency).Select(i =>
            {
                var path = Path.Combine(folder, $"note-{i}.txt");
                File.WriteAllText(path, $"Report {i}\n\nThe budget of EUR {i},250.00 was approved on 15 March 2024 by the board of Example Ltd.\n" +
                    string.Concat(Enumerable.Repeat($"Contact office{i}@example.com or +44 20 7946 0{i % 1000:000} about order {500 + i}. ", 20)) + "\n");
                return path;
            }).ToList();
            Console.WriteLine($"{documents} text documents (~2 KB), {concurrency} at a time, model {Path.GetFileName(model)}, profile: statistics, language, patterns");
            Console.WriteLine("| pipeline | documents | seconds | documents/s |");
            Console.WriteLine("|---|---|---|---|");
            foreach (var isolated in new[] { false, true })
            {
                await using var services = Services(folder, model, concurrency, isolated);
                if (isolated)
                {
                    await services.GetRequiredService<PipelineSupervisor>().StartAsync(CancellationToken.None);
                }
                var runner = services.GetRequiredService<IDocumentRunner>();
                // Warm up (JIT, Lingua) so the figures show steady-state work.
                await Task.WhenAll(sources.Take(concurrency).Select((s, i) => RunAsync(runner, folder, s, "warm-" + i)));
                var clock = Stopwatch.StartNew();
                await Parallel.ForEachAsync(sources.Skip(concurrency).Select((s, i) => (s, i)), new ParallelOptions { MaxDegreeOfParallelism = concurrency },
                    async (d, _) => await RunAsync(runner, folder, d.s, "doc-" + d.i));
                clock.Stop();
                Console.WriteLine($"| {(isolated ? "child process (isolation on)" : "in process (isolation off)")} | {documents} | {clock.Elapsed.TotalSeconds:F2} | {documents / clock.Elapsed.TotalSeconds:F1} |");
                if (isolated)
                {
                    await CrashRecoveryAsync(services, runner, folder, sources[0], crashes);
                }
            }
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
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
