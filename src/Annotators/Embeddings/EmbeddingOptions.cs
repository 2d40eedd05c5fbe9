using System.ComponentModel.DataAnnotations;

namespace Annotate.Annotators.Embeddings;

/// <summary>Settings of the embedded sentence encoder (configuration section <c>Annotate:Embedding</c>).</summary>
public sealed class EmbeddingOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Annotate:Embedding";

    /// <summary>Texts encoded in one call to the encoder. Larger batches encode more per second up to the cores' limit. Default 32.</summary>
    [Range(1, 1024)]
    public int BatchSize { get; set; } = 32;

    /// <summary>
    /// Most word pieces in one call, padding included (texts × the longest text's pieces): the encoder's working memory
    /// grows with it (a call's attention scores alone are calls × 12 heads × pieces² floats), so long windows go 2 to a
    /// call while short sentences still go up to <see cref="BatchSize"/> at a time. A text longer than this goes alone.
    /// Smaller calls of long windows are also faster here (docs/BENCHMARKS.md, <i>Smaller encoder calls</i>). Default 512.
    /// </summary>
    [Range(16, 1_048_576)]
    public int MaxBatchTokens { get; set; } = 512;

    /// <summary>
    /// Word pieces in one window of a long text, [CLS] and [SEP] included. all-MiniLM-L6-v2 was trained on 128 and
    /// truncates at 256; a longer text is split into windows of this size whose vectors are averaged. Default 256.
    /// </summary>
    [Range(16, 256)]
    public int MaxSequenceTokens { get; set; } = 256;

    /// <summary>Vectors kept in memory, keyed by a hash of their text, so a text is never encoded twice (about 1.5 KB each). 0 turns the cache off. Default 20,000.</summary>
    [Range(0, 10_000_000)]
    public int CacheEntries { get; set; } = 20_000;

    /// <summary>Threads the encoder uses for one batch; 0 lets ONNX Runtime choose (one per core). Default 0.</summary>
    [Range(0, 256)]
    public int Threads { get; set; }

    /// <summary>
    /// Whether ONNX Runtime runs the encoder with a memory arena (and plans buffers by a memory pattern): a batch's
    /// tensors reuse the arena's buffers, and the arena is shrunk after each batch, so its memory goes back between
    /// batches. Off, every tensor is allocated and freed on its own: the same vectors and memory, about twice the time
    /// (docs/BENCHMARKS.md, <i>The encoder's memory arena</i>). Default true.
    /// </summary>
    public bool MemoryArena { get; set; } = true;

    /// <summary>
    /// Whether ONNX Runtime keeps a second, pre-packed copy of the encoder's matrix weights for its matrix kernels. The
    /// copy (about 45 MiB beside the model's 90) is held for the encoder's life; without it a call of one short text
    /// takes about a third longer, a call of many sentences a sixth, a call of long windows a few percent
    /// (docs/BENCHMARKS.md, <i>The encoder's packed weights</i>). Default false.
    /// </summary>
    public bool PrepackWeights { get; set; }

    /// <summary>
    /// How the encoder's matrix weights are held: <see cref="EncoderPrecision.Float32"/> as the model ships, or
    /// <see cref="EncoderPrecision.Int8"/>, quantized as the model loads (a scale per column, each layer's input quantized
    /// as it comes): about 1.4 times the sentences per second on these cores and a quarter of the weights' bytes, for
    /// vectors within about 0.99 cosine of the 32-bit ones, so a score near a threshold (a label's key, a duplicate, a
    /// document type) may come out the other side (docs/BENCHMARKS.md, <i>An 8-bit sentence encoder</i>). Default Float32.
    /// </summary>
    [EnumDataType(typeof(EncoderPrecision))]
    public EncoderPrecision Precision { get; set; } = EncoderPrecision.Float32;
}
