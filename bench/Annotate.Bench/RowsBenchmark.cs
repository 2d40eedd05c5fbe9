using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Xml;
using Annotate.Annotators;
using Annotate.Annotators.Annotations;
using Annotate.Annotators.Builtin;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Profiles;
using Annotate.Annotators.Readers;
using Annotate.Annotators.Readers.Xlsx;
using Annotate.Annotators.Writers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Annotate.Bench;

/// <summary>
/// Issue 12: the streaming XLSX path against the bound of its format, on one generated N × 10 workbook. Each pair runs
/// unzip + <see cref="XmlReader"/> (every cell's reference, type and value, shared strings resolved) and Annotate in
/// separate child processes, one after the other in alternating order, so both see the same load; the table gives
/// medians of the per-pair ratios, never a best-of. Modes: <c>read</c> (the reader plus one enumeration of every row),
/// <c>pipeline</c> (every annotator and writer of the default profile), and <c>read-reparse</c> and <c>pipeline-reparse</c>
/// (the same with <see cref="ReaderOptions.SpillStreamedRows"/> off: every enumeration re-reads the package, as before issue 12).
/// Every side first runs its work three times on a 40,000-row workbook of the same shape and is measured once
/// the runtime has stopped compiling: the steady state of a service that has run a few documents, for both sides alike.
/// </summary>
internal static class RowsBenchmark
{
    public const string ChildCommand = "rows-child";

