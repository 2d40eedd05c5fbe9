namespace Annotate.Annotators.Pipeline;

/// <summary>Stable, machine-readable reasons a document fails; they travel in <c>DocumentAnnotationFailed.Reason</c>.</summary>
public static class FailureReason
{
    /// <summary>The file has no bytes.</summary>
    public const string Empty = "empty";
    /// <summary>The bytes are not a format Annotate reads.</summary>
    public const string UnknownFormat = "unknown-format";
    /// <summary>A recognised but unsupported format (legacy .xls/.doc, a zip that is no Office document).</summary>
    public const string UnsupportedFormat = "unsupported-format";
    /// <summary>The file is truncated or damaged.</summary>
    public const string Corrupt = "corrupt";
    /// <summary>The file is password-protected.</summary>
    public const string Encrypted = "encrypted";
    /// <summary>The file exceeds the configured size limit.</summary>
    public const string TooLarge = "too-large";
    /// <summary>The bytes are no longer where the command said.</summary>
    public const string SourceMissing = "source-missing";
    /// <summary>The bytes do not match the SHA-256 the command carried.</summary>
    public const string ChecksumMismatch = "checksum-mismatch";
    /// <summary>The command itself is invalid (bad id, unknown profile…).</summary>
    public const string InvalidRequest = "invalid-request";
    /// <summary>The language model could not be loaded; retrying later may help.</summary>
    public const string ModelUnavailable = "model-unavailable";
    /// <summary>The language model did not answer in time.</summary>
    public const string ModelTimeout = "model-timeout";
    /// <summary>The language model's answer did not parse or did not match the task's JSON Schema (e.g. cut by the token limit).</summary>
    public const string ModelInvalidOutput = "model-invalid-output";
    /// <summary>Annotating the document took longer than the worker allows (<c>Annotate:Worker:DocumentTimeout</c>).</summary>
    public const string Timeout = "timeout";

    /// <summary>The process annotating the document died while it was in flight, more times than allowed.</summary>
    public const string Crashed = "crashed";

    /// <summary>The process annotating the document went over its memory cap, more times than allowed.</summary>
    public const string OutOfMemory = "out-of-memory";

    /// <summary>The work was cancelled (shutdown, or a user cancelled the document).</summary>
    public const string Cancelled = "cancelled";
    /// <summary>An unexpected error inside Annotate.</summary>
    public const string Internal = "internal";
}
