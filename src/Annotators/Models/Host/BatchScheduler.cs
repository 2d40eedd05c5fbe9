using System.Text;
using System.Threading.Channels;
using Annotate.Annotators.Pipeline;
using LLama;
using LLama.Abstractions;
using LLama.Batched;
using LLama.Native;
using LLama.Sampling;
using Microsoft.Extensions.Logging;

namespace Annotate.Annotators.Models.Host;

/// <summary>
/// The single loop that owns the <see cref="BatchedExecutor"/>: it admits queued requests as parallel sequences of one
/// context, runs one decode per step for all of them, samples each with its own pipeline and finishes, cancels or fails
/// each independently.
/// </summary>
internal sealed class BatchScheduler : IAsyncDisposable
{
    private readonly LLamaWeights _weights;
    private readonly IContextParams _contextParams;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Action<string> _onBroken;
    private readonly int _parallel;
    private readonly int _prefixCapacity;
    private readonly float _temperature;
    private readonly uint _seed;
    private readonly Channel<GenerationWork> _incoming = Channel.CreateUnbounded<GenerationWork>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Queue<GenerationWork> _waiting = new();
    private readonly List<GenerationWork> _active = [];
    private readonly Dictionary<string, PrefixEntry> _prefixes = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private BatchedExecutor? _executor;
    private string? _brokenReason;

    /// <summary>Put in the queue by <see cref="TryReleaseContext"/> to wake the loop; never decoded.</summary>
    private readonly GenerationWork _releaseMarker = new([], 0, string.Empty, 0, null, 0);
    private TaskCompletionSource<bool>? _releaseRequest;
    private bool _releaseAsked;

    /// <summary>The context was given back while idle (not broken, not shut down): the next request creates it again.</summary>
    private bool _contextReleased;
    private int _reservedCells;
    private long _useClock;

    public BatchScheduler(LLamaWeights weights, IContextParams contextParams, int parallelSequences, int prefixCapacity,
        float temperature, uint seed, TimeProvider time, ILogger logger, Action<string> onBroken)
    {
        _weights = weights;
        _contextParams = contextParams;
        _parallel = parallelSequences;
        _prefixCapacity = prefixCapacity;
        _temperature = temperature;
        _seed = seed;
        _time = time;
        _logger = logger;
        _onBroken = onBroken;
        _executor = new BatchedExecutor(weights, contextParams);
        ContextSize = checked((int)_executor.Context.ContextSize);
        _loop = Task.Run(RunAsync);
    }

    /// <summary>KV cells shared by all sequences; one sequence can use all of them.</summary>
    public int ContextSize { get; }

    /// <summary>Sequences running now (admitted and not yet released). For tests and diagnostics.</summary>
    internal int ActiveCount => Volatile.Read(ref _activeCount);

    /// <summary>Prefix conversations cached now. For tests and diagnostics.</summary>
    internal int CachedPrefixCount => Volatile.Read(ref _prefixCount);

    /// <summary>True while the context is given back (idle); the next request creates it again. For tests and diagnostics.</summary>
    internal bool ContextReleased => Volatile.Read(ref _contextReleased);

    /// <summary>
    /// Gives back the context (its KV cache, compute buffers and cached prompt prefixes; the weights stay loaded) when
    /// no request runs or waits, so an idle process holds the model and little else; the next request creates it
    /// again (milliseconds; its prefixes are decoded again). Waits for the decode loop, at most
    /// <paramref name="wait"/>; true when the context was released now.
    /// </summary>
    public bool TryReleaseContext(TimeSpan wait)
    {
        if (_brokenReason is not null)
        {
            return false;
        }
        var request = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (Interlocked.CompareExchange(ref _releaseRequest, request, null) is not null)
        {
            return false; // Another release is under way.
        }
        if (!_incoming.Writer.TryWrite(_releaseMarker))
        {
            Interlocked.Exchange(ref _releaseRequest, null);
            return false;
        }
        return request.Task.Wait(wait) && request.Task.Result;
    }

    /// <summary>Most sequences that ran at once since start. For tests: proves requests were decoded together.</summary>
    internal int PeakActiveCount => Volatile.Read(ref _peakActive);

