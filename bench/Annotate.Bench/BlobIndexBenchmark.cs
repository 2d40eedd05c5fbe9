using System.Diagnostics;
using System.Globalization;
using Annotate.Annotators.Semantic;
using Annotate.Hosting.Blobs;
using Annotate.Worker.Storage;
using Microsoft.Extensions.Options;

namespace Annotate.Bench;

/// <summary>
/// What a document's duplicate check and a purge cost as the blob store fills (issue 12: the soak). A temporary store is
/// filled with the records a document leaves under <c>results/</c> (its outcome, its earlier-result record by content,
/// its vector under the profile) and an output folder each, in steps; at each size the time of the vector index's
/// <c>AddAndReadEarlierAsync</c> for one more document (its listing of the profile's vectors, the comparison read from
/// memory) and of listing one document's outputs (what the purge does for each expired document), medians.
/// </summary>
internal static class BlobIndexBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var sizes = (BenchSupport.Option(args, "--documents") ?? "1000,5000,20000").Split(',').Select(int.Parse).ToList();
        var rounds = BenchSupport.Option(args, "--rounds", 5);
        var root = Path.Combine(Path.GetTempPath(), "annotate-bench-blobs-" + Guid.NewGuid().ToString("N"));
        try
        {
            var store = new FileSystemBlobStore(Options.Create(new BlobStoreOptions
            {
                Sources = Path.Combine(root, "blobs"),
                Content = Path.Combine(root, "content"),
                Outputs = Path.Combine(root, "outbox"),
                Results = Path.Combine(root, "results"),
            }));
            var index = new BlobDocumentVectorIndex(store);
            var vector = Enumerable.Range(0, 384).Select(i => (float)Math.Sin(i)).ToArray();
            var filled = 0;
            var added = DateTimeOffset.UnixEpoch;
            Console.WriteLine("| documents in the store | vector index, one more document, ms (median) | one document's outputs listed, ms (median) |");
            Console.WriteLine("|---|---|---|");
            foreach (var size in sizes)
            {
                for (; filled < size; filled++)
                {
                    var id = $"doc-{filled:D7}";
                    var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(filled)));
                    Write(store, $"{BlobKeys.Results}/documents/{id}.json");
                    Write(store, $"{BlobKeys.Results}/content/{hash}/p-m.json");
                    Write(store, $"{BlobKeys.OutputPrefix(id)}annotations.json");
                    Write(store, $"{BlobKeys.OutputPrefix(id)}content.md");
                    added = added.AddSeconds(1);
                    // Written by the index itself, as a document's duplicate check writes it (the listing it does is what is timed below).
                    // In the index's layout (a folder a day and an hour, UTC), one document a second.
                    var hour = Path.Combine(root, "results", "vectors", "default", added.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), added.ToString("HH", CultureInfo.InvariantCulture));
                    Directory.CreateDirectory(hour);
                    File.WriteAllText(Path.Combine(hour, $"{added.UtcTicks:D19}-{id}.json"),
                        $$"""{"documentId":"{{id}}","sha256":"{{hash}}","added":"{{added:O}}","vector":"{{Convert.ToBase64String(System.Runtime.InteropServices.MemoryMarshal.AsBytes(vector.AsSpan()))}}"}""");
                }
                var indexTimes = new List<double>();
                var listTimes = new List<double>();
                for (var round = 0; round < rounds; round++)
                {
                    added = added.AddSeconds(1);
                    var clock = Stopwatch.StartNew();
                    var earlier = await index.AddAndReadEarlierAsync("default", new IndexedDocument($"probe-{size}-{round}", null, vector, added), CancellationToken.None);
                    indexTimes.Add(clock.Elapsed.TotalMilliseconds);
                    filled++;
                    if (earlier.Count < Math.Min(size, BlobDocumentVectorIndex.MaxCompared))
                    {
                        throw new InvalidOperationException($"the index returned {earlier.Count} earlier documents of {size}");
                    }
                    clock.Restart();
                    var outputs = 0;
                    await foreach (var _ in store.ListAsync(BlobKeys.OutputPrefix($"doc-{round * 7 % size:D7}"), CancellationToken.None))
                    {
                        outputs++;
                    }
                    listTimes.Add(clock.Elapsed.TotalMilliseconds);
                    if (outputs != 2)
                    {
                        throw new InvalidOperationException($"listed {outputs} outputs of one document, not 2");
                    }
                }
                Console.WriteLine($"| {size:N0} | {BenchSupport.Median(indexTimes):F1} | {BenchSupport.Median(listTimes):F1} |");
            }
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    // Written directly rather than through PutAsync, whose flush to disk for each of 80,000 files would take minutes.
    private static void Write(FileSystemBlobStore store, string key)
    {
        var path = store.LocalPath(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "{}");
    }
}
