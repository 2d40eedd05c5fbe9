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
}
