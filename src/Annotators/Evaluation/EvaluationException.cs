namespace Annotate.Annotators.Evaluation;

/// <summary>Input to an evaluation that cannot be used (a reference or result file too large, malformed, badly named); the message names the file.</summary>
public sealed class EvaluationException(string message, Exception? inner = null) : Exception(message, inner);
