using Annotate.Annotators.Pipeline;
using Annotate.Gateway.Intake;
using Annotate.Gateway.Storage;
using Annotate.Messages;
using MassTransit;

namespace Annotate.Gateway.Api;

/// <summary>Re-drive (send failed documents again) and cancel, for the dashboard and any client.</summary>
public static class RedriveEndpoints
{
    /// <summary>Most failed documents one request re-drives; the rest stay for the next.</summary>
    public const int BatchLimit = 500;

    // Failed documents read from the store at a time.
    private const int PageSize = 100;

    public static IEndpointRouteBuilder MapRedriveEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/documents").ForTenants();
        api.MapPost("/{id}/redrive", RedriveOneAsync).DisableAntiforgery();
        api.MapPost("/redrive", RedriveByReasonAsync).DisableAntiforgery();
        api.MapPost("/{id}/cancel", CancelAsync).DisableAntiforgery();
        return app;
    }

    private static async Task<IResult> RedriveOneAsync(string id, HttpContext http, IDocumentStore store, Redrive redrive, CancellationToken cancellationToken)
    {
        var record = await store.FindOwnAsync(id, http, cancellationToken);
        if (record is null)
        {
            return Problem(StatusCodes.Status404NotFound, "not-found", $"No document with id '{id}'.");
        }
        if (record.State != DocumentState.Failed)
        {
            return Problem(StatusCodes.Status409Conflict, "not-failed", $"'{record.FileName}' is {record.State}: only failed documents are sent again.");
        }
        return await redrive.RunAsync(record, cancellationToken) is { } again
            ? Results.Accepted($"/api/documents/{again.Id}", Redriven.Of(again, record))
            : Problem(StatusCodes.Status409Conflict, "source-missing",
                $"The bytes of '{record.FileName}' are no longer kept (not in the failed folder, and pruned from the store); send the file again.");
    }

    private static async Task<IResult> RedriveByReasonAsync(string? reason, HttpContext http, IDocumentStore store, Redrive redrive, TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(reason))
        {
            return Problem(StatusCodes.Status400BadRequest, "invalid-request", "Say which failures to send again: ?reason=<reason> (for example corrupt or timeout).");
        }
        // Page by page from the store (the caller's tenant only), oldest first, so no more than a page is held at a time.
        var tenant = ApiKeyFilter.TenantOf(http);
        // Only documents received before this request: the copies it sends are received later and, failing again for the
        // same reason while the pages are read, would otherwise be sent again themselves.
        var asOf = time.GetUtcNow();
        var sent = new List<Redriven>();
        var notKept = 0;
        FailedPageCursor? after = null;
        var reachedNow = false;
        while (!reachedNow && sent.Count + notKept < BatchLimit)
        {
            var page = await store.ListFailedAsync(tenant, reason, after, Math.Min(PageSize, BatchLimit - sent.Count - notKept), cancellationToken);
            foreach (var record in page)
            {
                if (record.ReceivedAt >= asOf)
                {
                    // Pages come oldest first: everything after this one is newer still.
                    reachedNow = true;
                    break;
                }
                if (await redrive.RunAsync(record, cancellationToken) is { } again)
                {
                    sent.Add(Redriven.Of(again, record));
                }
                else
                {
                    notKept++;
                }
            }
            if (page.Count == 0)
            {
                break;
            }
            after = FailedPageCursor.After(page[^1]);
        }
        return Results.Ok(new RedriveBatch(reason, sent, notKept));
    }

    private static async Task<IResult> CancelAsync(string id, HttpContext http, IDocumentStore store, IBus bus, TimeProvider time, CancellationToken cancellationToken)
    {
        var record = await store.FindOwnAsync(id, http, cancellationToken);
        if (record is null)
        {
            return Problem(StatusCodes.Status404NotFound, "not-found", $"No document with id '{id}'.");
        }
        if (record.State is DocumentState.Completed or DocumentState.Failed)
        {
            return Problem(StatusCodes.Status409Conflict, "finished", $"'{record.FileName}' is already {record.State}.");
        }
        // The document fails as cancelled at once; a worker that has already started it finishes, and its outcome is
        // ignored because the document is final (its outputs are never offered for download).
        await bus.Publish(new DocumentAnnotationFailed
        {
            DocumentId = record.Id,
            FileName = record.FileName,
            Reason = FailureReason.Cancelled,
            Message = $"'{record.FileName}' was cancelled by a user while it was {record.State}.",
            Retryable = true,
            CorrelationId = record.CorrelationId,
            FailedAt = time.GetUtcNow(),
        }, cancellationToken);
        return Results.Accepted($"/api/documents/{record.Id}", new Cancelled(record.Id, $"/api/documents/{record.Id}"));
    }

    private static IResult Problem(int status, string reason, string detail) =>
        Results.Problem(detail: detail, statusCode: status, title: reason, extensions: new Dictionary<string, object?> { ["reason"] = reason });
}

/// <summary>A failed document sent again as a new one.</summary>
/// <param name="Id">The new document's id.</param>
/// <param name="State">Its state.</param>
/// <param name="Status">Where to follow it.</param>
/// <param name="RedriveOf">The failed document it repeats.</param>
public sealed record Redriven(string Id, string State, string Status, string RedriveOf)
{
    internal static Redriven Of(DocumentRecord again, DocumentRecord failed) =>
        new(again.Id, again.State.ToString(), $"/api/documents/{again.Id}", failed.Id);
}

/// <summary>What a re-drive by reason did.</summary>
/// <param name="Reason">The reason asked for.</param>
/// <param name="Redriven">The documents sent again.</param>
/// <param name="NotKept">Failed documents whose bytes are no longer kept, so they could not be sent again.</param>
public sealed record RedriveBatch(string Reason, IReadOnlyList<Redriven> Redriven, int NotKept);

/// <summary>A cancellation accepted: the document fails with reason <c>cancelled</c>.</summary>
/// <param name="Id">The document.</param>
/// <param name="Status">Where to follow it.</param>
public sealed record Cancelled(string Id, string Status);
