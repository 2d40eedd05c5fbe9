using System.Diagnostics;
using System.Globalization;
using Annotate.Annotators;
using Annotate.Annotators.Embeddings;
using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Readers;
using Annotate.Annotators.Semantic;
using Annotate.Hosting;
using Annotate.Worker.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Annotate.Bench;

/// <summary>
/// The embedded sentence encoder: memory it takes once loaded, sentences encoded per second at batch sizes 1, 16
/// and 64 (cache off, every sentence distinct), and the share of end-to-end pipeline time (no language model) the
/// embedding annotators take on every file of the shared corpus.
/// </summary>
internal static class EmbeddingBenchmark
{
    private static readonly string[] Subjects = ["The supplier", "Our customer", "The finance team", "The auditor", "The project lead", "The warehouse", "The board", "The contractor"];
    private static readonly string[] Verbs = ["approved", "rejected", "postponed", "reviewed", "signed", "questioned", "paid", "revised"];
    private static readonly string[] Objects = ["the invoice for consulting services", "the purchase order for office chairs", "the maintenance contract", "the quarterly budget", "the delivery schedule", "the travel expense claim", "the price list for next year", "the meeting minutes"];

    public static async Task<int> RunAsync(string[] args)
    {
        var corpusAt = Array.IndexOf(args, "--corpus");
        var corpus = corpusAt >= 0 && corpusAt + 1 < args.Length ? args[corpusAt + 1] : Path.Combine("..", "shared", "corpus");
        // --chunks: every document also under a profile with ChunkEmbeddings (embeddings.jsonl); --corpus-only: no encoder rates.
        var chunks = args.Contains("--chunks");
        if (args.Contains("--corpus-only"))
        {
            await Corpus(corpus, chunks);
            return 0;
        }
        if (args.Contains("--settings"))
        {
            // --precision: only the default against the 8-bit encoder (weights packed or not).
            Settings(args.Contains("--precision"));
            return 0;
        }
        var sentences = Sentences().ToList();

        var before = Memory();
        using (var embedder = new MiniLmTextEmbedder(Options.Create(new EmbeddingOptions { CacheEntries = 0, BatchSize = 64 }), NullLogger<MiniLmTextEmbedder>.Instance))
        {
            var load = Stopwatch.StartNew();
            embedder.Embed(["warm up"]);
            load.Stop();
            var after = Memory();
            Console.WriteLine($"encoder: loaded and first sentence in {load.Elapsed.TotalSeconds:F2} s; working set +{(after.WorkingSet - before.WorkingSet) / 1048576.0:N0} MB, managed heap +{(after.Managed - before.Managed) / 1048576.0:N0} MB");
        }

        Console.WriteLine();
        Console.WriteLine("| batch | sentences | seconds | sentences/s |");
        Console.WriteLine("|---|---|---|---|");
        var offset = 0;
        foreach (var (batch, count) in new[] { (1, 64), (16, 256), (64, 512) })
        {
            using var embedder = new MiniLmTextEmbedder(Options.Create(new EmbeddingOptions { CacheEntries = 0, BatchSize = batch }), NullLogger<MiniLmTextEmbedder>.Instance);
            embedder.Embed(["warm up"]);
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < count; i += batch)
            {
                embedder.Embed(sentences.GetRange(offset + i, batch));
            }
            clock.Stop();
            offset += count;
            Console.WriteLine($"| {batch} | {count} | {clock.Elapsed.TotalSeconds:F2} | {count / clock.Elapsed.TotalSeconds:N1} |");
        }

