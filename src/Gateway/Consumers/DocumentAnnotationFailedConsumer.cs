using System.Text.Json;
using Annotate.Gateway.Intake;
using Annotate.Gateway.Storage;
using Annotate.Messages;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Annotate.Gateway.Consumers;

/// <summary>
/// Records a failed document and moves its file to the failed folder with <c>&lt;name&gt;.error.json</c> beside it,
/// so nothing dropped into the inbox is lost.
/// </summary>
public sealed class DocumentAnnotationFailedConsumer(
    IDocumentStore store,
    BlobFolder blobs,
    IOptions<GatewayOptions> options,
    ILoggerFactory loggers) : IConsumer<DocumentAnnotationFailed>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public async Task Consume(ConsumeContext<DocumentAnnotationFailed> context)
    {
        var failed = context.Message;
        // Events travel on separate queues: this one may overtake the Started event of a document another system
        // queued, so make sure the record exists; a late Started event then leaves the final state alone.
        await store.TryAddAsync(new DocumentRecord
        {
            Id = failed.DocumentId,
            FileName = failed.FileName ?? failed.DocumentId,
            Channel = "message",
            State = DocumentState.Received,
            CorrelationId = failed.CorrelationId,
            ReceivedAt = failed.FailedAt,
        }, context.CancellationToken);
        await store.MarkFailedAsync(failed.DocumentId, failed.Reason, failed.Message, failed.Retryable, failed.FailedAt, context.CancellationToken);
        var record = await store.FindAsync(failed.DocumentId, context.CancellationToken);
        var fileName = failed.FileName ?? record?.FileName ?? failed.DocumentId;

        if (record?.SourceUri is { } source && blobs.Owns(source))
        {
            var folder = Path.GetFullPath(options.Value.Failed);
            Directory.CreateDirectory(folder);
            var target = FileNames.Unique(folder, FileNames.Safe(fileName));
            var blob = BlobFolder.LocalPath(source);
            if (File.Exists(blob))
            {
                File.Move(blob, target);
                DocumentIntake.DeleteBlob(blob);
            }
            await File.WriteAllTextAsync(target + ".error.json", JsonSerializer.Serialize(new
            {
                documentId = failed.DocumentId,
                fileName,
                reason = failed.Reason,
                message = failed.Message,
                retryable = failed.Retryable,
                failedAt = failed.FailedAt,
            }, Json), context.CancellationToken);
        }
        // One console line per document, under a short category.
        loggers.CreateLogger("Annotate").LogWarning("{FileName}  Failed ({Reason})  {Message}", fileName, failed.Reason, failed.Message);
    }
}
