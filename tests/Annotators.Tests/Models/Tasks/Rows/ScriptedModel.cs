using Annotate.Annotators.Models;

namespace Annotate.Annotators.Tests.Models.Tasks.Rows;

/// <summary>The real model with a hook before every completion: to cancel mid-run or to fail like the host does.</summary>
internal sealed class ScriptedModel(ILanguageModel inner, Func<ModelRequest, Task>? before = null, int? contextSize = null) : ILanguageModel
{
    public int Calls;

    public System.Collections.Concurrent.ConcurrentQueue<ModelRequest> Requests { get; } = new();

    /// <summary>The inner status, with a smaller context when one is given (the planner then works within it).</summary>
    public ModelStatus Status => contextSize is { } size ? inner.Status with { ContextSize = size } : inner.Status;

    public int CountTokens(string text) => inner.CountTokens(text);

    public async Task<ModelCompletion> CompleteAsync(ModelRequest request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Calls);
        Requests.Enqueue(request);
        if (before is not null)
        {
            await before(request);
        }
        return await inner.CompleteAsync(request, cancellationToken);
    }
}
