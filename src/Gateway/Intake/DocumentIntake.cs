using System.Security.Cryptography;
using Annotate.Annotators.Models;
using Annotate.Annotators.Profiles;
using Annotate.Gateway.Storage;
using Annotate.Messages;
using Annotate.Worker;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Annotate.Gateway.Intake;

/// <summary>
/// Accepts a document from any channel: stores its bytes, records it as Received and sends the annotate command.
/// Content already annotated with the same profile completes at once as a duplicate, reusing the earlier outputs.
/// </summary>
public sealed class DocumentIntake(
    IDocumentStore store,
    ProfileCatalog profiles,
    ILanguageModel model,
    IBus publisher,
    IOptions<GatewayOptions> gatewayOptions,
    IOptions<WorkerOptions> workerOptions,
    TimeProvider time,
    ILoggerFactory loggers)
{
    /// <summary>Stores an uploaded stream and queues it.</summary>
    public async Task<DocumentRecord> SubmitAsync(Stream content, string fileName, string channel, string? profile, string? correlationId, CancellationToken cancellationToken)
    {
        var id = NewId();
        var blob = BlobPath(id, fileName);
        string sha256;
        await using (var target = new FileStream(blob, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[81920];
            int read;
            while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
            sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
        }
        return await AcceptAsync(id, blob, fileName, sha256, channel, profile, correlationId, cancellationToken);
    }

    /// <summary>Takes a settled file out of the watched folder (a move, so it is taken once) and queues it.</summary>
    public async Task<DocumentRecord> ClaimAsync(string path, string fileName, string? profile, CancellationToken cancellationToken)
    {
        var id = NewId();
        var blob = BlobPath(id, fileName);
        File.Move(path, blob);
        string sha256;
        await using (var stream = File.OpenRead(blob))
        {
            sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
        }
        return await AcceptAsync(id, blob, fileName, sha256, "inbox", profile, null, cancellationToken);
    }

    private async Task<DocumentRecord> AcceptAsync(string id, string blob, string fileName, string sha256, string channel,
        string? profile, string? correlationId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var record = new DocumentRecord
        {
            Id = id,
            FileName = fileName,
            Channel = channel,
            State = DocumentState.Received,
            Profile = profile,
            SourceUri = new Uri(blob).AbsoluteUri,
            Sha256 = sha256,
            SizeBytes = new FileInfo(blob).Length,
            CorrelationId = correlationId,
            ReceivedAt = now,
        };

        if (await TryCompleteAsDuplicateAsync(record, blob, cancellationToken) is { } duplicate)
        {
            return duplicate;
        }

        await store.TryAddAsync(record, cancellationToken);
        await publisher.Publish(new DocumentReceived
        {
            DocumentId = id,
            FileName = fileName,
            SourceUri = record.SourceUri,
            Channel = channel,
            SizeBytes = record.SizeBytes,
            ContentSha256 = sha256,
            Profile = profile,
            CorrelationId = correlationId,
            ReceivedAt = now,
        }, cancellationToken);
        await publisher.Publish(ToCommand(record), cancellationToken);
        return record;
    }

    /// <summary>The command that (re)queues a recorded document.</summary>
    public static AnnotateDocument ToCommand(DocumentRecord record) => new()
    {
        DocumentId = record.Id,
        SourceUri = record.SourceUri!,
        FileName = record.FileName,
        Profile = record.Profile,
        CorrelationId = record.CorrelationId,
        ContentSha256 = record.Sha256,
        SubmittedAt = record.ReceivedAt,
    };

    private async Task<DocumentRecord?> TryCompleteAsDuplicateAsync(DocumentRecord record, string blob, CancellationToken cancellationToken)
    {
        var earlier = await store.FindCompletedAsync(record.Sha256!, record.Profile, cancellationToken);
        if (earlier?.OutputUri is not { } earlierOutput || !Directory.Exists(earlierOutput) || earlier.Digest is null)
        {
            return null;
        }
        // Reuse only what the same settings would produce again: same profile settings, same model (or none).
        var fingerprint = profiles.Contains(record.Profile ?? AnnotationProfile.DefaultName) ? profiles.Get(record.Profile).Fingerprint() : null;
        var modelSha256 = model.Status.IsAvailable ? model.Status.Sha256 : null;
        if (earlier.ProfileFingerprint != fingerprint || earlier.ModelSha256 != modelSha256)
        {
            return null;
        }
        var output = Path.Combine(Path.GetFullPath(workerOptions.Value.Outbox), record.Id);
        Directory.CreateDirectory(output);
        foreach (var file in Directory.EnumerateFiles(earlierOutput))
        {
            File.Copy(file, Path.Combine(output, Path.GetFileName(file)), overwrite: true);
        }
        var completion = new DocumentCompletion(output, earlier.Outputs, earlier.Digest,
            new StageTimings(), time.GetUtcNow(), DuplicateOf: earlier.Id, ProfileFingerprint: fingerprint, ModelSha256: modelSha256);
        await store.TryAddAsync(record, cancellationToken);
        await store.MarkCompletedAsync(record.Id, completion, cancellationToken);
        DeleteBlob(blob);
        loggers.CreateLogger("Annotate").LogInformation("{FileName}  Completed  duplicate of {Earlier}, outputs reused  → {Output}", record.FileName, earlier.Id, output);
        return await store.FindAsync(record.Id, cancellationToken);
    }

    private string BlobPath(string id, string fileName)
    {
        var directory = Path.Combine(Path.GetFullPath(gatewayOptions.Value.Blobs), id);
        Directory.CreateDirectory(directory);
        return Path.Combine(directory, FileNames.Safe(fileName));
    }

    private string NewId() => Guid.CreateVersion7(time.GetUtcNow()).ToString("N");

    /// <summary>Deletes a stored blob and its folder.</summary>
    public static void DeleteBlob(string blob)
    {
        if (File.Exists(blob))
        {
            File.Delete(blob);
        }
        var directory = Path.GetDirectoryName(blob);
        if (directory is not null && Directory.Exists(directory) && !Directory.EnumerateFileSystemEntries(directory).Any())
        {
            Directory.Delete(directory);
        }
    }
}
