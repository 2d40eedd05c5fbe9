using Annotate.Annotators.Pipeline;

namespace Annotate.Worker.Pipeline;

/// <summary>
/// Runs the document pipeline for the worker's consumer: inside this process (<see cref="InProcessDocumentRunner"/>) or
/// in a supervised child process (<see cref="Isolation.IsolatedDocumentRunner"/>). Either way the consumer gets what it
/// publishes, never the document model itself (which does not cross a process boundary).
/// </summary>
public interface IDocumentRunner
{
    /// <summary>SHA-256 of the language model documents are annotated with now, or null when none is available (dedupe key).</summary>
    string? ModelSha256 { get; }

    /// <summary>Annotates the document; throws <see cref="AnnotationException"/> when it cannot be annotated.</summary>
    Task<DocumentRunResult> RunAsync(AnnotationRequest request, CancellationToken cancellationToken);
}
