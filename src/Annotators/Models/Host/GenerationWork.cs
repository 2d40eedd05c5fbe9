using LLama;
using LLama.Batched;
using LLama.Native;
using LLama.Sampling;

namespace Annotate.Annotators.Models.Host;

/// <summary>One queued or running completion: its prompt tokens, its limits, and the decode state the loop owns.</summary>
internal sealed class GenerationWork
{
    private CancellationTokenRegistration _registration;

    public GenerationWork(LLamaToken[] prompt, int prefixLength, string prefixKey, int maxTokens, string? grammar, long startedAt)
    {
        Prompt = prompt;
        PrefixLength = prefixLength;
        PrefixKey = prefixKey;
        MaxTokens = maxTokens;
        Grammar = grammar;
        StartedAt = startedAt;
    }

    /// <summary>The whole templated prompt.</summary>
    public LLamaToken[] Prompt { get; }

    /// <summary>Leading tokens of <see cref="Prompt"/> that are the system part and may come from a shared prefix; 0 for none.</summary>
    public int PrefixLength { get; }

    /// <summary>Text of the system part: requests with the same key share one prefix conversation.</summary>
    public string PrefixKey { get; }

    public int MaxTokens { get; }

    public string? Grammar { get; }

    /// <summary><see cref="TimeProvider.GetTimestamp"/> when the caller asked.</summary>
    public long StartedAt { get; }

    public TaskCompletionSource<ModelCompletion> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>True once the caller stopped waiting (cancelled, timed out) or the work ended.</summary>
    public bool IsFinished => Completion.Task.IsCompleted;

    // State below belongs to the decode loop only.
    public Conversation? Conversation { get; set; }
    public PrefixEntry? Prefix { get; set; }
    public DefaultSamplingPipeline? Sampler { get; set; }
    public StreamingTokenDecoder? Decoder { get; set; }
    public int Generated { get; set; }
    public int ReservedCells { get; set; }

    /// <summary>
    /// Ends the caller's wait as soon as its token fires, without waiting for the loop: the loop notices
    /// <see cref="IsFinished"/> at its next step and frees the sequence.
    /// </summary>
    public void Observe(CancellationToken cancellationToken)
    {
        if (cancellationToken.CanBeCanceled)
        {
            _registration = cancellationToken.Register(static state =>
            {
                var (work, token) = ((GenerationWork, CancellationToken))state!;
                work.Completion.TrySetCanceled(token);
            }, (this, cancellationToken));
        }
    }

    public void StopObserving() => _registration.Dispose();
}

/// <summary>A cached conversation holding the decoded system part of a prompt; requests fork it.</summary>
internal sealed class PrefixEntry(string key, int length, Conversation conversation)
{
    public string Key { get; } = key;
    public int Length { get; } = length;
    public Conversation Conversation { get; } = conversation;

    /// <summary>Requests that forked it or wait for it: an entry in use is never evicted.</summary>
    public int Users { get; set; }

    public long LastUsed { get; set; }

    /// <summary>Its tokens are in the KV cache, so a fork copies real state.</summary>
    public bool IsReady => !Conversation.RequiresInference;
}
