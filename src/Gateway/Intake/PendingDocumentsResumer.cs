using Annotate.Annotators.Pipeline;
using Annotate.Gateway.Storage;
using Annotate.Messages;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Annotate.Gateway.Intake;

/// <summary>
/// Start-up recovery. Before the inbox is watched: finishes intakes a previous run left half-done, adopts bytes in the
/// blob folder that have no record, and clears what finished documents left behind. Then sends again the documents
/// left in Received or Processing (the in-memory transport loses queued messages when the process stops): first the
/// ones that were in flight when the process died, one at a time, so a document that kills the process is caught
/// alone; after <see cref="GatewayOptions.CrashedAttempts"/> hand-overs it fails with <c>crashed</c> instead of
/// stopping the service on every start. On RabbitMQ the queue is durable: only documents never handed over are sent.
/// </summary>
public sealed class PendingDocumentsResumer(
    IDocumentStore store,
    DocumentIntake intake,
    BlobFolder blobs,
    IConfiguration configuration,
    FailedFolder failedFolder,
    DocumentStateChanges changes,
    IBus publisher,
    IOptions<GatewayOptions> options,
    StartupRecovery recovery,
    TimeProvider time,
    ILogger<PendingDocumentsResumer> logger) : BackgroundService
{
    private IReadOnlyList<DocumentRecord> _pending = [];

    /// <summary>Recovers intake before the hosted services after this one (the inbox watcher) start.</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // The documents to send again are the ones pending now, before anything below or the inbox watcher queues more:
        // those are sent already and must not be sent twice.
        var pending = await store.ListByStateAsync([DocumentState.Received, DocumentState.Processing], cancellationToken);
        _pending = pending.Where(r => r.Sha256 is not null).ToList();
        foreach (var record in pending.Where(r => r.Sha256 is null))
        {
            logger.LogInformation("{FileName}  intake interrupted by a restart; finishing it", record.FileName);
            await intake.ResumeIntakeAsync(record, cancellationToken);
        }
        foreach (var (id, file) in blobs.Enumerate().ToList())
        {
            await RecoverBlobAsync(id, file, cancellationToken);
        }
        await base.StartAsync(cancellationToken);
    }

    private async Task RecoverBlobAsync(string id, string? file, CancellationToken cancellationToken)
    {
        var record = await store.FindAsync(id, cancellationToken);
        if (file is null)
        {
            if (record is null || record.State is DocumentState.Completed or DocumentState.Failed)
            {
                DocumentIntake.DeleteBlob(Path.Combine(blobs.Root, id, "-"));
            }
            return;
        }
        switch (record?.State)
        {
            case null when DocumentIds.IsValid(id):
                await intake.AdoptAsync(id, file, cancellationToken);
                break;
            case DocumentState.Completed:
                DocumentIntake.DeleteBlob(file);
                break;
            case DocumentState.Failed:
                await failedFolder.KeepAsync($"{Hosting.Blobs.BlobKeys.Sources}/{id}/{Path.GetFileName(file)}", new FailureReport(record.Id, record.FileName, record.Reason ?? FailureReason.Internal,
                    record.Message ?? string.Empty, record.Retryable, record.FinishedAt ?? time.GetUtcNow()), cancellationToken);
                break;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await ResumePendingAsync(stoppingToken);
        }
        finally
        {
            recovery.Complete();
        }
    }

    private async Task ResumePendingAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.ResumePendingOnStart)
        {
            return;
        }
        var pending = _pending;
        if (GatewayHostingExtensions.DurableTransport(configuration))
        {
            // On a durable broker a command sent before the restart is still queued or will be delivered again: sending it
            // once more would annotate the document twice. Only the ones never handed over are sent; documents stuck
            // in flight are the sweeper's (Annotate:Jobs, SweepStuckDocumentsJob).
            pending = pending.Where(r => r.Dispatches == 0).ToList();
        }
        // In flight when the process died (or handed over before and still not finished): any of them may be the cause.
        var suspects = pending.Where(r => r.State == DocumentState.Processing || r.Dispatches >= 2).ToList();
        foreach (var record in suspects)
        {
            await ResumeAloneAsync(record, stoppingToken);
        }
        foreach (var record in pending.Except(suspects))
        {
            await ResumeAsync(record, stoppingToken);
        }
    }

    private async Task ResumeAloneAsync(DocumentRecord record, CancellationToken stoppingToken)
    {
        if (record.Dispatches >= options.Value.CrashedAttempts)
        {
            await FailAsync(record, FailureReason.Crashed,
                $"'{record.FileName}' was being annotated when the process stopped, {record.Dispatches} times; it is not tried again so it cannot stop the service again.",
                stoppingToken);
            return;
        }
        // Wait for the outcome before the next suspect, bounded so one hung document cannot hold the others back forever.
        var finished = changes.WhenFinishedAsync(record.Id, stoppingToken);
        if (!await ResumeAsync(record, stoppingToken))
        {
            changes.Forget(record.Id);
            return;
        }
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        bound.CancelAfter(options.Value.SuspectWait);
        try
        {
            await finished.WaitAsync(bound.Token);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            changes.Forget(record.Id);
            logger.LogWarning("{FileName}  still not finished after {Wait}; resuming the others", record.FileName, options.Value.SuspectWait);
        }
    }

    private async Task<bool> ResumeAsync(DocumentRecord record, CancellationToken stoppingToken)
    {
        if (record.SourceUri is { } source && File.Exists(blobs.LocalPath(source)))
        {
            logger.LogInformation("{FileName}  resumed after restart ({State})", record.FileName, record.State);
            // Counted only if nobody (a sweeper of another gateway sharing the state store) handed it over since it was read.
            return await intake.DispatchAsync(record, stoppingToken, expectedDispatches: record.Dispatches);
        }
        if (failedFolder.FindReport(record.FileName, record.Id) is { } report)
        {
            // The process died after moving the file to the failed folder and before recording the failure.
            await FailAsync(record, report.Reason, report.Message, stoppingToken, report.Retryable);
            return false;
        }
        await FailAsync(record, FailureReason.SourceMissing,
            $"'{record.FileName}' was queued before a restart and its bytes are no longer there.", stoppingToken);
        return false;
    }

    private Task FailAsync(DocumentRecord record, string reason, string message, CancellationToken cancellationToken, bool retryable = false) =>
        publisher.Publish(new DocumentAnnotationFailed
        {
            DocumentId = record.Id,
            FileName = record.FileName,
            Reason = reason,
            Message = message,
            Retryable = retryable,
            CorrelationId = record.CorrelationId,
            FailedAt = time.GetUtcNow(),
        }, cancellationToken);
}
