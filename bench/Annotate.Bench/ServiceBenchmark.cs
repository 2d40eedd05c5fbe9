using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using static Annotate.Bench.BenchSupport;

namespace Annotate.Bench;

/// <summary>
/// The one-process service as users start it (gateway plus its pipeline child): the time of each of ten PDFs dropped one
/// after another into its inbox (the first after start against the tenth), then the resident memory (VmRSS) of the
/// gateway and of each child once it has been idle a while, the pair's proportional set (Pss summed: the runtime's
/// libraries both map counted once, not twice) and what of it is not pages of mapped files (anonymous and shared memory). Several builds can be compared, taking turns.
/// With <c>--pdftotext</c>, <c>pdftotext</c> reads each document's file right after the service has completed it, and
/// the service's time from drop to Completed, less the inbox's settle time, is compared with it (medians of the ratios).
/// <c>--pages N</c> uses the corpus PDFs merged to N pages instead of one file, or with <c>--text FILE</c> one document
/// per drop of N pages of that text's paragraphs, each from the text's next pages, none repeating another.
/// <c>--file FILE</c> drops any file instead (a workbook: its copies are dropped as they are, so use one document), and
/// <c>--peak</c> samples the pipeline child's resident memory every 50 ms from before the first drop to the last
/// Completed: its size when the first document comes and its peak.
/// </summary>
internal static partial class ServiceBenchmark
{
    public static int Run(string[] args)
    {
        // --gateway NAME=PATH/Annotate.Gateway.dll, repeated: the builds to compare.
        var gateways = args.Select((a, i) => (a, i)).Where(x => x.a == "--gateway" && x.i + 1 < args.Length)
            .Select(x => args[x.i + 1].Split('=', 2)).Select(p => (Name: p[0], Dll: Path.GetFullPath(p[1]))).ToList();
        // --env NAME:KEY=VALUE, repeated: a setting for one of them only (the same build with another setting is a build of its own).
        var settings = args.Select((a, i) => (a, i)).Where(x => x.a == "--env" && x.i + 1 < args.Length)
            .Select(x => args[x.i + 1].Split(':', 2)).Select(p => (Name: p[0], Pair: p[1].Split('=', 2))).ToList();
        var rounds = Option(args, "--rounds", 3);
        var documents = Option(args, "--documents", 10);
        var settle = Option(args, "--settle", 20);
        // Seconds between "ready" and the first document: 0 measures a document that comes at once, a longer wait one that
        // comes once the child has started and warmed up.
        var firstAfter = Option(args, "--first-after", 0);
        // Or (also) until the pipeline child says its warm-up is over: a document that comes when the service is warm.
        var afterWarmUp = args.Contains("--after-warm-up");
        var pdf = Option(args, "--file") ?? Option(args, "--pdf") ?? Path.Combine(AppContext.BaseDirectory, "../../../../../../shared/corpus/pdf/multicolumn.pdf");
        var compare = args.Contains("--pdftotext");
        var peak = args.Contains("--peak");
        // The inbox takes a file once it has not changed for this long (Annotate:Gateway:SettleTime, 3 s unless given).
        var settleTime = Option(args, "--settle-time", 3.0);
        var pages = Option(args, "--pages", 0);
        var generated = new List<string>();
        if (pages > 0)
        {
            var corpus = Option(args, "--corpus") ?? Path.Combine(AppContext.BaseDirectory, "../../../../../../shared/corpus");
            // --text FILE: one document per drop, each of the text's next pages (none repeating another, so the encoder's
            // cache holds none of a document's sentences), instead of the corpus merged over and over.
            var text = Option(args, "--text");
            for (var i = 0; i < (text is null ? 1 : documents); i++)
            {
                var file = Path.Combine(Path.GetTempPath(), $"annotate-bench-service-{pages}-pages-{Guid.NewGuid():N}.pdf");
                generated.Add(file);
                File.WriteAllBytes(file, text is not null
                    ? PdfBenchmark.GenerateFromText(text, pages, firstPage: i * pages)
                    : PdfBenchmark.Generate(Directory.GetFiles(Path.Combine(corpus, "pdf"), "*.pdf").Order(StringComparer.Ordinal).ToList(), pages));
            }
        }
        try
        {
            return Run(gateways, settings, rounds, documents, settle, firstAfter, afterWarmUp, generated.Count > 0 ? [.. generated] : [pdf], compare, settleTime, peak);
        }
        finally
        {
            foreach (var file in generated)
            {
                File.Delete(file);
            }
        }
    }

