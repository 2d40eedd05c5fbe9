using System.Diagnostics;
using System.Globalization;
using Annotate.Annotators;
using Annotate.Annotators.Annotations;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Embeddings;
using Annotate.Annotators.Profiles;
using Annotate.Annotators.Readers;
using Annotate.Annotators.Semantic;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Annotate.Bench;

/// <summary>
/// The extractive summary alone over documents read once: the first 150 sentences all encoded (before session 50)
/// against the whole document read with the most central by their words encoded (<c>SummaryCandidates</c>), rounds
/// interleaved, the encoder's cache off so every round encodes; medians, and what each summary says.
/// </summary>
internal static class SummaryBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var rounds = BenchSupport.Option(args, "--rounds", 5);
        var files = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal) && File.Exists(a)).ToList();
        if (files.Count == 0)
        {
            Console.Error.WriteLine("usage: Annotate.Bench summary FILE... [--rounds R] [--candidates N,M]");
            return 2;
        }
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Annotate:Embedding:CacheEntries"] = "0" }).Build())
            .AddLogging(b => b.SetMinimumLevel(LogLevel.Warning))
            .AddAnnotators();
        await using var provider = services.BuildServiceProvider();
        var embedder = provider.GetRequiredService<ITextEmbedder>();
        var detector = provider.GetRequiredService<FormatDetector>();
        var readers = provider.GetServices<IDocumentReader>().ToList();
        embedder.Embed(["warm up"]);

        (string Name, SemanticOptions Options)[] variants =
        [
            ("first 150, all encoded", new SemanticOptions { SummaryReadSentences = 150, SummaryCandidates = 150 }),
            ("whole, 32 encoded (default)", new SemanticOptions()),
            .. BenchSupport.Option(args, "--candidates") is { } candidates
                ? candidates.Split(',').Select(c => ($"whole, {c} encoded", new SemanticOptions { SummaryCandidates = int.Parse(c, CultureInfo.InvariantCulture) }))
                : [],
        ];
        Console.WriteLine("| file | variant | read | compared | median ms | summary (start) |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var file in files)
        {
            var source = new DocumentSource(file, Path.GetFileName(file));
            var format = detector.Detect(source);
            var document = await readers.First(r => r.Format == format).ReadAsync(source, CancellationToken.None);
            var times = variants.Select(_ => new List<double>()).ToArray();
            var last = new ExtractiveSummary?[variants.Length];
            for (var round = 0; round < rounds + 1; round++)
            {
                // Each round in the other order, the first a warm-up (JIT, the regexes).
                foreach (var v in round % 2 == 0 ? Enumerable.Range(0, variants.Length) : Enumerable.Range(0, variants.Length).Reverse())
                {
                    var annotator = new ExtractiveSummaryAnnotator(embedder, Options.Create(variants[v].Options));
                    var context = new AnnotationContext("bench", document, new AnnotationProfile());
                    var clock = Stopwatch.StartNew();
                    await annotator.AnnotateAsync(context, CancellationToken.None);
                    clock.Stop();
                    if (round > 0)
                    {
                        times[v].Add(clock.Elapsed.TotalMilliseconds);
                    }
                    last[v] = context.Annotations.Summary;
                }
            }
            // The words' part of it: the whole document's sentences ranked by their TF-IDF centrality.
            var texts = DocumentSentences.Read(document, new SemanticOptions().SummaryReadSentences, CancellationToken.None).Select(s => s.Text).ToList();
            var lexical = new List<double>();
            for (var round = 0; round < rounds; round++)
            {
                var clock = Stopwatch.StartNew();
                LexicalCentrality.Ranked(texts, CancellationToken.None);
                lexical.Add(clock.Elapsed.TotalMilliseconds);
            }
            Console.WriteLine($"| {Path.GetFileName(file)} | words' centrality of {texts.Count} sentences | | | {BenchSupport.Median(lexical):F0} | |");
            for (var v = 0; v < variants.Length; v++)
            {
                var summary = last[v];
                var start = summary is null ? "(none)" : summary.Text.Length > 400 ? summary.Text[..400] + "…" : summary.Text;
                Console.WriteLine($"| {Path.GetFileName(file)} | {variants[v].Name} | {summary?.SentencesRead} | {summary?.SentencesCompared} | {BenchSupport.Median(times[v]):F0} | {start.Replace('|', '¦').Replace('\n', ' ')} |");
            }
        }
        return 0;
    }
}
