using Annotate.Gateway.Storage;
using Annotate.Messages;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Annotate.Gateway.Intake;

/// <summary>
/// With <see cref="GatewayOptions.SkipExactDuplicates"/>, keeps a document whose bytes an earlier document of its tenant
/// and profile already has from being annotated: it waits for that document and completes with its outputs
/// (<see cref="DocumentAnnotated.DuplicateOf"/> names it), or is annotated after all when that one fails. Completion goes
/// through the ordinary <see cref="DocumentAnnotated"/> event, so the inbox file, metrics and listeners see a completion
/// like any other.
/// </summary>
public sealed class ExactDuplicates(IDocumentStore store, IBus publisher, IOptions<GatewayOptions> options, TimeProvider time, ILoggerFactory loggers)
{
    /// <summary>
    /// Makes a document just received wait for the earlier document with its bytes, when skipping is on and there is one;
    /// returns that document's id, or null when this one is to be annotated (skipping off, no earlier copy, or the copy
    /// failed meanwhile).
    /// </summary>
    public async Task<string?> TryWaitAsync(DocumentRecord record, CancellationToken cancellationToken)
    {
        if (!options.Value.SkipExactDuplicates || record.Sha256 is not { } sha256)
        {
            return null;
        }
        if (await store.FindEarliestCopyAsync(sha256, record.Tenant, record.Profile, record.Id, record.ReceivedAt, cancellationToken) is not { } earlier
            || !await store.SetDuplicateOfAsync(record.Id, earlier.Id, cancellationToken))
        {
            return null;
        }
        // Read again after waiting is recorded: an earlier document that finished in between was not seen finishing by
        // ReleaseAsync, so it is dealt with here; one that finishes after this read finds this document waiting.
        earlier = await store.FindAsync(earlier.Id, cancellationToken);
        switch (earlier)
        {
            case { State: DocumentState.Completed, OutputUri: not null, PurgedAt: null }:
                await CompleteAsync(record, earlier.Id, Outputs(earlier), cancellationToken);
                break;
            case null or { State: DocumentState.Failed } or { State: DocumentState.Completed }:
                await store.SetDuplicateOfAsync(record.Id, null, cancellationToken);
                return null;
        }
        loggers.CreateLogger("Annotate").LogInformation("{FileName}  same content as document {Earlier} of the same tenant and profile: not annotated again",
            record.FileName, earlier.Id);
        return earlier.Id;
    }

    /// <summary>After <paramref name="done"/> completed: completes every document waiting for it with its outputs.</summary>
    public async Task ReleaseAsync(DocumentAnnotated done, CancellationToken cancellationToken)
    {
        foreach (var waiting in await store.ListWaitingDuplicatesAsync(done.DocumentId, cancellationToken))
        {
            await CompleteAsync(waiting, done.DocumentId, done, cancellationToken);
        }
    }

    /// <summary>After <paramref name="failedId"/> failed: the documents waiting for it are annotated on their own after all.</summary>
    public async Task ReleaseFailedAsync(string failedId, DocumentIntake intake, CancellationToken cancellationToken)
    {
        foreach (var waiting in await store.ListWaitingDuplicatesAsync(failedId, cancellationToken))
        {
            if (await store.SetDuplicateOfAsync(waiting.Id, null, cancellationToken))
            {
                await intake.DispatchAsync(waiting with { DuplicateOf = null }, cancellationToken);
            }
        }
    }

    private static DocumentAnnotated Outputs(DocumentRecord earlier) => new()
    {
        DocumentId = earlier.Id,
        OutputUri = earlier.OutputUri!,
        Outputs = earlier.Outputs,
        Digest = earlier.Digest ?? new AnnotationDigest { Format = "unknown" },
        Timings = earlier.Timings ?? new StageTimings(),
        ProfileFingerprint = earlier.ProfileFingerprint,
        ModelSha256 = earlier.ModelSha256,
    };

    // The earlier document's outputs, under the duplicate's id: its downloads read the earlier document's files.
    private Task CompleteAsync(DocumentRecord duplicate, string earlierId, DocumentAnnotated earlier, CancellationToken cancellationToken) =>
        publisher.Publish(earlier with
        {
            DocumentId = duplicate.Id,
            FileName = duplicate.FileName,
            DuplicateOf = earlierId,
            CorrelationId = duplicate.CorrelationId,
            Timings = new StageTimings { TotalMs = 0 },
            ModelTokensIn = null,
            ModelTokensOut = null,
            CompletedAt = time.GetUtcNow(),
        }, cancellationToken);
}
