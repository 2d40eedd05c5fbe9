namespace Annotate.Annotators.Models.Host;

/// <summary>
/// Counts the model tokens of one piece of work (a document): every model call made inside <see cref="Measure"/>, in
/// any task it starts, adds its prompt and generated tokens to the measure.
/// </summary>
public sealed class ModelUsage : IDisposable
{
    private static readonly AsyncLocal<ModelUsage?> Current = new();
    private readonly ModelUsage? _outer;
    private long _promptTokens;
    private long _completionTokens;

    private ModelUsage(ModelUsage? outer) => _outer = outer;

    /// <summary>Starts counting the calls made from here on in this flow, until disposed.</summary>
    public static ModelUsage Measure()
    {
        var usage = new ModelUsage(Current.Value);
        Current.Value = usage;
        return usage;
    }

    /// <summary>Prompt tokens read by the model so far.</summary>
    public long PromptTokens => Interlocked.Read(ref _promptTokens);

    /// <summary>Tokens the model generated so far.</summary>
    public long CompletionTokens => Interlocked.Read(ref _completionTokens);

    /// <summary>Adds one call's tokens to the measures open in this flow.</summary>
    internal static void Record(int promptTokens, int completionTokens)
    {
        for (var usage = Current.Value; usage is not null; usage = usage._outer)
        {
            Interlocked.Add(ref usage._promptTokens, promptTokens);
            Interlocked.Add(ref usage._completionTokens, completionTokens);
        }
    }

    public void Dispose() => Current.Value = _outer;
}
