using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Annotate.Gateway.Api;
using Annotate.Gateway.Storage;
using Annotate.Hosting.Blobs;

namespace Annotate.Gateway.Review;

/// <summary>Review and correction of a document's annotations, and the export of reviewed documents as a data set.</summary>
public static class ReviewEndpoints
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static IEndpointRouteBuilder MapReviewEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").ForTenants();
        api.MapGet("/documents/{id}/review", GetAsync);
        api.MapPut("/documents/{id}/review", PutAsync).DisableAntiforgery();
        api.MapGet("/reviews.jsonl", ExportAsync);
        return app;
    }

    private static async Task<IResult> GetAsync(string id, HttpContext http, IDocumentStore store, ReviewStore reviews, CancellationToken cancellationToken)
    {
        var record = await store.FindOwnAsync(id, http, cancellationToken);
        if (record is null)
        {
            return Problem(StatusCodes.Status404NotFound, "not-found", $"No document with id '{id}'.");
        }
        // Not reviewed yet is an answer about a document that exists, not a missing resource.
        return await reviews.FindAsync(record, cancellationToken) is { } review ? Results.Ok(review) : Results.NoContent();
    }

    private static async Task<IResult> PutAsync(string id, ReviewRequest request, HttpContext http, IDocumentStore store, ReviewStore reviews, CancellationToken cancellationToken)
    {
        var record = await store.FindOwnAsync(id, http, cancellationToken);
        if (record is null)
        {
            return Problem(StatusCodes.Status404NotFound, "not-found", $"No document with id '{id}'.");
        }
        if (record.State != DocumentState.Completed)
        {
            return Problem(StatusCodes.Status409Conflict, "not-completed", $"'{record.FileName}' is {record.State}: only completed documents are reviewed.");
        }
        try
        {
            var review = await reviews.SaveAsync(record, request, cancellationToken);
            // The list shows the document as reviewed once its review is stored, never before.
            await store.MarkReviewedAsync(record.Id, review.ReviewedAt, cancellationToken);
            return Results.Ok(review);
        }
        catch (ReviewException ex)
        {
            return Problem(StatusCodes.Status400BadRequest, "invalid-request", ex.Message);
        }
    }

    /// <summary>
    /// Every reviewed document of a profile as JSON Lines, one document a line: its text (<c>content.md</c>) and the
    /// reviewed values, the pairs a model is fine-tuned on.
    /// </summary>
    private static IResult ExportAsync(string? profile, HttpContext http, IDocumentStore store, ReviewStore reviews, IBlobStore blobs) =>
        Results.Stream(async output =>
        {
            var cancellationToken = http.RequestAborted;
            await foreach (var id in reviews.ReviewedAsync(profile, cancellationToken))
            {
                // Only the caller's tenant's documents.
                if (await store.FindOwnAsync(id, http, cancellationToken) is not { } record || await reviews.FindAsync(record, cancellationToken) is not { } review)
                {
                    continue;
                }
                var text = BlobReference.KeyOf(record.OutputUri) is { } prefix && await blobs.OpenReadAsync(prefix + "content.md", cancellationToken) is { } stream
                    ? await ReadAllAsync(stream, cancellationToken)
                    : null;
                var line = new JsonObject
                {
                    ["documentId"] = review.DocumentId,
                    ["fileName"] = review.FileName,
                    ["profile"] = review.Profile ?? "default",
                    ["reviewedBy"] = review.ReviewedBy,
                    ["reviewedAt"] = review.ReviewedAt,
                    ["text"] = text,
                    ["fields"] = new JsonObject(review.Fields.Select(f => KeyValuePair.Create(f.Name, f.Value?.DeepClone()))),
                    ["metadata"] = new JsonObject(review.Metadata.Select(m => KeyValuePair.Create(m.Name, m.Value?.DeepClone()))),
                    ["values"] = review.Values?.DeepClone(),
                    ["rows"] = review.Rows is { Count: > 0 } rows ? JsonSerializer.SerializeToNode(rows, Json) : null,
                };
                await output.WriteAsync(Encoding.UTF8.GetBytes(line.ToJsonString(Json) + "\n"), cancellationToken);
            }
        }, "application/jsonl; charset=utf-8", $"reviewed-{profile ?? "default"}.jsonl");

    private static async Task<string> ReadAllAsync(Stream stream, CancellationToken cancellationToken)
    {
        await using (stream)
        {
            using var reader = new StreamReader(stream);
            return await reader.ReadToEndAsync(cancellationToken);
        }
    }

    private static IResult Problem(int status, string reason, string detail) =>
        Results.Problem(detail: detail, statusCode: status, title: reason, extensions: new Dictionary<string, object?> { ["reason"] = reason });
}
