using Annotate.Annotators.Pipeline;
using Annotate.Gateway.Intake;
using Annotate.Gateway.Storage;
using Annotate.Messages;
using MassTransit;
using Microsoft.Extensions.Options;
using Quartz;

namespace Annotate.Gateway.Jobs;

/// <summary>
/// Documents handed to a worker and not heard of past the deadline (the worker died, or its command was lost) are handed
/// over again while their dispatches stay below <see cref="GatewayOptions.CrashedAttempts"/>, then failed: <c>timeout</c>
/// when a worker had started them, <c>crashed</c> when none ever did. A hand-over counts only if the dispatch count is
/// still what was read, so two sweepers that find the same document send it once. It starts sweeping once this gateway's
/// start-up recovery (<see cref="StartupRecovery"/>) is over.
/// </summary>
[DisallowConcurrentExecution]
public sealed class SweepStuckDocumentsJob(
    IDocumentStore store,
    DocumentIntake intake,
    IBus publisher,
    IOptions<JobsOptions> jobs,
    IOptions<GatewayOptions> gateway,
    StartupRecovery recovery,
    IConfiguration configuration,
    TimeProvider time,
    ILogger<SweepStuckDocumentsJob> logger) : IJob
{
    public static readonly JobKey Key = new("sweep-stuck-documents", "annotate");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) => await RunAsync(cancellationToken);

    /// <summary>One sweep.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (!recovery.IsComplete)
        {
            // What was pending at start-up is being sent again by the resumer, one suspect at a time: not twice.
            return;
        }
        var deadline = jobs.Value.StuckDeadline(configuration);
        var now = time.GetUtcNow();
        foreach (var record in await store.ListStuckAsync(now - deadline, jobs.Value.BatchSize, cancellationToken))
        {
            if (record.Dispatches < gateway.Value.CrashedAttempts && record.SourceUri is not null)
            {
                if (await intake.DispatchAsync(record, cancellationToken, expectedDispatches: record.Dispatches))
                {
                    logger.LogWarning("{FileName}  no word from a worker for {Deadline} ({State}); handed over again ({Dispatch} of {Max})",
                        record.FileName, deadline, record.State, record.Dispatches + 1, gateway.Value.CrashedAttempts);
                }
                continue;
            }
            var (reason, message) = record.State == DocumentState.Processing
                ? (FailureReason.Timeout,
                    $"'{record.FileName}' was still not annotated {deadline} after a worker started it, after {record.Dispatches} hand-over(s); it is not tried again.")
                : (FailureReason.Crashed,
                    $"'{record.FileName}' was handed to a worker {record.Dispatches} time(s) and no worker ever started it; it is not tried again.");
            await publisher.Publish(new DocumentAnnotationFailed
            {
                DocumentId = record.Id,
                FileName = record.FileName,
                Reason = reason,
                Message = message,
                CorrelationId = record.CorrelationId,
                FailedAt = now,
            }, cancellationToken);
        }
    }
}
