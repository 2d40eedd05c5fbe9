using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Annotate.Annotators.Models.Host;

/// <summary>
/// The model call's span and token counters, under the source and meter named <c>Annotate</c> that the hosts export. The
/// engine references no host code, so the two instrument names are repeated here (the hosts' <c>AnnotateMetrics</c> lists them).
/// </summary>
internal static class ModelTelemetry
{
    public static readonly ActivitySource Source = new("Annotate");

    private static readonly Meter Meter = new("Annotate");

    private static readonly Counter<long> TokensIn = Meter.CreateCounter<long>("annotate_model_tokens_in", "{token}", "Prompt tokens sent to the model.");

    private static readonly Counter<long> TokensOut = Meter.CreateCounter<long>("annotate_model_tokens_out", "{token}", "Tokens the model generated.");

    /// <summary>Counts one answer's tokens and tags the span with them.</summary>
    public static void Record(Activity? activity, ModelCompletion completion)
    {
        TokensIn.Add(completion.PromptTokens);
        TokensOut.Add(completion.CompletionTokens);
        ModelUsage.Record(completion.PromptTokens, completion.CompletionTokens);
        activity?.SetTag("gen_ai.usage.input_tokens", completion.PromptTokens);
        activity?.SetTag("gen_ai.usage.output_tokens", completion.CompletionTokens);
        activity?.SetTag("gen_ai.response.finish_reasons", completion.FinishReason);
    }
}
