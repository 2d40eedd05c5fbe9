using System.Diagnostics;
using System.Globalization;
using Annotate.Annotators;
using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Readers;
using Annotate.Annotators.Readers.Pdf;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Writer;
using static Annotate.Bench.BenchSupport;

namespace Annotate.Bench;

/// <summary>
/// PDF pages per second: Annotate's reader (one thread and several), PdfPig's own letter extraction and <c>pdftotext</c>,
/// warm (in this process, taking turns, median of the per-round ratios) and cold (a fresh process per read).
/// </summary>
internal static class PdfBenchmark
{
    public const string OnceCommand = "pdf-once";

    public static async Task<int> RunAsync(string[] args)
    {
        var pages = Option(args, "--pages", 500);
        var rounds = Option(args, "--rounds", 7);
        var cold = Option(args, "--cold", 5);
        var threads = Option(args, "--threads", 2);
        var corpus = Option(args, "--corpus") ?? Path.Combine(AppContext.BaseDirectory, "../../../../../../shared/corpus");
        var folder = Path.Combine(Path.GetTempPath(), "annotate-bench-pdf-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var corpusFiles = Directory.GetFiles(Path.Combine(corpus, "pdf"), "*.pdf").Order(StringComparer.Ordinal).ToList();
            var generated = Path.Combine(folder, "long.pdf");
            File.WriteAllBytes(generated, Generate(corpusFiles, pages));
            var inputs = new (string Name, List<string> Files)[]
            {
                ($"generated, {PageCount(generated)} pages (the corpus PDFs merged over and over)", [generated]),
                ($"corpus, {corpusFiles.Count} files, {corpusFiles.Sum(PageCount)} pages", corpusFiles),
            };
            Console.WriteLine($"load average at start: {Load()}; {Environment.ProcessorCount} cores; {rounds} warm rounds, {cold} cold rounds");
            await WarmAsync(inputs, rounds, threads);
            Cold(inputs, cold, threads);
            Console.WriteLine($"load average at end: {Load()}");
            return 0;
        }
        finally
        {
            if (!args.Contains("--keep"))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    /// <summary>The corpus PDFs merged, one after another, until the document has at least <paramref name="pages"/> pages.</summary>
    public static byte[] Generate(IReadOnlyList<string> files, int pages)
    {
        var bytes = files.Select(File.ReadAllBytes).ToList();
        var counts = files.Select(PageCount).ToList();
        var merged = new List<byte[]>();
        for (var (total, i) = (0, 0); total < pages; i++)
        {
            merged.Add(bytes[i % bytes.Count]);
            total += counts[i % bytes.Count];
        }
        return PdfMerger.Merge(merged);
    }

    /// <summary>
    /// A PDF of <paramref name="pages"/> pages of distinct text: the paragraphs of <paramref name="textFile"/> (blank lines
    /// between them) one after another in Helvetica, 10 pt, 60 lines a page, wrapped at 95 characters, and characters
    /// outside ASCII left out (what PdfPig's standard font writes). Unlike <see cref="Generate"/>, no page repeats another,
    /// so nothing is answered from a cache or detected once for many blocks. <paramref name="firstPage"/> pages of the
    /// text are skipped first (another document from the same text). The text runs out: throws.
    /// </summary>
    public static byte[] GenerateFromText(string textFile, int pages, int firstPage = 0)
    {
        var lines = new List<string>();
        foreach (var paragraph in File.ReadAllText(textFile).Split(["\n\n", "\r\n\r\n"], StringSplitOptions.RemoveEmptyEntries))
        {
            var words = new string(paragraph.Where(c => c is >= ' ' and <= '~' or '\n').ToArray())
                .Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            var line = new System.Text.StringBuilder();
            foreach (var word in words)
            {
                if (line.Length > 0 && line.Length + 1 + word.Length > 95)
                {
                    lines.Add(line.ToString());
                    line.Clear();
                }
                line.Append(line.Length > 0 ? " " : "").Append(word);
            }
            if (line.Length > 0)
            {
                lines.Add(line.ToString());
                lines.Add("");
            }
        }
        const int LinesPerPage = 60;
        if (lines.Count < (firstPage + pages) * LinesPerPage)
        {
            throw new InvalidOperationException($"{textFile} fills {lines.Count / LinesPerPage} pages, not {firstPage + pages}");
        }
        var builder = new PdfDocumentBuilder();
        var font = builder.AddStandard14Font(UglyToad.PdfPig.Fonts.Standard14Fonts.Standard14Font.Helvetica);
        for (var page = 0; page < pages; page++)
        {
            var pdfPage = builder.AddPage(UglyToad.PdfPig.Content.PageSize.A4);
            for (var i = 0; i < LinesPerPage; i++)
            {
                if (lines[((firstPage + page) * LinesPerPage) + i] is { Length: > 0 } text)
                {
                    pdfPage.AddText(text, 10, new UglyToad.PdfPig.Core.PdfPoint(50, 800 - (i * 12.5)), font);
                }
            }
        }
        return builder.Build();
    }

    public static int PageCount(string file)
    {
        using var pdf = PdfDocument.Open(file);
        return pdf.NumberOfPages;
    }

    private static PdfReader Reader(int threads) =>
        new(NullLogger<PdfReader>.Instance, options: Options.Create(new ReaderOptions { PdfPageThreads = threads }));

    private static async Task WarmAsync((string Name, List<string> Files)[] inputs, int rounds, int threads)
    {
        var sides = new (string Name, Func<string, Task> Read)[]
        {
            ("Annotate, 1 thread", file => Reader(1).ReadAsync(new DocumentSource(file, "x.pdf"), CancellationToken.None)),
            ($"Annotate, {threads} threads", file => Reader(threads).ReadAsync(new DocumentSource(file, "x.pdf"), CancellationToken.None)),
            ("PdfPig letters only (its own extraction)", file => { PdfPigLetters(file); return Task.CompletedTask; }),
            ("pdftotext", file => { Time(PdfToText(file)); return Task.CompletedTask; }),
        };
        foreach (var (name, files) in inputs)
        {
            var pageCount = files.Sum(PageCount);
            var seconds = sides.Select(_ => new List<double>()).ToArray();
            foreach (var side in sides)
            {
                await RunAll(side.Read, files); // warm-up: JIT, tiering, font tables
            }
            for (var round = 0; round < rounds; round++)
            {
                // Rotate who goes first, so no side always follows the same one.
                for (var k = 0; k < sides.Length; k++)
                {
                    var s = (k + round) % sides.Length;
                    var clock = Stopwatch.StartNew();
                    await RunAll(sides[s].Read, files);
                    seconds[s].Add(clock.Elapsed.TotalSeconds);
                }
            }
            Console.WriteLine();
            Console.WriteLine($"Warm, {name}: median pages/s and median of the per-round ratios to pdftotext");
            Console.WriteLine("| reader | pages/s | ÷ pdftotext |");
            Console.WriteLine("|---|---|---|");
            var baseline = seconds[^1];
            for (var s = 0; s < sides.Length; s++)
            {
                var ratios = seconds[s].Zip(baseline, (mine, theirs) => theirs / mine);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {sides[s].Name} | {Median(seconds[s].Select(x => pageCount / x)):F0} | {Median(ratios):F2} |"));
            }
        }
    }

    private static async Task RunAll(Func<string, Task> read, List<string> files)
    {
        foreach (var file in files)
        {
            await read(file);
        }
    }

    private static void PdfPigLetters(string file)
    {
        using var pdf = PdfDocument.Open(file, new ParsingOptions { UseLenientParsing = true, SkipMissingFonts = true });
        for (var number = 1; number <= pdf.NumberOfPages; number++)
        {
            _ = pdf.GetPage(number).Letters.Count;
        }
    }

    public static ProcessStartInfo PdfToText(string file)
    {
        var start = new ProcessStartInfo("pdftotext");
        start.ArgumentList.Add("-q");
        start.ArgumentList.Add(file);
        start.ArgumentList.Add("-");
        return start;
    }

    private static void Cold((string Name, List<string> Files)[] inputs, int rounds, int threads)
    {
        foreach (var (name, files) in inputs)
        {
            var pageCount = files.Sum(PageCount);
            var first = new List<double>();
            var tenth = new List<double>();
            var process = new List<double>();
            var warmed = new List<double>();
            var warmedOnly = new List<double>();
            var pdftotext = new List<double>();
            // The first read's seconds in a fresh process after the child's PDF warm-up (with the options given).
            double FirstReadAfterWarmUp(string[] options) => double.Parse(Once(["--reads", "1", "--warm-pages",
                EngineWarmUp.LongPdfPages.ToString(CultureInfo.InvariantCulture), .. options, threads.ToString(CultureInfo.InvariantCulture), .. files])[0],
                CultureInfo.InvariantCulture);
            for (var round = 0; round < rounds; round++)
            {
                // Taking turns: each round starts with the next of pdftotext, a fresh Annotate process, a fresh one that first
                // runs the pipeline child's PDF warm-up (a generated report of EngineWarmUp.LongPdfPages pages, then the PDF
                // library compiled ahead), and one that runs the report alone.
                for (var k = 0; k < 4; k++)
                {
                    switch ((k + round) % 4)
                    {
                        case 0:
                            pdftotext.Add(files.Sum(f => Time(PdfToText(f))));
                            break;
                        case 1:
                            var clock = Stopwatch.StartNew();
                            var output = Once([threads.ToString(CultureInfo.InvariantCulture), .. files]);
                            process.Add(clock.Elapsed.TotalSeconds);
                            first.Add(double.Parse(output[0], CultureInfo.InvariantCulture));
                            tenth.Add(double.Parse(output[1], CultureInfo.InvariantCulture));
                            break;
                        case 2:
                            warmed.Add(FirstReadAfterWarmUp([]));
                            break;
                        default:
                            warmedOnly.Add(FirstReadAfterWarmUp(["--no-compile"]));
                            break;
                    }
                }
            }
            Console.WriteLine();
            Console.WriteLine($"Cold, {name}: a fresh process per round, taking turns with pdftotext");
            Console.WriteLine("| what | pages/s | ÷ pdftotext |");
            Console.WriteLine("|---|---|---|");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| pdftotext (whole process) | {Median(pdftotext.Select(x => pageCount / x)):F0} | 1.00 |"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| Annotate, first read in a fresh process | {Median(first.Select(x => pageCount / x)):F0} | {Median(first.Zip(pdftotext, (a, b) => b / a)):F2} |"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| Annotate, first read after the child's warm-up's report ({EngineWarmUp.LongPdfPages} pages) alone | {Median(warmedOnly.Select(x => pageCount / x)):F0} | {Median(warmedOnly.Zip(pdftotext, (a, b) => b / a)):F2} |"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| Annotate, first read after the pipeline child's warm-up (the report, then the PDF library compiled ahead) | {Median(warmed.Select(x => pageCount / x)):F0} | {Median(warmed.Zip(pdftotext, (a, b) => b / a)):F2} |"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| Annotate, the whole fresh process (runtime start included) | {Median(process.Select(x => pageCount / x)):F0} | {Median(process.Zip(pdftotext, (a, b) => b / a)):F2} |"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| Annotate, tenth read in the same process | {Median(tenth.Select(x => pageCount / x)):F0} | {Median(tenth.Zip(pdftotext, (a, b) => b / a)):F2} |"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"first ÷ tenth read time (median): {Median(first.Zip(tenth, (a, b) => a / b)):F2}"));
        }
    }

