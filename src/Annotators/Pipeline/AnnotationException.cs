namespace Annotate.Annotators.Pipeline;

/// <summary>
/// A document cannot be annotated, for a stated <see cref="FailureReason"/>. Readers and annotators throw it for
/// permanent problems with the input (fail fast) and for transient ones (<see cref="Retryable"/>).
/// </summary>
public sealed class AnnotationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public AnnotationException(string reason, string message, bool retryable = false, Exception? inner = null)
        : base(message, inner)
    {
        Reason = reason;
        Retryable = retryable;
        // Carried in Exception.Data so the reason survives serialisation into a MassTransit Fault<T>.
        Data[ReasonKey] = reason;
        Data[RetryableKey] = retryable;
    }

    /// <summary>Key of <see cref="Reason"/> in <see cref="Exception.Data"/>.</summary>
    public const string ReasonKey = "annotate.reason";

    /// <summary>Key of <see cref="Retryable"/> in <see cref="Exception.Data"/>.</summary>
    public const string RetryableKey = "annotate.retryable";

    /// <summary>One of the <see cref="FailureReason"/> codes.</summary>
    public string Reason { get; }

    /// <summary>True when trying again later may succeed.</summary>
    public bool Retryable { get; }
}
