using System.Diagnostics;
using Annotate.Annotators.Models;
using Annotate.Annotators.Tests.Support;
using LLama;
using LLama.Common;
using LLama.Native;
using LLama.Sampling;

namespace Annotate.Annotators.Tests.Models.Support;

/// <summary>
/// A plain, one-request-at-a-time <see cref="ILanguageModel"/> over LLamaSharp for tests of code that needs a real model.
/// It stands in until the batched model host exists. Sampling uses llama.cpp's grammar sampler with
/// <see cref="DefaultSamplingPipeline.GrammarOptimizationMode.Extended"/>: the grammar is applied to the top-K candidates
/// first and to the whole vocabulary only when none of them fits.
/// </summary>
public sealed class DirectLlamaModel : ILanguageModel, IDisposable
{
    private const int ContextSize = 512;
    private readonly LLamaWeights _weights;
    private readonly LLamaContext _context;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private uint _requests;

    public DirectLlamaModel(string path)
    {
        var parameters = new ModelParams(path) { ContextSize = ContextSize, Threads = 1, BatchThreads = 1, BatchSize = ContextSize };
        _weights = LLamaWeights.LoadFromFile(parameters);
        _context = _weights.CreateContext(parameters);
        Status = new ModelStatus { IsAvailable = true, State = "ready", Path = path, Name = Path.GetFileName(path), ContextSize = ContextSize };
    }

    /// <summary>Loads the shared stories260K test model.</summary>
    public static DirectLlamaModel LoadTestModel() => new(TestFiles.Model);

    /// <summary>Sampling temperature; 0 decodes greedily.</summary>
    public float Temperature { get; set; }

    /// <summary>Seed of the first request; each later request uses the next seed so repeated prompts still vary.</summary>
    public uint Seed { get; set; } = 42;

    public LLamaWeights Weights => _weights;

    public ModelStatus Status { get; }

    public int CountTokens(string text) => _context.Tokenize(text, addBos: false, special: false).Length;

    public async Task<ModelCompletion> CompleteAsync(ModelRequest request, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return Complete(request, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    private ModelCompletion Complete(ModelRequest request, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        if (request.Grammar is not null && !LlamaGrammarCheck.Accepts(_weights, request.Grammar))
        {
            // A rejected grammar would otherwise become a null sampler that crashes the process on first use.
            throw new ArgumentException("llama.cpp rejected the request's GBNF grammar (its log says why).", nameof(request));
        }
        var maxTokens = request.MaxTokens ?? 256;
        var prompt = _context.Tokenize($"{request.System}\n\n{request.User}\n", addBos: true, special: true);
        // Keep the end of an over-long prompt: the question is usually last.
        var room = ContextSize - maxTokens;
        if (prompt.Length > room)
        {
            prompt = prompt[^Math.Max(room, 1)..];
        }
        _context.NativeHandle.MemoryClear(true);

        using var sampler = new DefaultSamplingPipeline
        {
            Grammar = request.Grammar is null ? null : new LLama.Sampling.Grammar(request.Grammar, "root"),
            GrammarOptimization = DefaultSamplingPipeline.GrammarOptimizationMode.Extended,
            Temperature = Temperature,
            Seed = Seed + _requests++,
        };
        var decoder = new StreamingTokenDecoder(_context);
        var batch = new LLamaBatch();
        batch.AddRange(prompt, 0, LLamaSeqId.Zero, true);
        Decode(batch);

        var generated = 0;
        var finish = "length";
        var position = prompt.Length;
        while (generated < maxTokens && position < ContextSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var token = sampler.Sample(_context.NativeHandle, batch.TokenCount - 1);
            if (token.IsEndOfGeneration(_context.Vocab))
            {
                finish = "stop";
                break;
            }
            decoder.Add(token);
            generated++;
            batch.Clear();
            batch.Add(token, position++, LLamaSeqId.Zero, true);
            Decode(batch);
        }
        return new ModelCompletion(decoder.Read(), prompt.Length, generated, finish, Stopwatch.GetElapsedTime(started));
    }

    private void Decode(LLamaBatch batch)
    {
        var result = _context.Decode(batch);
        if (result != DecodeResult.Ok)
        {
            throw new InvalidOperationException($"llama_decode failed: {result}");
        }
    }

    public void Dispose()
    {
        _context.Dispose();
        _weights.Dispose();
        _gate.Dispose();
    }
}