    /// <summary>Runs <see cref="OnceCommand"/> with <paramref name="args"/> in a fresh process; the words it prints.</summary>
    private static string[] Once(string[] args)
    {
        using var child = Process.Start(Self([OnceCommand, .. args]))!;
        var output = child.StandardOutput.ReadToEnd().Trim().Split(' ');
        child.WaitForExit();
        return output;
    }

    /// <summary>
    /// In a fresh process (<c>--warm-pages P</c>: after the pipeline child's warm-up on a generated report of P pages and
    /// the PDF library compiled ahead; <c>--no-compile</c> after it: the report alone):
    /// reads the files ten times (<c>--reads N</c>: N times), printing the seconds of the first and the
    /// last read, then the collections of each generation and the GC's total pause in ms over all reads.
    /// </summary>
    public static async Task<int> OnceAsync(string[] args)
    {
        var reads = 10;
        if (args.Length > 2 && args[0] == "--reads")
        {
            reads = int.Parse(args[1], CultureInfo.InvariantCulture);
            args = args[2..];
        }
        var warmPages = 0;
        if (args.Length > 2 && args[0] == "--warm-pages")
        {
            warmPages = int.Parse(args[1], CultureInfo.InvariantCulture);
            args = args[2..];
        }
        var compile = true;
        if (args.Length > 1 && args[0] == "--no-compile")
        {
            compile = false;
            args = args[1..];
        }
        var reader = Reader(int.Parse(args[0], CultureInfo.InvariantCulture));
        if (warmPages > 0)
        {
            // What a fresh pipeline child does before its first document (Annotate:Worker:Isolation:WarmUpPdfPages).
            await using var services = new ServiceCollection()
                .AddSingleton<IConfiguration>(new ConfigurationBuilder().Build())
                .AddLogging(b => b.SetMinimumLevel(LogLevel.Warning))
                .AddAnnotators()
                .BuildServiceProvider();
            var warming = Stopwatch.StartNew();
            var steps = new List<double>();
            var engine = services.GetRequiredService<EngineWarmUp>();
            await engine.WarmLongPdfAsync(warmPages, withEncoder: false, CancellationToken.None, _ => { steps.Add(warming.Elapsed.TotalSeconds); return Task.CompletedTask; });
            steps.Add(warming.Elapsed.TotalSeconds);
            if (compile)
            {
                engine.CompilePdfLibrary(CancellationToken.None);
            }
            // To stderr, for a person reading the run: the warm-up's time and when each of its steps started.
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"warm-up on {warmPages} pages {warming.Elapsed.TotalSeconds:F2} s, steps started at {string.Join(' ', steps.Select(s => s.ToString("F2", CultureInfo.InvariantCulture)))} s"));
        }
        var times = new List<double>();
        for (var i = 0; i < reads; i++)
        {
            var clock = Stopwatch.StartNew();
            foreach (var file in args[1..])
            {
                await reader.ReadAsync(new DocumentSource(file, Path.GetFileName(file)), CancellationToken.None);
            }
            times.Add(clock.Elapsed.TotalSeconds);
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{times[0]:R} {times[^1]:R} gen0 {GC.CollectionCount(0)} gen1 {GC.CollectionCount(1)} gen2 {GC.CollectionCount(2)} pause {GC.GetTotalPauseDuration().TotalMilliseconds:F0} allocatedMB {GC.GetTotalAllocatedBytes() >> 20} heapMB {GC.GetGCMemoryInfo().HeapSizeBytes >> 20} gen0budgetMB {GC.GetGCMemoryInfo().GenerationInfo[0].SizeAfterBytes >> 20}"));
        return 0;
    }
}
