using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Profiles;
using Annotate.Annotators.Readers;
using Annotate.Gateway.Intake;
using Annotate.Gateway.Storage;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Annotate.Gateway.Api;

/// <summary>HTTP API: upload a document, read its status, download its outputs.</summary>
public static class DocumentEndpoints
{
    public static IEndpointRouteBuilder MapDocumentEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/documents");
        api.MapPost("/", UploadAsync).DisableAntiforgery();
        api.MapGet("/", ListAsync);
        api.MapGet("/{id}", GetAsync).WithName("GetDocument");
        api.MapGet("/{id}/files/{name}", DownloadAsync);
        return app;
    }

    private static async Task<IResult> UploadAsync(HttpRequest request, DocumentIntake intake, ProfileCatalog profiles,
        IOptions<ReaderOptions> readerOptions, CancellationToken cancellationToken)
    {
        var limit = readerOptions.Value.MaxDocumentBytes;
        var sizeFeature = request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeFeature is { IsReadOnly: false })
        {
            sizeFeature.MaxRequestBodySize = limit + (1024 * 1024);
        }
        if (!request.HasFormContentType)
        {
            return Problem(StatusCodes.Status400BadRequest, "invalid-request", "Send the document as multipart/form-data with a 'file' field.");
        }
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(new FormOptions { MultipartBodyLengthLimit = limit + 1, ValueLengthLimit = 4096 }, cancellationToken);
        }
        catch (Exception ex) when (ex is InvalidDataException or BadHttpRequestException)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, FailureReason.TooLarge,
                $"The upload is over the limit of {limit:N0} bytes (Annotate:Readers:MaxDocumentBytes).");
        }
        var file = form.Files.GetFile("file") ?? (form.Files.Count > 0 ? form.Files[0] : null);
        if (file is null)
        {
            return Problem(StatusCodes.Status400BadRequest, "invalid-request", "The form has no file: send the document in a field named 'file'.");
        }
        if (file.Length > limit)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, FailureReason.TooLarge,
                $"'{file.FileName}' is {file.Length:N0} bytes, over the limit of {limit:N0} bytes.");
        }
        string? profile = form["profile"].FirstOrDefault() is { Length: > 0 } p ? p : null;
        if (profile is not null && !profiles.Names.Contains(profile, StringComparer.OrdinalIgnoreCase))
        {
            return Problem(StatusCodes.Status400BadRequest, "invalid-request",
                $"Unknown profile '{profile}'; configured profiles: {string.Join(", ", profiles.Names)}.");
        }
        var correlationId = form["correlationId"].FirstOrDefault();
        await using var stream = file.OpenReadStream();
        var record = await intake.SubmitAsync(stream, FileNames.Safe(file.FileName), "upload", profile, correlationId, cancellationToken);
        var status = $"/api/documents/{record.Id}";
        return Results.Accepted(status, new { id = record.Id, state = record.State.ToString(), status, duplicateOf = record.DuplicateOf });
    }

    private static async Task<IResult> ListAsync(IDocumentStore store, int? limit, CancellationToken cancellationToken)
    {
        var records = await store.ListAsync(Math.Clamp(limit ?? 50, 1, 500), cancellationToken);
        return Results.Ok(records.Select(ToView));
    }

    private static async Task<IResult> GetAsync(string id, IDocumentStore store, CancellationToken cancellationToken)
    {
        var record = await store.FindAsync(id, cancellationToken);
        return record is null
            ? Problem(StatusCodes.Status404NotFound, "not-found", $"No document with id '{id}'.")
            : Results.Ok(ToView(record));
    }

    private static async Task<IResult> DownloadAsync(string id, string name, IDocumentStore store, CancellationToken cancellationToken)
    {
        var record = await store.FindAsync(id, cancellationToken);
        if (record is null)
        {
            return Problem(StatusCodes.Status404NotFound, "not-found", $"No document with id '{id}'.");
        }
        // Only files the worker reported can be downloaded: the name is matched, never used as a path on its own.
        var output = record.Outputs.FirstOrDefault(o => string.Equals(o.Name, name, StringComparison.Ordinal));
        if (record.State != DocumentState.Completed || output is null || record.OutputUri is null)
        {
            return Problem(StatusCodes.Status404NotFound, "not-found", $"Document '{id}' has no output named '{name}'.");
        }
        var path = Path.Combine(record.OutputUri, output.Name);
        return File.Exists(path)
            ? Results.File(path, output.MediaType, output.Name)
            : Problem(StatusCodes.Status410Gone, "gone", $"'{name}' of document '{id}' is no longer in the outbox.");
    }

    private static object ToView(DocumentRecord r) => new
    {
        id = r.Id,
        fileName = r.FileName,
        state = r.State.ToString(),
        channel = r.Channel,
        profile = r.Profile,
        reason = r.Reason,
        message = r.Message,
        retryable = r.Retryable,
        duplicateOf = r.DuplicateOf,
        sha256 = r.Sha256,
        sizeBytes = r.SizeBytes,
        attempts = r.Attempts,
        receivedAt = r.ReceivedAt,
        startedAt = r.StartedAt,
        finishedAt = r.FinishedAt,
        timings = r.Timings,
        digest = r.Digest,
        outputs = r.Outputs.Select(o => new { o.Name, o.Kind, o.MediaType, o.SizeBytes, url = $"/api/documents/{r.Id}/files/{Uri.EscapeDataString(o.Name)}" }),
    };

    private static IResult Problem(int status, string reason, string detail) =>
        Results.Problem(detail: detail, statusCode: status, title: reason, extensions: new Dictionary<string, object?> { ["reason"] = reason });
}
