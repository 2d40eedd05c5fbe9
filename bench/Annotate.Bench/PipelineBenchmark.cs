using System.Diagnostics;
using System.Globalization;
using Annotate.Annotators;
using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Readers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Annotate.Bench;

/// <summary>
/// The whole pipeline (detect, read, every built-in annotator, every writer) on a generated workbook of N rows,
/// with the time of each stage, allocations and peak working set.
/// </summary>
internal static class PipelineBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var rows = args.Length >= 2 && args[0] == "--rows" ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100_000;
        var folder = Path.Combine(Path.GetTempPath(), "annotate-bench-pipeline-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var workbook = Path.Combine(folder, "ledger.xlsx");
            XlsxBenchmark.Generate(workbook, rows);
            var services = new ServiceCollection()
                .AddSingleton<IConfiguration>(new ConfigurationBuilder().Build())
                .AddLogging(b => b.SetMinimumLevel(LogLevel.Warning))
                .AddAnnotators()
                .BuildServiceProvider();
            var pipeline = services.GetRequiredService<IDocumentPipeline>();

            // Warm up (Lingua, JIT) on a small copy so the figures show steady-state work.
            var warm = Path.Combine(folder, "warm.xlsx");
            XlsxBenchmark.Generate(warm, 200);
            await pipeline.RunAsync(new AnnotationRequest { DocumentId = "warm", Source = new DocumentSource(warm, "warm.xlsx"), OutputDirectory = Path.Combine(folder, "out-warm") }, CancellationToken.None);

            GC.Collect();
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            var clock = Stopwatch.StartNew();
            var result = await pipeline.RunAsync(new AnnotationRequest
            {
                DocumentId = "bench",
                Source = new DocumentSource(workbook, "ledger.xlsx"),
                OutputDirectory = Path.Combine(folder, "out"),
            }, CancellationToken.None);
            clock.Stop();
            allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
            using var process = Process.GetCurrentProcess();
            process.Refresh();

            Console.WriteLine($"workbook: {rows:N0} rows x 10 columns, {new FileInfo(workbook).Length / 1048576.0:F1} MB (streamed: {result.Document.Sheets.Any(s => s.Streamed)})");
            Console.WriteLine("| stage | seconds |");
            Console.WriteLine("|---|---|");
            Console.WriteLine($"| read | {result.ReadTime.TotalSeconds:F2} |");
            Console.WriteLine($"| annotate | {result.AnnotateTime.TotalSeconds:F2} |");
            foreach (var run in result.Annotations.Runs)
            {
                Console.WriteLine($"| - {run.Name} | {run.DurationMs / 1000:F2} |");
            }
            Console.WriteLine($"| write | {result.WriteTime.TotalSeconds:F2} |");
            Console.WriteLine($"| total | {clock.Elapsed.TotalSeconds:F2} |");
            Console.WriteLine($"rows/s end to end: {rows / clock.Elapsed.TotalSeconds:N0}; allocated: {allocated / 1048576.0:N0} MB; peak working set: {process.PeakWorkingSet64 / 1048576.0:N0} MB");
            Console.WriteLine($"outputs: {string.Join(", ", result.Outputs.Select(o => $"{o.Name} ({o.SizeBytes / 1024.0:N0} KiB)"))}");
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
