using System.Diagnostics;
using System.Globalization;
using Annotate.Annotators;
using Annotate.Annotators.Annotations;
using Annotate.Annotators.Builtin;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Profiles;
using Annotate.Annotators.Readers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static Annotate.Bench.BenchSupport;

namespace Annotate.Bench;

/// <summary>
/// The language annotator on documents read by the product's readers, with each block sample length side by side
/// (rounds interleaved, the order rotated): median milliseconds per document, and how many blocks get the same
/// language (and the document the same main language) as with the longest sample.
/// </summary>
internal static class LanguageBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var files = new List<string>();
        var samples = new List<int> { 2_000, 1_000, 500 };
        var rounds = 5;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--samples" when i + 1 < args.Length:
                    samples = [.. args[++i].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))];
                    break;
                case "--rounds" when i + 1 < args.Length:
                    rounds = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--corpus" when i + 1 < args.Length:
                    files.AddRange(Directory.EnumerateFiles(args[++i], "*", SearchOption.AllDirectories)
                        .Where(f => !f.EndsWith(".md", StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal));
                    break;
                case var file when File.Exists(file):
                    files.Add(file);
                    break;
                default:
                    Console.Error.WriteLine($"unknown argument '{args[i]}'");
                    return 2;
            }
        }
        if (files.Count == 0 || samples.Count == 0)
        {
            Console.Error.WriteLine("usage: language [FILE ...] [--corpus FOLDER] [--samples 2000,1000,500] [--rounds R]");
            return 2;
        }

        using var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().Build())
            .AddLogging(b => b.SetMinimumLevel(LogLevel.Warning))
            .AddAnnotators()
            .BuildServiceProvider();
        var readers = services.GetServices<IDocumentReader>().ToDictionary(r => r.Format);
        var detector = services.GetRequiredService<FormatDetector>();
        var documents = new List<(string Name, Document Document)>();
        foreach (var file in files)
        {
            var source = new DocumentSource(file, Path.GetFileName(file));
            if (readers.GetValueOrDefault(detector.Detect(source)) is not { } reader)
            {
                continue;
            }
            documents.Add((Path.GetFileName(file), await reader.ReadAsync(source, CancellationToken.None)));
        }
        // One detector for every side, as the service shares one: the models are loaded once, before any measurement.
        var provider = new LanguageDetectorProvider(Options.Create(new LanguageOptions()), NullLogger<LanguageDetectorProvider>.Instance);
        var annotators = samples.Select(s => new LanguageAnnotator(provider, Options.Create(new LanguageOptions { BlockSampleCharacters = s }))).ToArray();

        Console.WriteLine($"Language annotator, block samples of {string.Join(" / ", samples)} characters, {rounds} rounds, {Environment.ProcessorCount} cores");
        Console.WriteLine();
        Console.WriteLine("| document | blocks detected | sample | ms (median) | ÷ longest | same block language | same main language |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var (name, document) in documents)
        {
            var results = new AnnotationSet[samples.Count];
            for (var s = 0; s < samples.Count; s++)
            {
                results[s] = await Annotate(annotators[s], document); // warm-up, and the languages compared below
            }
            var times = samples.Select(_ => new List<double>()).ToArray();
            for (var round = 0; round < rounds; round++)
            {
                for (var k = 0; k < samples.Count; k++)
                {
                    var s = (k + round) % samples.Count;
                    var clock = Stopwatch.StartNew();
                    await Annotate(annotators[s], document);
                    times[s].Add(clock.Elapsed.TotalMilliseconds);
                }
            }
            var longest = samples.IndexOf(samples.Max());
            var reference = results[longest].BlockLanguages.ToDictionary(b => b.Block, b => b.Code);
            for (var s = 0; s < samples.Count; s++)
            {
                var same = results[s].BlockLanguages.Count(b => reference.GetValueOrDefault(b.Block) == b.Code);
                var ratio = Median(times[s].Zip(times[longest], (mine, theirs) => mine / theirs));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {name} | {results[s].BlockLanguages.Count} | {samples[s]} | {Median(times[s]):F1} | {ratio:F2} | {same} of {reference.Count} | {(results[s].Language?.Code == results[longest].Language?.Code ? "yes" : "no")} ({results[s].Language?.Code ?? "-"}) |"));
            }
        }
        return 0;
    }

    private static async Task<AnnotationSet> Annotate(LanguageAnnotator annotator, Document document)
    {
        var context = new AnnotationContext("bench", document, new AnnotationProfile());
        await annotator.AnnotateAsync(context, CancellationToken.None);
        return context.Annotations;
    }
}