        await Corpus(corpus, chunks);
        return 0;
    }

    private static async Task Corpus(string corpus, bool chunks)
    {
        var files = Directory.EnumerateFiles(corpus, "*", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith("README.md", StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal).ToList();
        var folder = Path.Combine(Path.GetTempPath(), "annotate-bench-embedding-" + Guid.NewGuid().ToString("N"));
        try
        {
            var settings = new Dictionary<string, string?>
            {
                ["Annotate:Blobs:Sources"] = Path.Combine(folder, "blobs"),
                ["Annotate:Blobs:Content"] = Path.Combine(folder, "content"),
                ["Annotate:Blobs:Outputs"] = Path.Combine(folder, "outbox"),
                ["Annotate:Blobs:Results"] = Path.Combine(folder, "results"),
            };
            if (chunks)
            {
                settings["Annotate:Profiles:bench:ChunkEmbeddings"] = "true";
                settings["Annotate:Semantic:KeywordsByDefault"] = "true";
            }
            var profile = chunks ? "bench" : null;
            var services = new ServiceCollection()
                .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build())
                .AddLogging(b => b.SetMinimumLevel(LogLevel.Warning))
                .AddAnnotators()
                .AddAnnotateBlobStore();
            services.TryAddSingleton<IDocumentVectorIndex, BlobDocumentVectorIndex>();
            await using var provider = services.BuildServiceProvider();
            var pipeline = provider.GetRequiredService<IDocumentPipeline>();
            // Warm up (encoder load, Lingua, JIT, the cached type descriptions) so the figures are steady-state work;
            // each corpus file is distinct, so its own text is encoded in full.
            await pipeline.RunAsync(new AnnotationRequest { DocumentId = "warm", Source = new DocumentSource(files[0], Path.GetFileName(files[0])), OutputDirectory = Path.Combine(folder, "out-warm"), Profile = profile }, CancellationToken.None);

            string[] embedding = [DocumentTypeAnnotator.AnnotatorName, KeywordAnnotator.AnnotatorName, ExtractiveSummaryAnnotator.AnnotatorName, DuplicateAnnotator.AnnotatorName,
                ColumnTypeAnnotator.AnnotatorName, ChunkEmbeddingAnnotator.AnnotatorName];
            var perAnnotator = embedding.ToDictionary(n => n, _ => 0.0);
            var total = 0.0;
            Console.WriteLine();
            Console.WriteLine("| file | end to end s | embedding annotators s | share |");
            Console.WriteLine("|---|---|---|---|");
            foreach (var (file, i) in files.Select((f, i) => (f, i)))
            {
                var clock = Stopwatch.StartNew();
                var result = await pipeline.RunAsync(new AnnotationRequest
                {
                    DocumentId = $"doc-{i}",
                    Source = new DocumentSource(file, Path.GetFileName(file)),
                    OutputDirectory = Path.Combine(folder, $"out-{i}"),
                    Profile = profile,
                }, CancellationToken.None);
                clock.Stop();
                var spent = result.Annotations.Runs.Where(r => embedding.Contains(r.Name)).Sum(r => r.DurationMs) / 1000;
                foreach (var run in result.Annotations.Runs.Where(r => embedding.Contains(r.Name)))
                {
                    perAnnotator[run.Name] += run.DurationMs / 1000;
                }
                total += clock.Elapsed.TotalSeconds;
                Console.WriteLine($"| {Path.GetRelativePath(corpus, file)} | {clock.Elapsed.TotalSeconds:F2} | {spent:F2} | {spent / clock.Elapsed.TotalSeconds:P0} |");
            }
            var embeddingTotal = perAnnotator.Values.Sum();
            Console.WriteLine($"| **all {files.Count} files** | {total:F2} | {embeddingTotal:F2} | {embeddingTotal / total:P0} |");
            Console.WriteLine();
            Console.WriteLine(string.Join("; ", perAnnotator.Select(p => $"{p.Key} {p.Value:F2} s")));
            if (chunks)
            {
                var lines = Directory.EnumerateFiles(folder, "embeddings.jsonl", SearchOption.AllDirectories).Sum(f => File.ReadLines(f).LongCount());
                Console.WriteLine($"embeddings.jsonl: {lines:N0} chunks over the {files.Count} files");
            }
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    /// <summary>
    /// The encoder's settings side by side on what a document costs it: one call with a document's head (2,000
    /// characters, split into windows of 256 word pieces) and its skeleton, as <c>document-type</c> makes, every text
    /// distinct. Each setting has its own encoder; rounds take the settings in turn and the median call is reported.
    /// </summary>
    private const string TrimmedSide = "default, the weights' pages given back before each document";

    private static void Settings(bool precision)
    {
        (string Name, EmbeddingOptions Options)[] sides = precision
        ?
        [
            ("32-bit weights (the default)", new EmbeddingOptions { CacheEntries = 0 }),
            ("8-bit weights", new EmbeddingOptions { CacheEntries = 0, Precision = EncoderPrecision.Int8 }),
            ("8-bit weights, packed", new EmbeddingOptions { CacheEntries = 0, Precision = EncoderPrecision.Int8, PrepackWeights = true }),
        ]
        :
        [
            ("no arena, threads per core", new EmbeddingOptions { CacheEntries = 0, MemoryArena = false }),
            ("arena shrunk after each batch, threads per core", new EmbeddingOptions { CacheEntries = 0, MemoryArena = true }),
            ("the same, weights packed", new EmbeddingOptions { CacheEntries = 0, MemoryArena = true, PrepackWeights = true }),
            ("the same, 1,024 word pieces a call", new EmbeddingOptions { CacheEntries = 0, MemoryArena = true, MaxBatchTokens = 1_024 }),
            ("the same, 512 word pieces a call", new EmbeddingOptions { CacheEntries = 0, MemoryArena = true, MaxBatchTokens = 512 }),
            ("the same, 256 word pieces a call", new EmbeddingOptions { CacheEntries = 0, MemoryArena = true, MaxBatchTokens = 256 }),
            // As the next document after an idle child's trim: the mapped weights given back before each document's call.
            (TrimmedSide, new EmbeddingOptions { CacheEntries = 0, MemoryArena = true }),
        ];
        var embedders = sides.Select(s => new MiniLmTextEmbedder(Options.Create(s.Options), NullLogger<MiniLmTextEmbedder>.Instance)).ToList();
        try
        {
            var sentences = Sentences().ToList();
            var n = 0;
            string[] Document()
            {
                var head = new System.Text.StringBuilder();
                while (head.Length < 2_000)
                {
                    head.Append(sentences[n++ % sentences.Count]).Append(' ');
                }
                return [head.ToString(0, 2_000), $"Invoice {n}\nTotal\nDue date\nReference {n}"];
            }
            foreach (var embedder in embedders)
            {
                embedder.Embed(Document());
                embedder.Embed(Document());
            }
            var times = sides.Select(_ => new List<double>()).ToList();
            // And one short text a call, as a label or a heading is encoded when it is the only new text of a document.
            var shortTimes = sides.Select(_ => new List<double>()).ToList();
            // And sentences many at a time, as the summary and the key-value labels are encoded.
            var sentenceTimes = sides.Select(_ => new List<double>()).ToList();
            const int ManySentences = 96;
            const int Rounds = 15;
            const int ShortCalls = 20;
            for (var round = 0; round < Rounds; round++)
            {
                for (var k = 0; k < sides.Length; k++)
                {
                    var side = (k + round) % sides.Length;
                    var texts = Document();
                    if (sides[side].Name == TrimmedSide)
                    {
                        embedders[side].TrimResident();
                    }
                    var clock = Stopwatch.StartNew();
                    embedders[side].Embed(texts);
                    times[side].Add(clock.Elapsed.TotalMilliseconds);
                    clock.Restart();
                    for (var call = 0; call < ShortCalls; call++)
                    {
                        embedders[side].Embed([sentences[n++ % sentences.Count]]);
                    }
                    shortTimes[side].Add(clock.Elapsed.TotalMilliseconds / ShortCalls);
                    var many = Enumerable.Range(0, ManySentences).Select(_ => sentences[n++ % sentences.Count]).ToArray();
                    clock.Restart();
                    embedders[side].Embed(many);
                    sentenceTimes[side].Add(clock.Elapsed.TotalMilliseconds);
                }
            }
            Console.WriteLine($"| setting | ms per document, median of {Rounds} | fastest | slowest | ms per call of one sentence, median | ms per call of {ManySentences} sentences, median |");
            Console.WriteLine("|---|---|---|---|---|---|");
            for (var k = 0; k < sides.Length; k++)
            {
                var sorted = times[k].Order().ToList();
                var shortSorted = shortTimes[k].Order().ToList();
                var manySorted = sentenceTimes[k].Order().ToList();
                Console.WriteLine($"| {sides[k].Name} | {sorted[sorted.Count / 2]:F1} | {sorted[0]:F1} | {sorted[^1]:F1} | {shortSorted[shortSorted.Count / 2]:F2} | {manySorted[manySorted.Count / 2]:F1} |");
            }
        }
        finally
        {
            embedders.ForEach(e => e.Dispose());
        }
    }

    private static IEnumerable<string> Sentences()
    {
        var n = 0;
        for (var round = 0; round < 2; round++)
        {
        foreach (var s in Subjects)
        {
            foreach (var v in Verbs)
            {
                foreach (var o in Objects)
                {
                    yield return $"{s} {v} {o} on {1 + (n % 28)} {(round == 0 ? "March" : "October")}, reference {1000 + n++}.";
                }
            }
        }
        }
    }

    private static (long WorkingSet, long Managed) Memory()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return (process.WorkingSet64, GC.GetTotalMemory(forceFullCollection: true));
    }
}
