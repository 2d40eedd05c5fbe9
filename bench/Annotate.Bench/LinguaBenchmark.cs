using System.Diagnostics;
using System.Globalization;
using Annotate.Annotators.Builtin;
using Lingua;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static Annotate.Bench.BenchSupport;

namespace Annotate.Bench;

/// <summary>
/// Lingua's public call against the project's detection (<see cref="LinguaDetection"/>) on the same texts, one thread,
/// the two sides taking turns each round: median milliseconds for all the texts, the ratio, and how many answers
/// differ (language, or confidence by more than 1e-9). The texts are the paragraphs of text files (blank-line separated),
/// joined until each has at least <c>--min-length</c> characters, cut at 2,000 (the annotator's sample).
/// </summary>
internal static class LinguaBenchmark
{
    public static int Run(string[] args)
    {
        var files = new List<string>();
        var (minLength, count, rounds, highAccuracy) = (300, 2_000, 5, true);
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--min-length" when i + 1 < args.Length:
                    minLength = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--texts" when i + 1 < args.Length:
                    count = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--rounds" when i + 1 < args.Length:
                    rounds = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--low-accuracy":
                    highAccuracy = false;
                    break;
                case var file when File.Exists(file):
                    files.Add(file);
                    break;
                default:
                    Console.Error.WriteLine($"unknown argument '{args[i]}'");
                    return 2;
            }
        }
        if (files.Count == 0)
        {
            Console.Error.WriteLine("usage: lingua FILE... [--min-length 300] [--texts 2000] [--rounds 5] [--low-accuracy]");
            return 2;
        }
        var texts = Texts(files, minLength, count);
        var provider = new LanguageDetectorProvider(Options.Create(new LanguageOptions { HighAccuracy = highAccuracy }), NullLogger<LanguageDetectorProvider>.Instance);
        using var lease = provider.Acquire();
        var (detector, detection) = (lease.Value, provider.LinguaDetection);

        // The heap the project's models take: every model the languages can need, read before anything else is.
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        detection.Preload(detector);
        var modelsHeap = GC.GetTotalMemory(forceFullCollection: true) - heapBefore;

        // Both sides once first: the models load, the code is compiled, and the answers are compared.
        var differ = 0;
        foreach (var text in texts)
        {
            var (language, confidence) = detector.ComputeLanguageConfidenceValues(text).First();
            detection.TryDetect(detector, text, out var found);
            var expected = language == Language.Unknown || confidence <= 0 ? null : ((Language, double)?)(language, confidence);
            differ += expected is null != found is null || (found is { } f && (f.Language != expected!.Value.Item1 || Math.Abs(f.Confidence - expected.Value.Item2) > 1e-9)) ? 1 : 0;
        }
        var (library, project) = (new List<double>(), new List<double>());
        for (var round = 0; round < rounds; round++)
        {
            foreach (var side in round % 2 == 0 ? new[] { 0, 1 } : [1, 0])
            {
                var clock = Stopwatch.StartNew();
                foreach (var text in texts)
                {
                    if (side == 0)
                    {
                        _ = detector.ComputeLanguageConfidenceValues(text);
                    }
                    else
                    {
                        detection.TryDetect(detector, text, out _);
                    }
                }
                (side == 0 ? library : project).Add(clock.Elapsed.TotalMilliseconds);
            }
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{texts.Count} texts of {texts.Sum(t => t.Length):N0} characters ({texts.Count(t => t.Length < 120)} under 120), {(highAccuracy ? "high" : "low")} accuracy, {rounds} rounds, one thread"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"LinguaDetection holds {detection.ModelsHeld} models (every length) of the {LanguageOptions.DefaultLanguages.Count} default languages, {modelsHeap / 1048576.0:F1} MiB of heap"));
        Console.WriteLine("| side | ms (median) | ÷ library | answers not the library's |");
        Console.WriteLine("|---|---|---|---|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| Lingua's public call | {Median(library):F0} | 1.00 | |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| LinguaDetection | {Median(project):F0} | {Median(project.Zip(library, (mine, theirs) => mine / theirs)):F2} | {differ} |"));
        return differ == 0 ? 0 : 1;
    }

    private static List<string> Texts(List<string> files, int minLength, int count)
    {
        var texts = new List<string>();
        var current = "";
        foreach (var paragraph in files.SelectMany(f => File.ReadAllText(f).Split("\n\n")).Select(p => p.Trim()).Where(p => p.Length > 0))
        {
            current = current.Length == 0 ? paragraph : $"{current}\n{paragraph}";
            if (current.Length >= minLength)
            {
                texts.Add(current.Length > 2_000 ? current[..2_000] : current);
                current = "";
                if (texts.Count == count)
                {
                    break;
                }
            }
        }
        return texts;
    }
}
