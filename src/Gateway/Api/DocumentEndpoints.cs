using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Profiles;
using Annotate.Annotators.Readers;
using Annotate.Gateway.Intake;
using Annotate.Gateway.Storage;
using Annotate.Hosting.Blobs;
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

    // Room for the multipart framing and the small fields (profile, correlationId) around a document at the size limit.
    private const long FormOverheadBytes = 1024 * 1024;

    // Small fields only (profile, correlationId); a part's headers hold little more than its file name.
    private const int FieldValueLimit = 4096;
    private const int PartHeadersLimit = 16 * 1024;

    private static async Task<IResult> UploadAsync(HttpRequest request, DocumentIntake intake, ProfileCatalog profiles,
        IOptions<ReaderOptions> readerOptions, CancellationToken cancellationToken)
    {
        var limit = readerOptions.Value.MaxDocumentBytes;
        if (request.ContentLength > limit + FormOverheadBytes)
        {
            // Refused before a byte is read: the client said how much it will send.
            return Problem(StatusCodes.Status413PayloadTooLarge, FailureReason.TooLarge,
                $"The upload declares {request.ContentLength:N0} bytes, over the limit of {limit:N0} bytes for a document (Annotate:Readers:MaxDocumentBytes).");
        }
        var sizeFeature = request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeFeature is { IsReadOnly: false })
        {
            sizeFeature.MaxRequestBodySize = limit + FormOverheadBytes;
        }
        if (!request.HasFormContentType)
        {
            return Problem(StatusCodes.Status400BadRequest, "invalid-request", "Send the document as multipart/form-data with a 'file' field.");
        }
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(new FormOptions
            {
                MultipartBodyLengthLimit = limit + 1,
                ValueLengthLimit = FieldValueLimit,
                MultipartHeadersLengthLimit = PartHeadersLimit,
            }, cancellationToken);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException)
        {
            return UnreadableForm(ex, limit);
        }
        var file = form.Files.GetFile("file") ?? (form.Files.Count > 0 ? form.Files[0] : null);
        if (file is null)
        {
            return Problem(StatusCodes.Status400BadRequest, "invalid-request", "The form has no file: send the document in a field named 'file'.");
        }
        if (file.Length > limit)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, FailureReason.TooLarge,
                $"'{FileNames.Safe(file.FileName)}' is {file.Length:N0} bytes, over the limit of {limit:N0} bytes.");
        }
        string? profile = form["profile"].FirstOrDefault() is { Length: > 0 } p ? p : null;
        if (profile is not null && !profiles.Names.Contains(profile, StringComparer.OrdinalIgnoreCase))
        {
            return Problem(StatusCodes.Status400BadRequest, "invalid-request",
                // A multipart field is not bounded like a urlencoded one: echo only the start of a long name.
                $"Unknown profile '{(profile.Length <= 100 ? profile : profile[..100] + "…")}'; configured profiles: {string.Join(", ", profiles.Names)}.");
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

    private static async Task<IResult> DownloadAsync(string id, string name, IDocumentStore store, IBlobStore blobs, CancellationToken cancellationToken)
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
        // Outputs are read through the blob store (the worker that wrote them may be another machine); records written by
        // earlier versions hold a folder path instead.
        Stream? content = BlobReference.KeyOf(record.OutputUri) is { } prefix
            ? BlobKeys.IsValid(prefix + output.Name) ? await blobs.OpenReadAsync(prefix + output.Name, cancellationToken) : null
            : File.Exists(Path.Combine(record.OutputUri, output.Name)) ? File.OpenRead(Path.Combine(record.OutputUri, output.Name)) : null;
        return content is not null
            ? Results.Stream(content, output.MediaType, output.Name, enableRangeProcessing: content.CanSeek)
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

    /// <summary>
    /// Says what is wrong with a body that <c>ReadFormAsync</c> could not read.
    /// The form reader reports every problem as an <see cref="InvalidDataException"/> or <see cref="IOException"/> told
    /// apart only by its message; only a part longer than the limit means the upload is too large.
    /// </summary>
    private static IResult UnreadableForm(Exception ex, long limit)
    {
        if (ex is BadHttpRequestException badRequest)
        {
            return badRequest.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? Problem(StatusCodes.Status413PayloadTooLarge, FailureReason.TooLarge,
                    $"The upload is over the limit of {limit:N0} bytes for a document (Annotate:Readers:MaxDocumentBytes).")
                : Problem(badRequest.StatusCode, "invalid-request", $"The request body could not be read: {badRequest.Message}");
        }
        var message = ex.Message;
        bool Says(string text) => message.Contains(text, StringComparison.OrdinalIgnoreCase);
        if (ex is InvalidDataException && Says("Multipart body length limit"))
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, FailureReason.TooLarge,
                $"The upload is over the limit of {limit:N0} bytes for a document (Annotate:Readers:MaxDocumentBytes).");
        }
        var detail = ex switch
        {
            InvalidDataException when Says("Missing content-type boundary") =>
                "The Content-Type multipart/form-data has no boundary parameter, so the parts of the body cannot be found.",
            InvalidDataException when Says("boundary length limit") =>
                "The multipart boundary is longer than the 70 characters RFC 2046 allows.",
            InvalidDataException when Says("before the first boundary") =>
                "The body is not valid multipart/form-data: the boundary named in the Content-Type does not start it.",
            InvalidDataException when Says("Line length limit") || Says("headers length limit") || Says("headers count limit") =>
                $"The headers of a part are too long or too many (at most {PartHeadersLimit:N0} bytes in all): is the file name too long?",
            InvalidDataException when Says("value count limit") || Says("key or value length limit") || Says("value length limit") =>
                $"A form field is too long (at most {FieldValueLimit:N0} characters) or there are too many fields: send only 'file', 'profile' and 'correlationId'.",
            InvalidDataException =>
                $"The body is not valid multipart/form-data: {message}",
            _ when Says("Unexpected end of Stream") =>
                "The body is not valid multipart/form-data: it ended before the closing boundary (was the upload cut off?).",
            _ => $"The request body could not be read: {message}",
        };
        return Problem(StatusCodes.Status400BadRequest, "invalid-request", detail);
    }

    private static IResult Problem(int status, string reason, string detail) =>
        Results.Problem(detail: detail, statusCode: status, title: reason, extensions: new Dictionary<string, object?> { ["reason"] = reason });
}
