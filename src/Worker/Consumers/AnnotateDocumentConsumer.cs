using Annotate.Annotators.Models;
using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Readers;
using Annotate.Messages;
using Annotate.Worker.Storage;
using Annotate.Worker.Testing;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Annotate.Worker.Consumers;

/// <summary>
/// Annotates the document an <see cref="AnnotateDocument"/> command points to and publishes the outcome.
/// Permanent failures are published at once; transient ones are thrown so the endpoint's retry policy
/// (see <see cref="AnnotateDocumentConsumerDefinition"/>) tries again, and <see cref="AnnotateDocumentFaultConsumer"/>
/// reports them when retries run out.
/// </summary>
public sealed class AnnotateDocumentConsumer(
    IDocumentPipeline pipeline,
    ILanguageModel model,
    IOptions<WorkerOptions> options,
    FaultInjection faults,
    TimeProvider time) : IConsumer<AnnotateDocument>
{
    /// <inheritdoc />
    public async Task Consume(ConsumeContext<AnnotateDocument> context)
    {
        var command = context.Message;
        var started = time.GetTimestamp();
        await context.Publish(new DocumentAnnotationStarted
        {
            DocumentId = command.DocumentId,
            FileName = command.FileName,
            SourceUri = command.SourceUri,
            Profile = command.Profile,
            Worker = Environment.MachineName,
            Attempt = context.GetRetryAttempt() + 1,
            CorrelationId = command.CorrelationId,
            StartedAt = time.GetUtcNow(),
        }).ConfigureAwait(false);

        try
        {
            var outputDirectory = OutputDirectory(command);
            var sourcePath = SourceLocator.ToLocalPath(command.SourceUri, command.FileName);
            faults.BeforeWork(sourcePath);
            var result = await pipeline.RunAsync(new AnnotationRequest
            {
                DocumentId = command.DocumentId,
                Source = new DocumentSource(sourcePath, command.FileName),
                OutputDirectory = outputDirectory,
                Profile = command.Profile,
                Outputs = command.Outputs?.ToList(),
                ExpectedSha256 = command.ContentSha256,
            }, context.CancellationToken).ConfigureAwait(false);

            await context.Publish(new DocumentAnnotated
            {
                DocumentId = command.DocumentId,
                FileName = command.FileName,
                OutputUri = outputDirectory,
                Outputs = result.Outputs.Select(o => new OutputFile { Name = o.Name, Kind = o.Kind, MediaType = o.MediaType, SizeBytes = o.SizeBytes }).ToList(),
                Digest = DigestBuilder.From(result),
                Timings = new StageTimings
                {
                    ReadMs = result.ReadTime.TotalMilliseconds,
                    AnnotateMs = result.AnnotateTime.TotalMilliseconds,
                    WriteMs = result.WriteTime.TotalMilliseconds,
                    TotalMs = time.GetElapsedTime(started).TotalMilliseconds,
                },
                ProfileFingerprint = result.Profile.Fingerprint(),
                ModelSha256 = model.Status.IsAvailable ? model.Status.Sha256 : null,
                CorrelationId = command.CorrelationId,
                CompletedAt = time.GetUtcNow(),
            }).ConfigureAwait(false);
        }
        catch (AnnotationException ex) when (!ex.Retryable)
        {
            await context.Publish(new DocumentAnnotationFailed
            {
                DocumentId = command.DocumentId,
                FileName = command.FileName,
                Reason = ex.Reason,
                Message = ex.Message,
                Retryable = false,
                CorrelationId = command.CorrelationId,
                FailedAt = time.GetUtcNow(),
            }).ConfigureAwait(false);
        }
    }

    private string OutputDirectory(AnnotateDocument command)
    {
        if (!DocumentIds.IsValid(command.DocumentId))
        {
            throw new AnnotationException(FailureReason.InvalidRequest,
                $"'{command.FileName}': document id '{command.DocumentId}' is not valid: use 1–64 letters, digits, '-', '_' or '.'.");
        }
        var root = command.OutputUri is { Length: > 0 } uri
            ? SourceLocator.ToLocalPath(uri, command.FileName)
            : Path.Combine(Path.GetFullPath(options.Value.Outbox), command.DocumentId);
        return root;
    }
}