    public static int Run(string[] args)
    {
        var rows = 100_000;
        var pairs = 3;
        var modes = new List<string> { "read" };
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--rows" when i + 1 < args.Length:
                    rows = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--pairs" when i + 1 < args.Length:
                    pairs = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--modes" when i + 1 < args.Length:
                    modes = [.. args[++i].Split(',')];
                    break;
                default:
                    Console.Error.WriteLine($"unknown argument '{args[i]}'");
                    return 2;
            }
        }
        var folder = Path.Combine(Path.GetTempPath(), "annotate-bench-rows-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var path = Path.Combine(folder, $"bench-{rows}x10.xlsx");
            XlsxBenchmark.Generate(path, rows);
            Console.WriteLine($"workbook: {rows:N0} rows x 10 columns, {new FileInfo(path).Length / 1048576.0:N1} MB; {pairs} pair(s) per mode; load before: {Load()}");
            var results = new Dictionary<string, List<Figures>>();
            var ratios = new Dictionary<string, List<double>>();
            for (var pair = 0; pair < pairs; pair++)
            {
                foreach (var mode in modes)
                {
                    // Alternate which side runs first, so a load that changes during the pair hits both alike.
                    var order = pair % 2 == 0 ? new[] { "xmlreader", mode } : [mode, "xmlreader"];
                    var figures = order.ToDictionary(m => m, m => RunChild(path, m, folder));
                    foreach (var (m, f) in figures)
                    {
                        (results.TryGetValue(m, out var list) ? list : results[m] = []).Add(f);
                    }
                    (ratios.TryGetValue(mode, out var r) ? r : ratios[mode] = []).Add(figures["xmlreader"].Seconds / figures[mode].Seconds);
                }
            }
            Console.WriteLine();
            Console.WriteLine("| side | rows | median s | rows/s | read s | annotate s | write s | median peak WS MiB | median ratio to unzip + XmlReader |");
            Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
            foreach (var (mode, list) in results)
            {
                var seconds = Median(list.Select(f => f.Seconds));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {mode} | {list[0].Rows:N0} | {seconds:F2} | {list[0].Rows / seconds:N0} | {Median(list.Select(f => f.Read)):F2} | {Median(list.Select(f => f.Annotate)):F2} | {Median(list.Select(f => f.Write)):F2} | {Median(list.Select(f => f.PeakBytes / 1048576.0)):N0} | {(ratios.TryGetValue(mode, out var r) ? $"{Median(r):F2} ({string.Join(", ", r.Select(x => x.ToString("F2", CultureInfo.InvariantCulture)))})" : "1")} |"));
            }
            Console.WriteLine($"load after: {Load()}");
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private sealed record Figures(long Rows, double Seconds, double Read, double Annotate, double Write, long PeakBytes);

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string Load() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static Figures RunChild(string path, string mode, string folder)
    {
        var (exitCode, output) = XlsxBenchmark.RunSelf(ChildCommand, path, mode, folder);
        var line = output.Trim().Split('\n').LastOrDefault();
        if (exitCode != 0 || line is null)
        {
            throw new InvalidOperationException($"the {mode} child failed: {output}");
        }
        var f = line.Split('\t').Select(x => double.Parse(x, CultureInfo.InvariantCulture)).ToArray();
        return new Figures((long)f[0], f[1], f[2], f[3], f[4], (long)f[5]);
    }

    /// <summary>Child process: one side, once; prints rows, seconds, read, annotate and write seconds, peak working set.</summary>
    public static async Task<int> RunOnceAsync(string[] args)
    {
        var (path, mode, folder) = (args[0], args[1], args[2]);
        using var allocations = AllocationSampler.StartIfAsked();
        double read = 0, annotate = 0, write = 0;
        long rows;
        Stopwatch clock;
        TimeSpan cpuAtStart;
        switch (mode)
        {
            case "xmlreader":
                var warmBound = WarmWorkbook(folder);
                for (var run = 0; run < WarmRuns; run++)
                {
                    XmlReaderBound(warmBound);
                }
                WaitForQuietJit();
                (clock, cpuAtStart) = StartClock();
                rows = XmlReaderBound(path);
                break;
            case "read" or "read-reparse":
                var reader = new XlsxReader(Options.Create(new ReaderOptions { StreamingWorkbookBytes = 0, SpillStreamedRows = mode == "read" }));
                var warmRead = WarmWorkbook(folder);
                for (var run = 0; run < WarmRuns; run++)
                {
                    await ReadAndScanAsync(reader, warmRead);
                }
                WaitForQuietJit();
                (clock, cpuAtStart) = StartClock();
                (rows, read) = await ReadAndScanAsync(reader, path);
                annotate = clock.Elapsed.TotalSeconds - read; // the enumeration of every row
                break;
            case var one when one.StartsWith("annotator:", StringComparison.Ordinal):
                // One annotator alone after a read (warmed on the same document first): "annotate" is its time.
                var services = new ServiceCollection()
                    .AddSingleton<IConfiguration>(new ConfigurationBuilder().Build())
                    .AddLogging(b => b.SetMinimumLevel(LogLevel.Warning))
                    .AddAnnotators()
                    .BuildServiceProvider();
                var annotator = services.GetServices<IAnnotator>().Single(a => a.Name == one["annotator:".Length..]);
                var oneDocument = await new XlsxReader(Options.Create(new ReaderOptions { StreamingWorkbookBytes = 0 }))
                    .ReadAsync(new DocumentSource(path, Path.GetFileName(path)), CancellationToken.None);
                await annotator.AnnotateAsync(new AnnotationContext("warm", oneDocument, new AnnotationProfile()), CancellationToken.None);
                WaitForQuietJit();
                (clock, cpuAtStart) = StartClock();
                await annotator.AnnotateAsync(new AnnotationContext("bench", oneDocument, new AnnotationProfile()), CancellationToken.None);
                annotate = clock.Elapsed.TotalSeconds;
                rows = oneDocument.Blocks.OfType<TableBlock>().Sum(t => t.Rows.Count ?? 0);
                break;
            case "csv":
                // The CSV writer alone after a read, to work on the write stage: "annotate" is the writer's time.
                var csvDocument = await new XlsxReader(Options.Create(new ReaderOptions { StreamingWorkbookBytes = 0 }))
                    .ReadAsync(new DocumentSource(path, Path.GetFileName(path)), CancellationToken.None);
                var csvFolder = Path.Combine(folder, $"csv-{Guid.NewGuid():N}");
                Directory.CreateDirectory(csvFolder);
                var csvContext = new OutputContext("bench", csvDocument, new AnnotationSet(), new DocumentSource(path, Path.GetFileName(path)), csvFolder);
                await new CsvTablesWriter().WriteAsync(csvContext, CancellationToken.None); // warm
                WaitForQuietJit();
                (clock, cpuAtStart) = StartClock();
                await new CsvTablesWriter().WriteAsync(csvContext, CancellationToken.None);
                annotate = clock.Elapsed.TotalSeconds;
                rows = csvDocument.Blocks.OfType<TableBlock>().Sum(t => t.Rows.Count ?? 0);
                break;
            default:
                var pipeline = Pipeline(spill: mode != "pipeline-reparse");
                // Warm up (Lingua, JIT) so the figures show steady-state work, as a running service does.
                // A workbook warms on a smaller one of its shape; another format (a long PDF, rows-child FILE pipeline FOLDER
                // [WARM]) on the WARM document given, or else on itself (then run it with Annotate__Embedding__CacheEntries=0
                // lest the measured run be answered from the cache).
                var workbook = Path.GetExtension(path).Equals(".xlsx", StringComparison.OrdinalIgnoreCase);
                var warm = workbook ? WarmWorkbook(folder) : args.Length > 3 ? args[3] : path;
                using (var trace = ResidentTrace.StartIfAsked())
                {
                    // Not inside trace?.Report(...): a null-conditional call does not evaluate its argument, and the
                    // warm-up ran only when traced until 2026-12-03.
                    for (var run = 0; run < WarmRuns; run++)
                    {
                        var warmed = await pipeline.RunAsync(new AnnotationRequest { DocumentId = "warm", Source = new DocumentSource(warm, workbook ? "warm.xlsx" : Path.GetFileName(warm)), OutputDirectory = Path.Combine(folder, $"warm-out-{run}") }, CancellationToken.None);
                        trace?.Report(warmed);
                    }
                }
                WaitForQuietJit();
                // As the service's pipeline child does once idle after its warm-up or a document (TrimWhenIdle): a full
                // compacting collection and malloc_trim, so the document starts from what an idle child holds, not from
                // the warm-up's garbage. ANNOTATE_BENCH_NO_TRIM=1 measures without it.
                if (Environment.GetEnvironmentVariable("ANNOTATE_BENCH_NO_TRIM") != "1")
                {
                    Annotate.Worker.Isolation.ProcessMemory.Compact();
                }
                using (var trace = ResidentTrace.StartIfAsked())
                {
                    allocations?.Reset();
                    (clock, cpuAtStart) = StartClock();
                    var output = Path.Combine(folder, $"out-{Guid.NewGuid():N}");
                    var stages = new StageCpu();
                    // ANNOTATE_BENCH_OUTPUTS=csv,xlsx (the writers' kinds) writes only those, to time one writer against the others.
                    var outputs = Environment.GetEnvironmentVariable("ANNOTATE_BENCH_OUTPUTS") is { Length: > 0 } kinds ? kinds.Split(',') : null;
                    var result = await pipeline.RunAsync(new AnnotationRequest { DocumentId = "bench", Source = new DocumentSource(path, workbook ? "ledger.xlsx" : Path.GetFileName(path)), OutputDirectory = output, Progress = stages, Outputs = outputs }, CancellationToken.None);
                    Console.Error.WriteLine(stages);
                    (read, annotate, write) = (result.ReadTime.TotalSeconds, result.AnnotateTime.TotalSeconds, result.WriteTime.TotalSeconds);
                    trace?.Report(result);
                    rows = result.Document.Blocks.OfType<TableBlock>().Sum(t => t.Rows.Count ?? 0);
                }
                break;
        }
        var seconds = clock.Elapsed.TotalSeconds;
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuAtStart).TotalSeconds;
        allocations?.Report();
        // CPU seconds of the measured part (both cores): steadier than wall time on a machine that others share.
        Console.Error.WriteLine($"cpu {cpu:F2} s for {seconds:F2} s, of which collector pauses {(GC.GetTotalPauseDuration() - _pauseAtStart).TotalSeconds:F2} s");
        // For a person reading the run (the parent reads stdout only): the collector's share.
        Console.Error.WriteLine($"collections gen0/gen1/gen2 {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}, pause {GC.GetTotalPauseDuration().TotalSeconds:F2} s, allocated {GC.GetTotalAllocatedBytes() >> 20} MiB, heap {GC.GetGCMemoryInfo().HeapSizeBytes >> 20} MiB");
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        Console.WriteLine(string.Join('\t', new double[] { rows, seconds, read, annotate, write, process.PeakWorkingSet64 }.Select(x => x.ToString("R", CultureInfo.InvariantCulture))));
        return 0;
    }

    private static TimeSpan _pauseAtStart;

    /// <summary>
    /// The process's CPU seconds in each stage (both cores: a stage that keeps both busy shows twice its wall time), taken
    /// when the pipeline reports the stage started and finished; reported synchronously on the pipeline's thread.
    /// </summary>
    private sealed class StageCpu : IProgress<PipelineProgress>
    {
        private readonly List<string> _figures = [];
        private TimeSpan _started;

        public void Report(PipelineProgress value)
        {
            var now = Process.GetCurrentProcess().TotalProcessorTime;
            if (value.Finished)
            {
                _figures.Add($"{value.Stage} {value.Elapsed.TotalSeconds:F2} s wall, {(now - _started).TotalSeconds:F2} s CPU");
            }
            else
            {
                _started = now;
            }
        }

        public override string ToString() => $"stages: {string.Join("; ", _figures)}";
    }

    /// <summary>Starts the measured part: its clock, the process's CPU time and the collector's pauses so far.</summary>
    private static (Stopwatch Clock, TimeSpan Cpu) StartClock()
    {
        _pauseAtStart = GC.GetTotalPauseDuration();
        return (Stopwatch.StartNew(), Process.GetCurrentProcess().TotalProcessorTime);
    }

    /// <summary>Runs of the warm-up document before a measured pipeline run: a service that has seen a few documents.</summary>
    private const int WarmRuns = 3;

    /// <summary>
    /// Rows of the warm-up workbook: its sheet is large enough (about 19 MB of XML, past the 16 MiB that sent smaller
    /// workbooks to ClosedXML until 2026-12-05) to be streamed, inflated and parsed ahead on threads of their own,
    /// spilled, and scanned ahead (<c>ScanAhead.MinimumRows</c>), so the warm-up runs, and the runtime compiles
    /// optimised, the code a large workbook runs. A 200-row workbook ran none of it, and the measured document ran those
    /// paths in unoptimised code while the runtime compiled them (until 2026-12-05).
    /// </summary>
    private const int LargeWarmRows = 40_000;

    /// <summary>A workbook of the same shape, <see cref="LargeWarmRows"/> rows, for each side to run before it is measured.</summary>
    private static string WarmWorkbook(string folder)
    {
        var warm = Path.Combine(folder, $"warm-{Guid.NewGuid():N}.xlsx");
        XlsxBenchmark.Generate(warm, LargeWarmRows);
        return warm;
    }

    /// <summary>
    /// Waits (at most 20 s) until no method has been compiled for half a second: the runtime compiles hot methods again,
    /// optimised, on a background thread some time after the warm-up called them, and on two cores that compilation
    /// would otherwise run inside the measured document. A service that has run a few documents has done it.
    /// </summary>
    private static void WaitForQuietJit()
    {
        var deadline = Stopwatch.StartNew();
        var count = System.Runtime.JitInfo.GetCompiledMethodCount();
        var quiet = Stopwatch.StartNew();
        while (quiet.Elapsed < TimeSpan.FromMilliseconds(500) && deadline.Elapsed < TimeSpan.FromSeconds(20))
        {
            Thread.Sleep(50);
            var now = System.Runtime.JitInfo.GetCompiledMethodCount();
            if (now != count)
            {
                (count, quiet) = (now, Stopwatch.StartNew());
            }
        }
    }

    /// <summary>Reads a workbook and enumerates every row as the annotators and writers do; rows that hold a value, and the read's seconds.</summary>
    private static async Task<(long Rows, double ReadSeconds)> ReadAndScanAsync(XlsxReader reader, string path)
    {
        var clock = Stopwatch.StartNew();
        var document = await reader.ReadAsync(new DocumentSource(path, Path.GetFileName(path)), CancellationToken.None);
        var read = clock.Elapsed.TotalSeconds;
        long rows = 0;
        foreach (var table in document.Blocks.OfType<TableBlock>())
        {
            // As the annotators and writers scan a table (one cells list for every row).
            foreach (var row in table.Rows.Scan())
            {
                rows += row.Cells.Count > 0 ? 1 : 0;
            }
        }
        return (rows, read);
    }

    private static IDocumentPipeline Pipeline(bool spill)
    {
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Annotate:Readers:SpillStreamedRows"] = spill ? "true" : "false",
            }).AddEnvironmentVariables().Build()) // Annotate__Embedding__BatchSize=8 and the like, to try settings

            .AddLogging(b => b.SetMinimumLevel(LogLevel.Warning))
            .AddAnnotators()
            .BuildServiceProvider();
        if (Environment.GetEnvironmentVariable("ANNOTATE_BENCH_LANGUAGE_WARMUP") == "1")
        {
            // What the service's pipeline child also runs at its start (a hosted service there): the language detector's
            // warm-up, whose short sentence loads Lingua's high-accuracy models, ~290 MiB a workbook never needs
            // (docs/BENCHMARKS.md, "The 1,000,000-row workbook through the service").
            var warmUp = services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<LanguageDetectorWarmup>().Single();
            warmUp.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
            warmUp.ExecuteTask?.GetAwaiter().GetResult();
        }
        return services.GetRequiredService<IDocumentPipeline>();
    }

    private static readonly XmlReaderSettings Settings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        IgnoreWhitespace = true,
    };

    /// <summary>
    /// What a script would do with the standard library: unzip, load the shared strings into an array, then read each
    /// cell's reference, type and value with <see cref="XmlReader"/> and resolve shared strings. Counts the rows that hold a value.
    /// </summary>
    private static long XmlReaderBound(string path)
    {
        using var zip = ZipFile.OpenRead(path);
        var strings = new List<string>();
        using (var reader = XmlReader.Create(zip.GetEntry("xl/sharedStrings.xml")!.Open(), Settings))
        {
            while (reader.ReadToFollowing("t", reader.NameTable.Add("http://schemas.openxmlformats.org/spreadsheetml/2006/main")))
            {
                strings.Add(reader.ReadElementContentAsString());
            }
        }
        var sheet = zip.Entries.First(e => e.FullName.StartsWith("xl/worksheets/", StringComparison.Ordinal));
        long rows = 0, checksum = 0;
        using (var reader = XmlReader.Create(sheet.Open(), Settings))
        {
            while (reader.Read())
            {
                if (reader.NodeType != XmlNodeType.Element)
                {
                    continue;
                }
                switch (reader.LocalName)
                {
                    case "row":
                        rows++;
                        break;
                    case "c":
                        var reference = reader.GetAttribute("r");
                        var type = reader.GetAttribute("t");
                        if (reader.ReadToDescendant("v", reader.NamespaceURI))
                        {
                            var value = reader.ReadElementContentAsString();
                            var text = type == "s" ? strings[int.Parse(value, CultureInfo.InvariantCulture)] : value;
                            checksum += text.Length + (reference?.Length ?? 0);
                        }
                        break;
                }
            }
        }
        return checksum > 0 ? rows - 1 : 0; // less the header row, as the reader counts data rows
    }

    /// <summary>
    /// With ANNOTATE_BENCH_ALLOCATIONS=1, listens to the runtime's allocation ticks (one about every 100 KB allocated,
    /// naming the type of the object that crossed it) and its collections, and prints to stderr the types that took the
    /// most and the collections by generation and reason, to see what a pass allocates. In pipeline mode only the
    /// measured document is counted, not the warm-up.
    /// </summary>
    private sealed class AllocationSampler : System.Diagnostics.Tracing.EventListener
    {
        private readonly Dictionary<string, long> _bytes = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _collections = new(StringComparer.Ordinal);
        // Time from each collection's start to its end, by generation (the collection itself, not the threads' suspension).
        private readonly Dictionary<string, TimeSpan> _collectionTime = new(StringComparer.Ordinal);
        private (string Generation, DateTime Started)? _running;

        public static AllocationSampler? StartIfAsked() =>
            Environment.GetEnvironmentVariable("ANNOTATE_BENCH_ALLOCATIONS") == "1" ? new AllocationSampler() : null;

        protected override void OnEventSourceCreated(System.Diagnostics.Tracing.EventSource source)
        {
            if (source.Name == "Microsoft-Windows-DotNETRuntime")
            {
                // The GC keyword at verbose level carries GCAllocationTick.
                EnableEvents(source, System.Diagnostics.Tracing.EventLevel.Verbose, (System.Diagnostics.Tracing.EventKeywords)0x1);
            }
        }

        protected override void OnEventWritten(System.Diagnostics.Tracing.EventWrittenEventArgs e)
        {
            if (e.EventName?.StartsWith("GCStart", StringComparison.Ordinal) == true && e.Payload is not null)
            {
                // Which collections ran and why (the runtime's GC reason numbers: 0 small-object budget, 1 induced,
                // 4 large-object budget, ...).
                var key = $"gen{e.Payload[e.PayloadNames!.IndexOf("Depth")]} reason {e.Payload[e.PayloadNames.IndexOf("Reason")]}";
                lock (_bytes)
                {
                    _collections[key] = _collections.GetValueOrDefault(key) + 1;
                    _running = ($"gen{e.Payload[e.PayloadNames!.IndexOf("Depth")]}", e.TimeStamp);
                }
                return;
            }
            if (e.EventName?.StartsWith("GCEnd", StringComparison.Ordinal) == true)
            {
                lock (_bytes)
                {
                    if (_running is { } running)
                    {
                        _collectionTime[running.Generation] = _collectionTime.GetValueOrDefault(running.Generation) + (e.TimeStamp - running.Started);
                        _running = null;
                    }
                }
                return;
            }
            if (e.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) != true || e.Payload is null)
            {
                return;
            }
            var type = e.PayloadNames!.IndexOf("TypeName") is var t and >= 0 ? e.Payload[t] as string ?? "?" : "?";
            if (e.PayloadNames.IndexOf("AllocationKind") is var k and >= 0 && Convert.ToInt32(e.Payload[k], CultureInfo.InvariantCulture) == 1)
            {
                type = "(large) " + type;
            }
            var amount = e.PayloadNames.IndexOf("AllocationAmount64") is var a and >= 0 ? Convert.ToInt64(e.Payload[a], CultureInfo.InvariantCulture) : 100_000;
            lock (_bytes)
            {
                _bytes[type] = _bytes.GetValueOrDefault(type) + amount;
            }
        }

        /// <summary>Forgets what was counted so far (the warm-up's).</summary>
        public void Reset()
        {
            lock (_bytes)
            {
                _bytes.Clear();
                _collections.Clear();
                _collectionTime.Clear();
            }
        }

        public void Report()
        {
            lock (_bytes)
            {
                var total = _bytes.Values.Sum();
                Console.Error.WriteLine($"allocation ticks: {total >> 20} MiB sampled");
                foreach (var (type, bytes) in _bytes.OrderByDescending(p => p.Value).Take(20))
                {
                    Console.Error.WriteLine($"  {bytes >> 20,8} MiB  {type}");
                }
                Console.Error.WriteLine("collections: " + string.Join(", ", _collections.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} × {p.Value}")));
                Console.Error.WriteLine("collection time: " + string.Join(", ", _collectionTime.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value.TotalMilliseconds:F0} ms")));
            }
        }
    }

    /// <summary>
    /// With ANNOTATE_BENCH_TRACE_RSS=1, samples the resident set every 20 ms during the measured document and prints
    /// to stderr the highest sample with its time, and each stage's and annotator's span, to see what sets the peak.
    /// </summary>
    private sealed class ResidentTrace : IDisposable
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly Thread _thread;
        private volatile bool _stop;
        private long _maxBytes;
        private double _maxAt;
        private readonly List<(double At, long Bytes, long Managed)> _samples = [];
        // The collector's view after its last collection before the peak: each generation's size and free space.
        private GCMemoryInfo _atPeak;
        private long _lastIndex = -1;
        private readonly List<string> _collectionsSeen = [];

        private ResidentTrace()
        {
            _thread = new Thread(() =>
            {
                using var process = Process.GetCurrentProcess();
                while (!_stop)
                {
                    process.Refresh();
                    var bytes = process.WorkingSet64;
                    var at = _clock.Elapsed.TotalSeconds;
                    var last = GC.GetGCMemoryInfo(GCKind.Any);
                    lock (_samples)
                    {
                        _samples.Add((at, bytes, last.TotalCommittedBytes));
                        if (last.Index != _lastIndex)
                        {
                            _lastIndex = last.Index;
                            var g = last.GenerationInfo;
                            _collectionsSeen.Add(string.Create(CultureInfo.InvariantCulture,
                                $"{at:F2}s #{last.Index}({last.Generation}{(last.Compacted ? "c" : "")}) rss {bytes >> 20} committed {last.TotalCommittedBytes >> 20} heap {last.HeapSizeBytes >> 20} promoted {last.PromotedBytes >> 20} g0 {g[0].SizeBeforeBytes >> 20}>{g[0].SizeAfterBytes >> 20} g1 {g[1].SizeBeforeBytes >> 20}>{g[1].SizeAfterBytes >> 20} g2 {g[2].SizeBeforeBytes >> 20}>{g[2].SizeAfterBytes >> 20} loh {g[3].SizeBeforeBytes >> 20}>{g[3].SizeAfterBytes >> 20}"));
                        }
                    }
                    if (bytes > _maxBytes)
                    {
                        (_maxBytes, _maxAt) = (bytes, at);
                        _atPeak = GC.GetGCMemoryInfo(GCKind.Any);
                    }
                    Thread.Sleep(20);
                }
            }) { IsBackground = true };
            _thread.Start();
        }

        public static ResidentTrace? StartIfAsked() => Environment.GetEnvironmentVariable("ANNOTATE_BENCH_TRACE_RSS") == "1" ? new ResidentTrace() : null;

        public void Report(AnnotationResult result)
        {
            var at = result.ReadTime.TotalSeconds;
            var spans = new List<string> { $"read 0-{at:F2}" };
            foreach (var run in result.Annotations.Runs)
            {
                spans.Add($"{run.Name} {at:F2}-{at + (run.DurationMs / 1000):F2}");
                at += run.DurationMs / 1000;
            }
            var annotateEnd = result.ReadTime.TotalSeconds + result.AnnotateTime.TotalSeconds;
            spans.Add($"write {annotateEnd:F2}-{annotateEnd + result.WriteTime.TotalSeconds:F2}");
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"rss peak {_maxBytes / 1048576.0:N0} MiB at {_maxAt:F2} s; {string.Join("; ", spans)}"));
            var generations = _atPeak.GenerationInfo.ToArray();
            var names = new[] { "gen0", "gen1", "gen2", "large", "pinned" };
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"at the peak, after collection #{_atPeak.Index} ({_atPeak.Generation}): committed {_atPeak.TotalCommittedBytes / 1048576.0:N0} MiB, heap {_atPeak.HeapSizeBytes / 1048576.0:N0}, fragmented {_atPeak.FragmentedBytes / 1048576.0:N0}; ")
                + string.Join(", ", Enumerable.Range(0, Math.Min(names.Length, generations.Length)).Select(i => string.Create(CultureInfo.InvariantCulture,
                    $"{names[i]} {generations[i].SizeAfterBytes / 1048576.0:N0} (free {generations[i].FragmentationAfterBytes / 1048576.0:N0})"))));
            lock (_samples)
            {
                var step = Math.Max(1, _samples.Count / 60);
                Console.Error.WriteLine(string.Join(Environment.NewLine, _collectionsSeen));
                Console.Error.WriteLine(string.Join(' ', _samples.Where((_, i) => i % step == 0).Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.At:F1}:{s.Bytes / 1048576}/{s.Managed / 1048576}"))));
            }
        }

        public void Dispose()
        {
            _stop = true;
            _thread.Join();
        }
    }
}
