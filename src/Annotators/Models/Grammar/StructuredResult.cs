using System.Text.Json.Nodes;

namespace Annotate.Annotators.Models.Grammar;

/// <summary>A model answer that parsed as JSON and validated against the task's schema.</summary>
/// <param name="Value">The answer (null only when the schema allows a JSON <c>null</c>).</param>
/// <param name="PromptTokens">Tokens of the prompt.</param>
/// <param name="CompletionTokens">Tokens generated.</param>
/// <param name="FinishReason"><c>stop</c> or <c>length</c>, as reported by the model.</param>
/// <param name="Duration">Wall time of the model call.</param>
public sealed record StructuredResult(JsonNode? Value, int PromptTokens, int CompletionTokens, string FinishReason, TimeSpan Duration);