    private int _activeCount;
    private int _prefixCount;
    private int _peakActive;

    public void Enqueue(GenerationWork work)
    {
        if (_brokenReason is { } reason)
        {
            work.Completion.TrySetException(Unavailable(reason));
            return;
        }
        if (!_incoming.Writer.TryWrite(work))
        {
            work.Completion.TrySetException(Unavailable("the model host is shutting down"));
        }
    }

    private async Task RunAsync()
    {
        var stopping = _stop.Token;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                if (_executor is null && !_contextReleased)
                {
                    break;
                }
                ReleaseFinished();
                Admit();
                if (_releaseAsked)
                {
                    _releaseAsked = false;
                    var released = _active.Count == 0 && _waiting.Count == 0 && ReleaseContext();
                    Interlocked.Exchange(ref _releaseRequest, null)?.TrySetResult(released);
                }
                if (_active.Count == 0)
                {
                    if (!await _incoming.Reader.WaitToReadAsync(stopping).ConfigureAwait(false))
                    {
                        break;
                    }
                    continue;
                }
                if (_executor!.BatchedTokenCount == 0)
                {
                    // Only possible when every running sequence was cancelled after its last decode: the next pass
                    // releases them. Wait briefly for new work instead of spinning.
                    await WaitForWorkAsync(stopping).ConfigureAwait(false);
                    continue;
                }
                var result = await _executor.Infer(stopping).ConfigureAwait(false);
                if (result == DecodeResult.NoKvSlot && EvictIdlePrefix(keep: null))
                {
                    // The failed batch stays queued in front; freeing idle prefix cells lets the retry find room.
                    continue;
                }
                if (result != DecodeResult.Ok)
                {
                    Reset($"llama.cpp decode returned {result}");
                    continue;
                }
                SampleAll();
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // A native or LLamaSharp failure must cost the affected requests, never the process.
                _logger.LogError(ex, "Model decode loop failed; failing {Count} running request(s) and recreating the context", _active.Count);
                Reset(ex.Message);
            }
        }
        Shutdown();
    }

    private async Task WaitForWorkAsync(CancellationToken stopping)
    {
        using var tick = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        tick.CancelAfter(TimeSpan.FromMilliseconds(5));
        try
        {
            await _incoming.Reader.WaitToReadAsync(tick.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
        }
    }

    /// <summary>Frees the sequences of requests whose caller gave up; a sequence still queued for decode waits one step.</summary>
    private void ReleaseFinished()
    {
        for (var i = _active.Count - 1; i >= 0; i--)
        {
            var work = _active[i];
            if (work.IsFinished && work.Conversation is not { RequiresInference: true })
            {
                Release(work);
            }
        }
    }

    private void Admit()
    {
        while (_incoming.Reader.TryRead(out var queued))
        {
            if (ReferenceEquals(queued, _releaseMarker))
            {
                _releaseAsked = true;
                continue;
            }
            _waiting.Enqueue(queued);
        }
        if (_waiting.Count > 0 && _contextReleased && !RecreateContext())
        {
            return;
        }
        while (_waiting.Count > 0 && _active.Count < _parallel)
        {
            var work = _waiting.Peek();
            if (work.IsFinished)
            {
                _waiting.Dequeue();
                work.StopObserving();
                continue;
            }
            // First come, first served: a request that does not fit yet waits for running ones to free cells,
            // rather than being overtaken forever by smaller ones.
            if (!TryStart(work))
            {
                if (_active.Count == 0)
                {
                    _waiting.Dequeue();
                    work.StopObserving();
                    work.Completion.TrySetException(new AnnotationException(FailureReason.InvalidRequest,
                        $"The request needs {work.Prompt.Length + work.MaxTokens} tokens of context but the model has {ContextSize}.", retryable: false));
                    continue;
                }
                break;
            }
            _waiting.Dequeue();
            _active.Add(work);
            Volatile.Write(ref _activeCount, _active.Count);
            Volatile.Write(ref _peakActive, Math.Max(_peakActive, _active.Count));
        }
    }

    private bool TryStart(GenerationWork work)
    {
        var share = work.PrefixLength > 0 && _prefixCapacity > 0;
        PrefixEntry? entry = null;
        var create = false;
        if (share && !_prefixes.TryGetValue(work.PrefixKey, out entry))
        {
            create = _prefixes.Count < _prefixCapacity || EvictIdlePrefix(keep: null);
            // Every cached prefix is in use: this request decodes its whole prompt instead of waiting.
            share = create;
        }
        var own = work.Prompt.Length + work.MaxTokens - (share ? work.PrefixLength : 0);
        var need = own + (create ? work.PrefixLength : 0);
        while (_reservedCells + need > ContextSize && EvictIdlePrefix(keep: entry))
        {
        }
        if (_reservedCells + need > ContextSize)
        {
            return false;
        }

        var executor = _executor!;
        work.Sampler = CreateSampler(work.Grammar);
        work.Decoder = new StreamingTokenDecoder(Encoding.UTF8, _weights);
        work.ReservedCells = own;
        _reservedCells += own;
        if (create)
        {
            var prefixConversation = executor.Create();
            prefixConversation.Prompt(work.Prompt.AsSpan(0, work.PrefixLength));
            entry = new PrefixEntry(work.PrefixKey, work.PrefixLength, prefixConversation);
            _prefixes.Add(entry.Key, entry);
            _reservedCells += entry.Length;
            Volatile.Write(ref _prefixCount, _prefixes.Count);
        }
        if (share && entry is not null)
        {
            entry.Users++;
            entry.LastUsed = ++_useClock;
            work.Prefix = entry;
            if (entry.IsReady)
            {
                StartFromPrefix(work);
            }
            // Otherwise the prefix is decoded in the next step and SampleAll forks it then: forking before the
            // prefix is in the KV cache would copy nothing.
        }
        else
        {
            work.Conversation = executor.Create();
            work.Conversation.Prompt(work.Prompt);
        }
        return true;
    }

    private static void StartFromPrefix(GenerationWork work)
    {
        var conversation = work.Prefix!.Conversation.Fork();
        work.Conversation = conversation;
        conversation.Prompt(work.Prompt.AsSpan(work.PrefixLength));
    }

    private DefaultSamplingPipeline CreateSampler(string? grammar) => new()
    {
        Temperature = _temperature,
        Seed = _seed,
        Grammar = grammar is null ? null : new LLama.Sampling.Grammar(grammar, "root"),
        GrammarOptimization = DefaultSamplingPipeline.GrammarOptimizationMode.Extended,
    };

    private void SampleAll()
    {
        var vocab = _weights.Vocab;
        for (var i = _active.Count - 1; i >= 0; i--)
        {
            var work = _active[i];
            if (work.IsFinished)
            {
                continue;
            }
            if (work.Conversation is null)
            {
                if (work.Prefix is { IsReady: true })
                {
                    StartFromPrefix(work);
                }
                continue;
            }
            if (!work.Conversation.RequiresSampling)
            {
                continue;
            }
            LLamaToken token;
            try
            {
                token = work.Conversation.Sample(work.Sampler!);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                _logger.LogWarning(ex, "Sampling failed for one request; it fails, the others go on");
                work.Completion.TrySetException(new AnnotationException(FailureReason.Internal, $"Sampling the model output failed: {ex.Message}", retryable: false, ex));
                Release(work);
                continue;
            }
            // End of generation also covers a completed grammar: the grammar sampler then allows only EOG tokens.
            if (token.IsEndOfGeneration(vocab))
            {
                Complete(work, "stop");
                continue;
            }
            work.Decoder!.Add(token);
            work.Generated++;
            if (work.Generated >= work.MaxTokens)
            {
                Complete(work, "length");
                continue;
            }
            work.Conversation.Prompt(token);
        }
    }

    private void Complete(GenerationWork work, string finishReason)
    {
        var text = work.Decoder!.Read();
        work.Completion.TrySetResult(new ModelCompletion(text, work.Prompt.Length, work.Generated, finishReason, _time.GetElapsedTime(work.StartedAt)));
        Release(work);
    }

    private void Release(GenerationWork work)
    {
        work.StopObserving();
        if (work.Conversation is { IsDisposed: false } conversation)
        {
            conversation.Dispose();
        }
        work.Conversation = null;
        work.Sampler?.Dispose();
        work.Sampler = null;
        if (work.Prefix is { } prefix)
        {
            prefix.Users--;
            work.Prefix = null;
        }
        _reservedCells -= work.ReservedCells;
        work.ReservedCells = 0;
        _active.Remove(work);
        Volatile.Write(ref _activeCount, _active.Count);
    }

    /// <summary>Drops the least recently used prefix no request uses (other than <paramref name="keep"/>). False when none can go.</summary>
    private bool EvictIdlePrefix(PrefixEntry? keep)
    {
        PrefixEntry? victim = null;
        foreach (var entry in _prefixes.Values)
        {
            if (entry.Users == 0 && entry != keep && entry.IsReady && (victim is null || entry.LastUsed < victim.LastUsed))
            {
                victim = entry;
            }
        }
        if (victim is null)
        {
            return false;
        }
        _prefixes.Remove(victim.Key);
        victim.Conversation.Dispose();
        _reservedCells -= victim.Length;
        Volatile.Write(ref _prefixCount, _prefixes.Count);
        return true;
    }

    /// <summary>Disposes the idle context; its prefixes go with it. False when there is none to release.</summary>
    private bool ReleaseContext()
    {
        if (_executor is null)
        {
            return false;
        }
        _prefixes.Clear();
        _reservedCells = 0;
        Volatile.Write(ref _prefixCount, 0);
        _executor.Dispose();
        _executor = null;
        Volatile.Write(ref _contextReleased, true);
        _logger.LogDebug("Model context released while idle");
        return true;
    }

    /// <summary>A request came after an idle release: the context is created again; if it cannot be, the model is broken.</summary>
    private bool RecreateContext()
    {
        try
        {
            _executor = new BatchedExecutor(_weights, _contextParams);
            Volatile.Write(ref _contextReleased, false);
            return true;
        }
        catch (Exception ex)
        {
            Volatile.Write(ref _contextReleased, false);
            _brokenReason = $"the model context could not be created again after an idle release: {ex.Message}";
            _logger.LogError(ex, "Model context could not be created again; the model is unavailable until restart");
            _onBroken(_brokenReason);
            while (_waiting.TryDequeue(out var work))
            {
                work.StopObserving();
                work.Completion.TrySetException(Unavailable(_brokenReason));
            }
            return false;
        }
    }

    /// <summary>The context is in an unknown state: fail what runs on it and start a fresh one; queued requests go on.</summary>
    private void Reset(string reason)
    {
        foreach (var work in _active.ToArray())
        {
            work.Completion.TrySetException(Unavailable($"decoding failed ({reason})"));
            work.Conversation = null;
            Release(work);
        }
        _prefixes.Clear();
        _reservedCells = 0;
        Volatile.Write(ref _prefixCount, 0);
        try
        {
            _executor?.Dispose();
            _executor = null;
            _executor = new BatchedExecutor(_weights, _contextParams);
        }
        catch (Exception ex)
        {
            _brokenReason = $"the model context could not be recreated after a decode failure: {ex.Message}";
            _logger.LogError(ex, "Model context could not be recreated; the model is unavailable until restart");
            _onBroken(_brokenReason);
        }
    }

    private void Shutdown()
    {
        _incoming.Writer.TryComplete();
        var reason = _brokenReason ?? "the model host is shutting down";
        foreach (var work in _active.ToArray())
        {
            work.Completion.TrySetException(Unavailable(reason));
            Release(work);
        }
        while (_waiting.TryDequeue(out var work))
        {
            work.StopObserving();
            work.Completion.TrySetException(Unavailable(reason));
        }
        while (_incoming.Reader.TryRead(out var work))
        {
            if (!ReferenceEquals(work, _releaseMarker))
            {
                work.StopObserving();
                work.Completion.TrySetException(Unavailable(reason));
            }
        }
        Interlocked.Exchange(ref _releaseRequest, null)?.TrySetResult(false);
        _prefixes.Clear();
        _executor?.Dispose();
        _executor = null;
    }

    private static AnnotationException Unavailable(string reason) =>
        new(FailureReason.ModelUnavailable, $"The language model is unavailable: {reason}.", retryable: true);

    public async ValueTask DisposeAsync()
    {
        _incoming.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
