using System.Diagnostics;
using System.Globalization;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Readers;
using Annotate.Annotators.Readers.Xlsx;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Microsoft.Extensions.Options;
using CellValue = DocumentFormat.OpenXml.Spreadsheet.CellValue;
using SharedStringTable = DocumentFormat.OpenXml.Spreadsheet.SharedStringTable;

namespace Annotate.Bench;

/// <summary>
/// Compares the two xlsx reading paths on a generated N × 10 workbook: rows per second, bytes allocated and
/// peak working set. Each path runs in its own child process so the peak working set is its own.
/// </summary>
internal static class XlsxBenchmark
{
    public const string ReadCommand = "xlsx-read-once";
    private const int Columns = SampleWorkbook.Columns;

    public static int Run(string[] args)
    {
        var rows = 100_000;
        var keep = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--rows" when i + 1 < args.Length:
                    rows = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--keep":
                    keep = true;
                    break;
                default:
                    Console.Error.WriteLine($"unknown argument '{args[i]}'");
                    return 2;
            }
        }
        var folder = Path.Combine(Path.GetTempPath(), "annotate-bench");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"bench-{rows}x{Columns}.xlsx");
        var generate = Stopwatch.StartNew();
        Generate(path, rows);
        long inflated;
        using (var zip = System.IO.Compression.ZipFile.OpenRead(path))
        {
            inflated = zip.Entries.Sum(e => e.Length);
        }
        Console.WriteLine($"Generated {path}: {rows:N0} rows x {Columns} columns, {new FileInfo(path).Length / 1024.0 / 1024.0:N1} MB ({inflated / 1024.0 / 1024.0:N1} MB inflated) in {generate.Elapsed.TotalSeconds:N1} s");
        Console.WriteLine();
        Console.WriteLine($"{"path",-10} {"rows",12} {"seconds",9} {"rows/s",10} {"allocated MB",13} {"peak WS MB",11}");
        foreach (var mode in new[] { "closedxml", "streaming" })
        {
            var line = RunChild(path, mode);
            if (line is null)
            {
                Console.WriteLine($"{mode,-10} failed");
                continue;
            }
            var f = line.Split('\t');
            var count = long.Parse(f[0], CultureInfo.InvariantCulture);
            var seconds = double.Parse(f[1], CultureInfo.InvariantCulture);
            var allocated = long.Parse(f[2], CultureInfo.InvariantCulture);
            var peak = long.Parse(f[3], CultureInfo.InvariantCulture);
            Console.WriteLine($"{mode,-10} {count,12:N0} {seconds,9:N2} {count / seconds,10:N0} {allocated / 1048576.0,13:N0} {peak / 1048576.0,11:N0}");
        }
        if (!keep)
        {
            File.Delete(path);
        }
        return 0;
    }

    /// <summary>Child process: reads the workbook one way, enumerates every row, prints count, seconds, allocated bytes, peak working set.</summary>
    public static int ReadOnce(string[] args)
    {
        var path = args[0];
        var streamed = args[1] == "streaming";
        var reader = new XlsxReader(Options.Create(new ReaderOptions { StreamingWorkbookBytes = streamed ? 0 : long.MaxValue }));
        GC.Collect();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var watch = Stopwatch.StartNew();
        var document = reader.ReadAsync(new DocumentSource(path, Path.GetFileName(path)), CancellationToken.None).GetAwaiter().GetResult();
        long count = 0;
        foreach (var table in document.Blocks.OfType<TableBlock>())
        {
            foreach (var row in table.Rows)
            {
                count += row.Cells.Count > 0 ? 1 : 0;
            }
        }
        var seconds = watch.Elapsed.TotalSeconds;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        Console.WriteLine(string.Join('\t',
            count.ToString(CultureInfo.InvariantCulture),
            seconds.ToString("R", CultureInfo.InvariantCulture),
            allocated.ToString(CultureInfo.InvariantCulture),
            process.PeakWorkingSet64.ToString(CultureInfo.InvariantCulture)));
        return 0;
    }

    private static string? RunChild(string path, string mode)
    {
        var (exitCode, output) = RunSelf(ReadCommand, path, mode);
        return exitCode == 0 ? output.Trim().Split('\n').LastOrDefault() : null;
    }

    /// <summary>Runs this benchmark program again in a child process with <paramref name="arguments"/>; returns its exit code and output.</summary>
    internal static (int ExitCode, string Output) RunSelf(params string[] arguments)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
        // Under `dotnet run` the process is the host and the first argument is this assembly.
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            start.ArgumentList.Add(typeof(XlsxBenchmark).Assembly.Location);
        }
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var child = Process.Start(start)!;
        var output = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        return (child.ExitCode, output);
    }

    /// <summary>The workbook the engine's warm-up reads (<see cref="SampleWorkbook"/>), <paramref name="rows"/> rows of it.</summary>
    internal static void Generate(string path, int rows) => SampleWorkbook.Write(path, rows);
}
