using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Readers;
using Annotate.Worker.Storage;
using Annotate.Messages;
using Annotate.Hosting.Blobs;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Annotate.Worker.Consumers;

/// <summary>
/// Turns a faulted <see cref="AnnotateDocument"/> (an unexpected error, or a transient one that outlived its retries)
/// into a <see cref="DocumentAnnotationFailed"/> event, so no document stays in Processing.
/// </summary>
public sealed class AnnotateDocumentFaultConsumer(IOptions<WorkerOptions> options, ResultIndex results, IBlobStore blobs, TimeProvider time) : IConsumer<Fault<AnnotateDocument>>
{
    /// <inheritdoc />
    public async Task Consume(ConsumeContext<Fault<AnnotateDocument>> context)
    {
        var fault = context.Message;
        var valid = DocumentIds.IsValid(fault.Message.DocumentId);
        if (valid && await results.FindOutcomeAsync(fault.Message.DocumentId, context.CancellationToken) is { } outcome)
        {
            // Delivered again after the worker died between recording the outcome and publishing it: publish it now.
            if (context.ReceiveContext.Redelivered && outcome.Failed is { } recorded)
            {
                await context.Publish(recorded, context.CancellationToken);
            }
            return;
        }
        var exception = fault.Exceptions.FirstOrDefault();
        var data = exception?.Data;
        var reason = data is not null && data.TryGetValue(AnnotationException.ReasonKey, out var r) && r is not null
            ? r.ToString()!
            : FailureReason.Internal;
        var retryable = data is not null && data.TryGetValue(AnnotationException.RetryableKey, out var t) && t is not null
            && bool.TryParse(t.ToString(), out var parsed) && parsed;
        if (reason == FailureReason.Internal && exception?.ExceptionType is { } type
            && type.EndsWith("CanceledException", StringComparison.Ordinal))
        {
            reason = FailureReason.Timeout;
        }
        var message = reason == FailureReason.Timeout
            ? $"'{fault.Message.FileName}' took longer than {options.Value.DocumentTimeout} to annotate and was stopped (Annotate:Worker:DocumentTimeout)."
            : reason == FailureReason.Internal
            ? $"'{fault.Message.FileName}' could not be annotated because of an internal error ({exception?.ExceptionType}): {WithoutServerPaths(exception?.Message, fault.Message)}"
            : WithoutServerPaths(exception?.Message, fault.Message) ?? $"'{fault.Message.FileName}' could not be annotated.";

        var failed = new DocumentAnnotationFailed
        {
            DocumentId = fault.Message.DocumentId,
            FileName = fault.Message.FileName,
            Reason = reason,
            Message = message,
            Retryable = retryable,
            CorrelationId = fault.Message.CorrelationId,
            FailedAt = time.GetUtcNow(),
        };
        if (valid)
        {
            await results.RememberOutcomeAsync(fault.Message.DocumentId, new Outcome(null, failed), CancellationToken.None);
        }
        await context.Publish(failed, context.CancellationToken);
    }

    /// <summary>An unexpected exception's message often quotes the paths it failed on; users see the file name instead.</summary>
    private string? WithoutServerPaths(string? message, AnnotateDocument command)
    {
        if (message is null)
        {
            return null;
        }
        var source = SourceLocator.TryToLocalPath(command.SourceUri)
            ?? (BlobReference.KeyOf(command.SourceUri) is { } key && blobs is ILocalBlobStore local ? local.LocalPath(key) : null);
        if (source is not null)
        {
            message = ServerPaths.Hide(message, new DocumentSource(source, command.FileName));
        }
        if (SourceLocator.TryToLocalPath(command.OutputUri) is { } outputs)
        {
            message = ServerPaths.Replace(message, outputs, "the outbox");
        }
        if (blobs is FileSystemBlobStore store)
        {
            message = ServerPaths.Replace(ServerPaths.Replace(message, store.OutputsRoot, "the outbox"), store.SourcesRoot, "the blob store");
        }
        return message;
    }
}
