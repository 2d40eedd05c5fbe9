using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Profiles;
using Annotate.Annotators.Readers;
using Annotate.Messages;
using Annotate.Worker.Storage;
using Annotate.Worker.Pipeline;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Annotate.Worker.Consumers;

/// <summary>
/// Annotates the document an <see cref="AnnotateDocument"/> command points to and publishes the outcome: exactly one
/// Completed or Failed event per document. A command for a document that already finished (a redelivery, or the
/// same command sent twice) does nothing. Content already annotated with the same profile settings and model is not
/// annotated again: the earlier outputs are copied and the event says whose (<see cref="DocumentAnnotated.DuplicateOf"/>).
/// Permanent failures are published at once; transient ones are thrown so the endpoint's retry policy
/// (see <see cref="AnnotateDocumentConsumerDefinition"/>) tries again, and <see cref="AnnotateDocumentFaultConsumer"/>
/// reports them when retries run out.
/// </summary>
public sealed class AnnotateDocumentConsumer(
    IDocumentRunner pipeline,
    ProfileCatalog profiles,
    SourceStaging sources,
    OutputStore outputs,
    PartStore parts,
    ResultIndex results,
    ReviewedExamples examples,
    IOptions<WorkerOptions> options,
    TimeProvider time,
    ILogger<AnnotateDocumentConsumer> logger,
    ILoggerFactory loggers) : IConsumer<AnnotateDocument>
{
    /// <summary>Category of the one line per document a standalone worker prints (the one-process gateway prints its own instead).</summary>
    public const string DocumentLines = "Annotate.Worker.Documents";

    private readonly ILogger _lines = loggers.CreateLogger(DocumentLines);

    /// <inheritdoc />
    public async Task Consume(ConsumeContext<AnnotateDocument> context)
    {
        var command = context.Message;
        var cancellationToken = context.CancellationToken;
        if (DocumentIds.IsValid(command.DocumentId) && await results.FindOutcomeAsync(command.DocumentId, cancellationToken) is { } outcome)
        {
            if (context.Headers.Get<int>(DispatchHeader.Name) is > 1 || context.ReceiveContext.Redelivered)
            {
                // The gateway sent it again because it never got the outcome (lost with a process on the in-memory bus),
                // or the broker delivers it again because the worker died after recording the outcome, perhaps before
                // publishing it: the recorded event is sent (again), never a second annotation.
                logger.LogInformation("{FileName}  already finished as document {DocumentId}; its outcome is sent again", command.FileName, command.DocumentId);
                await (outcome.Annotated is { } annotated ? context.Publish(annotated, cancellationToken) : context.Publish(outcome.Failed!, cancellationToken));
                return;
            }
            logger.LogInformation("{FileName}  already finished as document {DocumentId}; the command delivered again is ignored", command.FileName, command.DocumentId);
            return;
        }
        var started = time.GetTimestamp();
        await context.Publish(new DocumentAnnotationStarted
        {
            DocumentId = command.DocumentId,
            FileName = command.FileName,
            // Null when a plain JSON command carried its bytes inline and left sourceUri out.
            SourceUri = command.SourceUri ?? "",
            Profile = command.Profile,
            Worker = Environment.MachineName,
            // Every try counts: each delivery (the first and each redelivery, counted by MT-Redelivery-Count) runs the
            // first try and up to RetryLimit in-process retries.
            Attempt = context.GetRedeliveryCount() * (options.Value.RetryLimit + 1) + context.GetRetryAttempt() + 1,
            CorrelationId = command.CorrelationId,
            StartedAt = time.GetUtcNow(),
        }, cancellationToken);

        try
        {
            var target = outputs.TargetFor(command);
            DocumentAnnotated annotated;
            // Released before the outcome is published: bytes staged for this document only (inline or fetched) are gone
            // by the time anyone hears it is done.
            await using (var source = await sources.StageAsync(command, cancellationToken))
            {
                annotated = await ReuseEarlierAsync(command, source, target, started, cancellationToken)
                    ?? await AnnotateAsync(command, source, target, started, cancellationToken);
            }
            // Recorded before it is published: a worker that dies in between leaves the command unacknowledged, and its
            // redelivery publishes the recorded event instead of annotating the document a second time.
            await results.RememberOutcomeAsync(command.DocumentId, new Outcome(annotated, null), CancellationToken.None);
            await context.Publish(annotated, cancellationToken);
            _lines.LogInformation("{FileName}  annotated  {Seconds:0.00} s  → {Output}", command.FileName, annotated.Timings.TotalMs / 1000, annotated.OutputUri);
        }
        catch (AnnotationException ex) when (!ex.Retryable)
        {
            var failed = new DocumentAnnotationFailed
            {
                DocumentId = command.DocumentId,
                FileName = command.FileName,
                Reason = ex.Reason,
                Message = ex.Message,
                Retryable = false,
                CorrelationId = command.CorrelationId,
                FailedAt = time.GetUtcNow(),
            };
            if (DocumentIds.IsValid(command.DocumentId))
            {
                await results.RememberOutcomeAsync(command.DocumentId, new Outcome(null, failed), CancellationToken.None);
            }
            await context.Publish(failed, cancellationToken);
            _lines.LogWarning("{FileName}  failed ({Reason})  {Message}", command.FileName, ex.Reason, ex.Message);
        }
    }

    private async Task<DocumentAnnotated> AnnotateAsync(AnnotateDocument command, StagedSource source, OutputTarget target, long started, CancellationToken cancellationToken)
    {
        var partsFolder = PartStore.NewFolder();
        try
        {
            return await AnnotateAsync(command, source, target, started, partsFolder, cancellationToken);
        }
        finally
        {
            PartStore.Delete(partsFolder);
        }
    }

    private async Task<DocumentAnnotated> AnnotateAsync(AnnotateDocument command, StagedSource source, OutputTarget target, long started, string partsFolder,
        CancellationToken cancellationToken)
    {
        var result = await pipeline.RunAsync(new AnnotationRequest
        {
            PartsDirectory = partsFolder,
            Depth = Math.Max(command.Depth ?? 0, 0),
            ParentDocumentId = DocumentIds.IsValid(command.ParentDocumentId) ? command.ParentDocumentId : null,
            DocumentId = command.DocumentId,
            Source = new DocumentSource(source.Path, command.FileName),
            OutputDirectory = target.Directory,
            Profile = command.Profile,
            Outputs = command.Outputs?.ToList(),
            ExpectedSha256 = command.ContentSha256,
            SourceSha256 = source.Sha256,
            Examples = await examples.ReadAsync(command.ExamplesKey, cancellationToken),
        }, cancellationToken);
        await outputs.CommitAsync(target, result.Outputs.Select(o => o.Name), cancellationToken);
        // Stored before the event that names them is published: the gateway makes each a document as it hears of them.
        var found = await parts.StoreAsync(result.Parts, partsFolder, cancellationToken);
        var annotated = new DocumentAnnotated
        {
            DocumentId = command.DocumentId,
            FileName = command.FileName,
            OutputUri = OutputStore.ReferenceOf(target),
            Outputs = result.Outputs.ToList(),
            Digest = result.Digest,
            Timings = new StageTimings
            {
                ReadMs = result.ReadTime.TotalMilliseconds,
                AnnotateMs = result.AnnotateTime.TotalMilliseconds,
                WriteMs = result.WriteTime.TotalMilliseconds,
                TotalMs = time.GetElapsedTime(started).TotalMilliseconds,
            },
            ProfileFingerprint = result.ProfileFingerprint,
            ModelSha256 = result.ModelSha256,
            // Only when the model was called: null says "no model work", not "unknown".
            ModelTokensIn = result.ModelTokensIn + result.ModelTokensOut > 0 ? result.ModelTokensIn : null,
            ModelTokensOut = result.ModelTokensIn + result.ModelTokensOut > 0 ? result.ModelTokensOut : null,
            Parts = found,
            CorrelationId = command.CorrelationId,
            CompletedAt = time.GetUtcNow(),
        };
        // Only whole results in the store are reused, and only those that produced every output.
        // A child's outputs name its parent, a container's its children: neither is another document's to copy.
        if (source.Sha256 is { } sha256 && target.Prefix is not null && command.Outputs is not { Count: > 0 }
            && annotated.Parts is null && string.IsNullOrEmpty(command.ParentDocumentId))
        {
            await results.RememberAnnotatedAsync(sha256, annotated, cancellationToken);
        }
        return annotated;
    }

    /// <summary>The event for a copy of an earlier annotation of the same bytes, or null when there is none to reuse.</summary>
    private async Task<DocumentAnnotated?> ReuseEarlierAsync(AnnotateDocument command, StagedSource source, OutputTarget target, long started, CancellationToken cancellationToken)
    {
        // The hash is the one of the bytes read here, never the one the sender claims: a claimed hash would hand
        // someone else's results to anyone who knows it.
        if (source.Sha256 is not { } sha256 || command.Outputs is { Count: > 0 } || !string.IsNullOrEmpty(command.ParentDocumentId)
            || (command.ContentSha256 is { Length: > 0 } claimed && !string.Equals(claimed, sha256, StringComparison.OrdinalIgnoreCase))
            || !profiles.Contains(command.Profile ?? AnnotationProfile.DefaultName))
        {
            return null;
        }
        var profile = profiles.Get(command.Profile);
        var modelSha256 = pipeline.ModelSha256;
        // Reviewed examples change as people review, and they shape what the model writes: a profile that shows them
        // to a model annotates afresh, with the examples of today.
        if (profile.FewShotExamples > 0 && command.ExamplesKey is not null && modelSha256 is not null)
        {
            return null;
        }
        var fingerprint = profile.Fingerprint();
        var earlier = await results.FindAnnotatedAsync(sha256, fingerprint, modelSha256, cancellationToken);
        // A container is annotated afresh: its outputs name its children, whose ids derive from its own id.
        if (earlier is null || earlier.DocumentId == command.DocumentId || earlier.Parts is { Count: > 0 }
            || Hosting.Blobs.BlobReference.KeyOf(earlier.OutputUri) is not { } from
            || !await outputs.CopyAsync(from, earlier.Outputs.Select(o => o.Name), target, cancellationToken))
        {
            return null;
        }
        logger.LogInformation("{FileName}  same content as document {Earlier}, annotated with the same profile and model: outputs reused", command.FileName, earlier.DocumentId);
        return earlier with
        {
            DocumentId = command.DocumentId,
            FileName = command.FileName,
            OutputUri = OutputStore.ReferenceOf(target),
            DuplicateOf = earlier.DuplicateOf ?? earlier.DocumentId,
            Timings = new StageTimings { TotalMs = time.GetElapsedTime(started).TotalMilliseconds },
            // Copying outputs calls no model.
            ModelTokensIn = null,
            ModelTokensOut = null,
            CorrelationId = command.CorrelationId,
            CompletedAt = time.GetUtcNow(),
        };
    }
}