    private static int Run(List<(string Name, string Dll)> gateways, List<(string Name, string[] Pair)> settings, int rounds, int documents, int settle,
        int firstAfter, bool afterWarmUp, string[] pdfs, bool compare, double settleTime, bool peak)
    {
        Console.WriteLine($"load average at start: {Load()}; {firstAfter} s after ready{(afterWarmUp ? " and the warm-up" : "")}, {documents} copies of {string.Join(" / ", pdfs.Select(Path.GetFileName))} one after another, then {settle} s idle");
        var results = gateways.Select(_ => new List<(double First, double Tenth, double FirstWall, double TenthWall, double Gateway, double Children, double Proportional, double Anonymous, double ChildBefore, double ChildPeak, double ChildLowest, double ChildPeakAfterLowest)>()).ToArray();
        // Per build: each document's drop → Completed and pdftotext's time on the same file, read right after it.
        var pairs = gateways.Select(_ => new List<(int Index, double Wall, double PdfToText)>()).ToArray();
        for (var round = 0; round < rounds; round++)
        {
            for (var k = 0; k < gateways.Count; k++)
            {
                var g = (k + round) % gateways.Count;
                var environment = settings.Where(e => e.Name == gateways[g].Name).ToDictionary(e => e.Pair[0], e => e.Pair[1]);
                // Each round starts from the next file: with distinct files (--text) the first after start is not always the same one.
                var result = RunOnce(gateways[g].Dll, environment, [.. pdfs.Skip(round % pdfs.Length), .. pdfs.Take(round % pdfs.Length)], documents, settle, firstAfter, afterWarmUp,
                    compare ? pairs[g] : null, peak);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"round {round + 1} {gateways[g].Name}: first {result.First:F2} s, last {result.Tenth:F2} s, drop to completed {result.FirstWall:F2} / {result.TenthWall:F2} s, gateway {result.Gateway:F0} MiB, children {result.Children:F0} MiB, together {result.Gateway + result.Children:F0} MiB resident, {result.Proportional:F0} MiB proportional, {result.Anonymous:F0} MiB anonymous{(peak ? $", pipeline child {result.ChildBefore:F0} MiB when the first document came, peak {result.ChildPeak:F0} MiB" : "")} (load {Load()})"));
                results[g].Add(result);
            }
        }
        Console.WriteLine();
        Console.WriteLine("| build | first document s | last document s | first ÷ last | drop → Completed, first s | the same, last s | gateway idle MiB | pipeline child idle MiB | together MiB | together, proportional MiB | together, anonymous MiB |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|");
        for (var g = 0; g < gateways.Count; g++)
        {
            var r = results[g];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {gateways[g].Name} | {Median(r.Select(x => x.First)):F2} | {Median(r.Select(x => x.Tenth)):F2} | {Median(r.Select(x => x.First / x.Tenth)):F2} | {Median(r.Select(x => x.FirstWall)):F2} | {Median(r.Select(x => x.TenthWall)):F2} | {Median(r.Select(x => x.Gateway)):F0} | {Median(r.Select(x => x.Children)):F0} | {Median(r.Select(x => x.Gateway + x.Children)):F0} | {Median(r.Select(x => x.Proportional)):F0} | {Median(r.Select(x => x.Anonymous)):F0} |"));
        }
        if (peak)
        {
            Console.WriteLine();
            Console.WriteLine("| build | pipeline child when the first document came, MiB | its peak MiB | its lowest after that MiB | its peak after the lowest MiB | drop → Completed, first s |");
            Console.WriteLine("|---|---|---|---|---|---|");
            for (var g = 0; g < gateways.Count; g++)
            {
                var r = results[g];
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {gateways[g].Name} | {Each(r.Select(x => x.ChildBefore))} | {Each(r.Select(x => x.ChildPeak))} | {Each(r.Select(x => x.ChildLowest))} | {Each(r.Select(x => x.ChildPeakAfterLowest))} | {Median(r.Select(x => x.FirstWall)):F2} |"));
            }
        }
        if (compare)
        {
            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Drop → Completed less the settle time ({settleTime:F1} s) against pdftotext on the same file, {PdfBenchmark.PageCount(pdfs[0])} pages; medians over the rounds (ratio: pdftotext ÷ Annotate)"));
            Console.WriteLine("| build | documents | Annotate s | pdftotext s | ratio | pages/s |");
            Console.WriteLine("|---|---|---|---|---|---|");
            for (var g = 0; g < gateways.Count; g++)
            {
                foreach (var (label, chosen) in new[] { ("first after start", pairs[g].Where(p => p.Index == 0)), ("the others", pairs[g].Where(p => p.Index > 0)) })
                {
                    var list = chosen.ToList();
                    if (list.Count == 0)
                    {
                        continue;
                    }
                    var annotate = Median(list.Select(p => p.Wall - settleTime));
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {gateways[g].Name} | {label} ({list.Count}) | {annotate:F2} | {Median(list.Select(p => p.PdfToText)):F2} | {Median(list.Select(p => p.PdfToText / (p.Wall - settleTime))):F2} | {PdfBenchmark.PageCount(pdfs[0]) / annotate:F0} |"));
                }
            }
        }
        Console.WriteLine($"load average at end: {Load()}");
        return 0;
    }

    private static (double First, double Tenth, double FirstWall, double TenthWall, double Gateway, double Children, double Proportional, double Anonymous, double ChildBefore, double ChildPeak, double ChildLowest, double ChildPeakAfterLowest) RunOnce(string dll, Dictionary<string, string> environment, string[] pdfs, int documents, int settle, int firstAfter, bool afterWarmUp,
        List<(int Index, double Wall, double PdfToText)>? pairs, bool peak)
    {
        var root = Path.Combine(Path.GetTempPath(), "annotate-bench-service-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:5391";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        var lines = new BlockingCollection<string>();
        using var gateway = Process.Start(start)!;
        gateway.OutputDataReceived += (_, e) => { if (e.Data is not null) { lines.Add(e.Data); } };
        gateway.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lines.Add(e.Data); } };
        gateway.BeginOutputReadLine();
        gateway.BeginErrorReadLine();
        try
        {
            WaitFor(lines, l => l.Contains("Annotate is ready", StringComparison.Ordinal));
            if (afterWarmUp)
            {
                // "Pipeline child N warmed up", or the child's own "Warmed up in … ms" on builds before that line.
                WaitFor(lines, l => l.Contains("warmed up", StringComparison.OrdinalIgnoreCase));
            }
            Thread.Sleep(TimeSpan.FromSeconds(firstAfter));
            var times = new List<double>();
            // From the file's appearance in the inbox to the gateway's line: the inbox's settle time, the intake, the bus
            // hops and the state writes too, which the worker's own time leaves out.
            var walls = new List<double>();
            var childBefore = peak ? Children(gateway.Id).Sum(pid => ResidentMiB(pid) ?? 0) : 0;
            using var sampling = new CancellationTokenSource();
            var childPeak = peak ? Task.Run(() => PeakOfChildren(gateway.Id, sampling.Token)) : Task.FromResult((0.0, 0.0, 0.0));
            for (var i = 0; i < documents; i++)
            {
                var source = pdfs[i % pdfs.Length];
                var isPdf = Path.GetExtension(source).Equals(".pdf", StringComparison.OrdinalIgnoreCase);
                var name = $"copy-{i}{Path.GetExtension(source)}";
                // A PDF's copies have distinct bytes (a comment after the end), so no copy is answered from an earlier result.
                byte[] copy = isPdf ? [.. File.ReadAllBytes(source), .. System.Text.Encoding.ASCII.GetBytes($"\n% copy {i}\n")] : File.ReadAllBytes(source);
                File.WriteAllBytes(Path.Combine(root, "data", name), copy);
                File.Move(Path.Combine(root, "data", name), Path.Combine(root, "data", "inbox", name));
                var dropped = Stopwatch.GetTimestamp();
                var done = WaitFor(lines, l => l.Contains(name, StringComparison.Ordinal) && (l.Contains("Completed", StringComparison.Ordinal) || l.Contains("Failed", StringComparison.Ordinal)));
                var match = Seconds().Match(done);
                if (!match.Success)
                {
                    throw new InvalidOperationException("not completed: " + done);
                }
                times.Add(double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture));
                walls.Add(Stopwatch.GetElapsedTime(dropped).TotalSeconds);
                if (pairs is not null)
                {
                    // The same bytes, once the service is done with them: pdftotext has the machine as the service had it.
                    var same = Path.Combine(root, name);
                    File.WriteAllBytes(same, copy);
                    pairs.Add((i, walls[^1], Time(PdfBenchmark.PdfToText(same))));
                    File.Delete(same);
                }
            }
            sampling.Cancel();
            var (peakMiB, lowestMiB, peakAfterLowestMiB) = childPeak.GetAwaiter().GetResult();
            Thread.Sleep(TimeSpan.FromSeconds(settle));
            var children = Children(gateway.Id).ToList();
            var proportional = children.Append(gateway.Id).Sum(pid => ProportionalMiB(pid) ?? 0);
            var anonymous = children.Append(gateway.Id).Sum(pid => AnonymousMiB(pid) ?? 0);
            return (times[0], times[^1], walls[0], walls[^1], ResidentMiB(gateway.Id) ?? 0, children.Sum(pid => ResidentMiB(pid) ?? 0), proportional, anonymous, childBefore, peakMiB, lowestMiB, peakAfterLowestMiB);
        }
        finally
        {
            gateway.Kill(entireProcessTree: true);
            gateway.WaitForExit();
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>
    /// The resident size of the children of <paramref name="pid"/> together, sampled every 50 ms until cancelled: the
    /// largest, the smallest, and the largest after the smallest (a child that gives memory back when a document comes,
    /// as before a large table, starts that document lower than it idled).
    /// </summary>
    private static (double Peak, double Lowest, double PeakAfterLowest) PeakOfChildren(int pid, CancellationToken cancellationToken)
    {
        var samples = new List<double>();
        while (!cancellationToken.IsCancellationRequested)
        {
            samples.Add(Children(pid).Sum(child => ResidentMiB(child) ?? 0));
            cancellationToken.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(50));
        }
        if (samples.Count == 0)
        {
            return (0, 0, 0);
        }
        var lowest = samples.IndexOf(samples.Min());
        return (samples.Max(), samples[lowest], samples.Skip(lowest).Max());
    }

    /// <summary>Each round's figure, in the order of the rounds.</summary>
    private static string Each(IEnumerable<double> values) => string.Join(", ", values.Select(v => v.ToString("F0", CultureInfo.InvariantCulture)));

    private static string WaitFor(BlockingCollection<string> lines, Func<string, bool> match)
    {
        while (lines.TryTake(out var line, TimeSpan.FromMinutes(5)))
        {
            if (match(line))
            {
                return line;
            }
        }
        throw new TimeoutException("the gateway said nothing for 5 minutes");
    }

    /// <summary>Processes whose parent is <paramref name="pid"/>.</summary>
    private static IEnumerable<int> Children(int pid)
    {
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var child))
            {
                continue;
            }
            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(dir, "stat"));
            }
            catch (IOException)
            {
                continue;
            }
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (fields[1] == pid.ToString(CultureInfo.InvariantCulture))
            {
                yield return child;
            }
        }
    }

    [GeneratedRegex(@"Completed\s+([0-9.]+) s")]
    private static partial Regex Seconds();
}
