using Annotate.Annotators.Models;

namespace Annotate.Annotators.Tests.Models.Tasks.Rows;

/// <summary>The real model with a hook before every completion: to cancel mid-run or to fail like the host does.</summary>
internal sealed class ScriptedModel(ILanguageModel inner, Func<ModelRequest, Task>? before = null) : ILanguageModel
{
    public int Calls;

    public ModelStatus Status => inner.Status;

    public int CountTokens(string text) => inner.CountTokens(text);

    public async Task<ModelCompletion> CompleteAsync(ModelRequest request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Calls);
        if (before is not null)
        {
            await before(request);
        }
        return await inner.CompleteAsync(request, cancellationToken);
    }
}
