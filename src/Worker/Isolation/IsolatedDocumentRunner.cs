using Annotate.Annotators.Pipeline;
using Annotate.Worker.Pipeline;

namespace Annotate.Worker.Isolation;

/// <summary>
/// Runs the pipeline in a supervised child process (<c>Annotate:Worker:Isolation:Enabled</c>, the default): reading,
/// annotating and writing all happen there, so a document that crashes a parser or the model takes down the child, not
/// the worker.
/// </summary>
public sealed class IsolatedDocumentRunner(PipelineSupervisor supervisor) : IDocumentRunner
{
    /// <inheritdoc />
    public string? ModelSha256 => supervisor.LastHello is { ModelAvailable: true } hello ? hello.ModelSha256 : null;

    /// <inheritdoc />
    public async Task<DocumentRunResult> RunAsync(AnnotationRequest request, CancellationToken cancellationToken)
    {
        var frame = await supervisor.RunAsync(new ChildRun
        {
            DocumentId = request.DocumentId,
            SourcePath = Path.GetFullPath(request.Source.Path),
            FileName = request.Source.FileName,
            OutputDirectory = Path.GetFullPath(request.OutputDirectory),
            Profile = request.Profile,
            Outputs = request.Outputs?.ToList(),
            ExpectedSha256 = request.ExpectedSha256,
            SourceSha256 = request.SourceSha256,
            Examples = request.Examples?.ToList(),
            PartsDirectory = request.PartsDirectory is { } parts ? Path.GetFullPath(parts) : null,
            Depth = request.Depth,
            ParentDocumentId = request.ParentDocumentId,
        }, cancellationToken);
        if (frame.Result is { } result)
        {
            return new DocumentRunResult
            {
                Outputs = result.Outputs,
                Digest = result.Digest,
                ReadTime = TimeSpan.FromMilliseconds(result.ReadMs),
                AnnotateTime = TimeSpan.FromMilliseconds(result.AnnotateMs),
                WriteTime = TimeSpan.FromMilliseconds(result.WriteMs),
                ProfileFingerprint = result.ProfileFingerprint,
                ModelSha256 = result.ModelSha256,
                ModelTokensIn = result.ModelTokensIn,
                ModelTokensOut = result.ModelTokensOut,
                Parts = result.Parts ?? [],
            };
        }
        var error = frame.Error ?? new ChildError { Kind = ChildProtocol.InternalError, Message = "The pipeline child answered with neither a result nor an error." };
        // The same exceptions the pipeline throws in-process, so the endpoint's retry policy and the fault consumer treat
        // them alike.
        throw error.Kind switch
        {
            ChildProtocol.AnnotationError => new AnnotationException(error.Reason ?? FailureReason.Internal, error.Message, error.Retryable),
            ChildProtocol.CancelledError => new OperationCanceledException(error.Message, cancellationToken),
            ChildProtocol.IoError when error.Retryable => new IOException(error.Message),
            ChildProtocol.IoError => new FileNotFoundException(error.Message),
            _ => new InvalidOperationException($"{error.ExceptionType}: {error.Message}"),
        };
    }
}
