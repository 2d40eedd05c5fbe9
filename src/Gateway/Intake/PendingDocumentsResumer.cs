using Annotate.Gateway.Storage;
using Annotate.Messages;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Annotate.Gateway.Intake;

/// <summary>
/// At start-up, sends again the documents a previous run left in Received or Processing (the in-memory transport
/// loses queued messages when the process stops), and fails those whose bytes are gone, so none stays stuck.
/// </summary>
public sealed class PendingDocumentsResumer(
    IDocumentStore store,
    IBus publisher,
    IOptions<GatewayOptions> options,
    TimeProvider time,
    ILogger<PendingDocumentsResumer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.ResumePendingOnStart)
        {
            return;
        }
        var pending = await store.ListByStateAsync([DocumentState.Received, DocumentState.Processing], stoppingToken);
        foreach (var record in pending)
        {
            if (record.SourceUri is { } source && File.Exists(BlobFolder.LocalPath(source)))
            {
                logger.LogInformation("{FileName}  resumed after restart ({State})", record.FileName, record.State);
                await publisher.Publish(DocumentIntake.ToCommand(record), stoppingToken);
            }
            else
            {
                await publisher.Publish(new DocumentAnnotationFailed
                {
                    DocumentId = record.Id,
                    FileName = record.FileName,
                    Reason = "source-missing",
                    Message = $"'{record.FileName}' was queued before a restart and its bytes are no longer at {record.SourceUri}.",
                    CorrelationId = record.CorrelationId,
                    FailedAt = time.GetUtcNow(),
                }, stoppingToken);
            }
        }
    }
}
