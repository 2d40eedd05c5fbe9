using Annotate.Annotators.Annotations;
using Annotate.Annotators.Embeddings;
using Annotate.Annotators.Profiles;
using Annotate.Annotators.Readers;
using Annotate.Annotators.Readers.Text;
using Annotate.Annotators.Semantic;
using Annotate.Hosting.Blobs;
using Annotate.Worker.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Annotate.Worker.Tests.Storage;

/// <summary>Near-duplicates through the shared blob store, with the real sentence encoder and real Markdown reading.</summary>
public sealed class BlobDocumentVectorIndexTests : IDisposable
{
    private const string Report = """
        # Quarterly maintenance report – warehouse Hamburg

        During the third quarter the maintenance team inspected all forklifts, conveyor belts and the sprinkler system.
        Two forklifts needed new brake pads; one conveyor motor was replaced after it overheated on 14 August.
        The sprinkler pressure test passed. The fire doors on the north side close too slowly and will be adjusted in October.
        Spending was EUR 18,400, about 8 percent below the budget for the quarter.
        The team recommends replacing the oldest forklift next year, as repair costs now exceed its residual value.
        """;

    private readonly string _root = Path.Combine(Path.GetTempPath(), "annotate-vector-index-tests", Guid.NewGuid().ToString("N"));
    private readonly FileSystemBlobStore _blobs;
    private readonly MiniLmTextEmbedder _embedder = new(Options.Create(new EmbeddingOptions()), NullLogger<MiniLmTextEmbedder>.Instance);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 6, 2, 8, 0, 0, TimeSpan.Zero));

    public BlobDocumentVectorIndexTests()
    {
        _blobs = TestBlobStores.Under(_root);
    }

    public void Dispose()
    {
        _embedder.Dispose();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private DuplicateAnnotator Annotator(IDocumentVectorIndex index) =>
        new(_embedder, Options.Create(new SemanticOptions()), _time, [index]);

    private async Task<DuplicateAnnotation?> Annotate(DuplicateAnnotator annotator, string id, string markdown, string? sha256 = null)
    {
        var path = Path.Combine(_root, id + ".md");
        Directory.CreateDirectory(_root);
        await File.WriteAllTextAsync(path, markdown);
        var document = await new MarkdownReader().ReadAsync(new DocumentSource(path, id + ".md"), CancellationToken.None);
        var context = new AnnotationContext(id, document with { Sha256 = sha256 ?? Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path))) },
            new AnnotationProfile { Name = "reports" });
        Assert.Equal(AnnotatorOutcome.Done, await annotator.AnnotateAsync(context, CancellationToken.None));
        _time.Advance(TimeSpan.FromSeconds(1));
        return context.Annotations.DuplicateOf;
    }

    [Fact]
    public async Task A_lightly_edited_copy_is_a_near_duplicate_of_the_earlier_document_and_an_unrelated_one_is_not()
    {
        var annotator = Annotator(new BlobDocumentVectorIndex(_blobs));
        var edited = Report.Replace("EUR 18,400", "EUR 18,450").Replace("in October", "early in October").Replace("Two forklifts", "Two of the forklifts");

        var first = await Annotate(annotator, "report-q3", Report);
        var copy = await Annotate(annotator, "report-q3-v2", edited);
        var unrelated = await Annotate(annotator, "offer", """
            # Catering offer for the summer party
            We are pleased to offer a buffet for 120 guests with vegetarian options, drinks and service staff.
            The price is EUR 42 per person including delivery and setup on 21 June.
            """);

        Assert.Null(first);
        Assert.NotNull(copy);
        Assert.Equal("near", copy.Kind);
        Assert.Equal("report-q3", copy.DocumentId);
        Assert.InRange(copy.Similarity, 0.95, 1.0);
        Assert.Equal(1, copy.Compared);
        Assert.Equal(0, copy.Location!.Block);
        Assert.Null(unrelated);
    }

    [Fact]
    public async Task The_same_bytes_are_an_exact_duplicate_of_the_first_document_that_had_them_and_a_document_never_matches_itself()
    {
        var annotator = Annotator(new BlobDocumentVectorIndex(_blobs));

        await Annotate(annotator, "a", Report);
        await Annotate(annotator, "b", Report);
        var third = await Annotate(annotator, "c", Report);
        var again = await Annotate(annotator, "a", Report + "\nAppendix: none.");

        Assert.Equal("exact", third!.Kind);
        Assert.Equal("a", third.DocumentId);
        Assert.Equal(1.0, third.Similarity);
        // "a" annotated again is compared with b and c, never with its own earlier entry.
        Assert.NotNull(again);
        Assert.NotEqual("a", again.DocumentId);
    }

    [Fact]
    public async Task Two_workers_recording_at_once_lose_no_entry_and_each_sees_only_what_came_before_it()
    {
        var vector = _embedder.Embed(["Invoice for consulting services"])[0];
        var workers = new[] { new BlobDocumentVectorIndex(_blobs), new BlobDocumentVectorIndex(_blobs) };
        var start = new DateTimeOffset(2025, 6, 2, 9, 0, 0, TimeSpan.Zero);

        var results = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(() => workers[i % 2].AddAndReadEarlierAsync("invoices",
            new IndexedDocument($"doc-{i:D2}", null, vector, start.AddMilliseconds(i)), CancellationToken.None))));

        var stored = new List<string>();
        await foreach (var item in _blobs.ListAsync("results/vectors/invoices/", CancellationToken.None))
        {
            stored.Add(item.Key);
        }
        Assert.Equal(40, stored.Count);
        for (var i = 0; i < 40; i++)
        {
            // Everything it saw came before it; later documents are never "earlier".
            Assert.All(results[i], e => Assert.True(e.Added < start.AddMilliseconds(i)));
        }
        var last = await new BlobDocumentVectorIndex(_blobs).AddAndReadEarlierAsync("invoices",
            new IndexedDocument("doc-last", null, vector, start.AddSeconds(1)), CancellationToken.None);
        Assert.Equal(40, last.Count);
        Assert.Equal("doc-39", last[0].DocumentId);
        Assert.Equal(vector, last[0].Vector);
    }
    [Fact]
    public async Task Entries_of_several_days_and_hours_are_compared_the_most_recent_first_each_in_its_hours_folder()
    {
        var vector = _embedder.Embed(["Invoice for consulting services"])[0];
        var times = new[] { "2025-06-01T22:59:59Z", "2025-06-01T23:00:00Z", "2025-06-02T00:15:00Z", "2025-06-02T09:30:00Z", "2025-06-02T09:31:00Z" }
            .Select(t => DateTimeOffset.Parse(t, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var index = new BlobDocumentVectorIndex(_blobs);
        for (var i = 0; i < times.Count; i++)
        {
            var earlier = await index.AddAndReadEarlierAsync("invoices", new IndexedDocument($"doc-{i}", null, vector, times[i]), CancellationToken.None);
            Assert.Equal(Enumerable.Range(0, i).Reverse().Select(n => $"doc-{n}"), earlier.Select(e => e.DocumentId));
        }

        var stored = new List<string>();
        await foreach (var item in _blobs.ListAsync("results/vectors/invoices/", CancellationToken.None))
        {
            stored.Add(item.Key[..item.Key.LastIndexOf('/')]);
        }
        Assert.Equal(["results/vectors/invoices/2025-06-01/22", "results/vectors/invoices/2025-06-01/23", "results/vectors/invoices/2025-06-02/00",
            "results/vectors/invoices/2025-06-02/09", "results/vectors/invoices/2025-06-02/09"], stored.Order(StringComparer.Ordinal));
        // Another worker, started afresh, reads them all from the store.
        var last = await new BlobDocumentVectorIndex(_blobs).AddAndReadEarlierAsync("invoices",
            new IndexedDocument("doc-last", null, vector, times[^1].AddMinutes(1)), CancellationToken.None);
        Assert.Equal(["doc-4", "doc-3", "doc-2", "doc-1", "doc-0"], last.Select(e => e.DocumentId));
    }

    [Fact]
    public async Task Entries_written_in_the_earlier_flat_layout_are_still_compared_after_the_hours()
    {
        var vector = _embedder.Embed(["Invoice for consulting services"])[0];
        var old = new DateTimeOffset(2025, 5, 1, 8, 0, 0, TimeSpan.Zero);
        // As the index wrote entries before its hours' folders: right in the profile's folder.
        var flat = Path.Combine(_root, "results", "vectors", "invoices");
        Directory.CreateDirectory(flat);
        await File.WriteAllTextAsync(Path.Combine(flat, $"{old.UtcTicks:D19}-doc-old.json"),
            $$"""{"documentId":"doc-old","sha256":null,"added":"{{old:O}}","vector":"{{Convert.ToBase64String(System.Runtime.InteropServices.MemoryMarshal.AsBytes(vector.AsSpan()))}}"}""");
        var index = new BlobDocumentVectorIndex(_blobs);

        await index.AddAndReadEarlierAsync("invoices", new IndexedDocument("doc-new", null, vector, old.AddDays(30)), CancellationToken.None);
        var earlier = await index.AddAndReadEarlierAsync("invoices", new IndexedDocument("doc-newer", null, vector, old.AddDays(31)), CancellationToken.None);

        Assert.Equal(["doc-new", "doc-old"], earlier.Select(e => e.DocumentId));
        Assert.Equal(vector, earlier[1].Vector);
    }

    [Fact]
    public async Task An_hour_is_listed_at_each_document_until_it_has_settled_then_no_more_and_other_workers_entries_are_seen_meanwhile()
    {
        var vector = _embedder.Embed(["Invoice for consulting services"])[0];
        var store = new CountingBlobStore(_blobs);
        var index = new BlobDocumentVectorIndex(store);
        var other = new BlobDocumentVectorIndex(_blobs);
        var day = new DateTimeOffset(2025, 6, 2, 0, 0, 0, TimeSpan.Zero);
        async Task<List<string>> Add(BlobDocumentVectorIndex worker, string id, int hour, int minute) =>
            (await worker.AddAndReadEarlierAsync("invoices", new IndexedDocument(id, null, vector, day.AddHours(hour).AddMinutes(minute)), CancellationToken.None))
                .Select(e => e.DocumentId).ToList();

        await Add(index, "a", 9, 10);
        await Add(index, "b", 9, 50);
        // 10:05: the ninth hour may still be written to by a worker whose clock is behind, so it is listed again.
        await Add(other, "late", 9, 58);
        Assert.Equal(["late", "b", "a"], await Add(index, "c", 10, 5));
        Assert.Equal(["c", "late", "b", "a"], await Add(index, "d", 10, 30));
        await Add(other, "e", 10, 45);
        Assert.Equal(["e", "d", "c", "late", "b", "a"], await Add(index, "f", 10, 50));

        // Listed at a, b, c and d (settled at 10:10, listed once more at 10:30 and kept); the tenth hour at each of its documents.
        Assert.Equal(4, store.Listed("results/vectors/invoices/2025-06-02/09/"));
        Assert.Equal(3, store.Listed("results/vectors/invoices/2025-06-02/10/"));
    }

    /// <summary>A blob store that counts the listings of each prefix.</summary>
    private sealed class CountingBlobStore(IBlobStore inner) : IBlobStore
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _listed = new(StringComparer.Ordinal);

        public int Listed(string prefix) => _listed.GetValueOrDefault(prefix);

        public Task PutAsync(string key, Stream content, CancellationToken cancellationToken) => inner.PutAsync(key, content, cancellationToken);

        public Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken) => inner.OpenReadAsync(key, cancellationToken);

        public Task<BlobItem?> StatAsync(string key, CancellationToken cancellationToken) => inner.StatAsync(key, cancellationToken);

        public Task<bool> DeleteAsync(string key, CancellationToken cancellationToken) => inner.DeleteAsync(key, cancellationToken);

        public IAsyncEnumerable<BlobItem> ListAsync(string prefix, CancellationToken cancellationToken)
        {
            _listed.AddOrUpdate(prefix, 1, (_, n) => n + 1);
            return inner.ListAsync(prefix, cancellationToken);
        }

        public IAsyncEnumerable<string> ListFoldersAsync(string prefix, CancellationToken cancellationToken) => inner.ListFoldersAsync(prefix, cancellationToken);
    }
}
