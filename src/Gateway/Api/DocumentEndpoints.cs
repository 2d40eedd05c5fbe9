using System.IO.Compression;
using System.Net;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Profiles;
using Annotate.Annotators.Readers;
using Annotate.Gateway.Intake;
using Annotate.Gateway.Review;
using Annotate.Gateway.Storage;
using Annotate.Hosting.Blobs;
using Annotate.Messages;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Annotate.Gateway.Api;

/// <summary>HTTP API: upload documents, read their status, download their outputs; each caller sees only its tenant's documents.</summary>
public static class DocumentEndpoints
{
    public static IEndpointRouteBuilder MapDocumentEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/documents")
            .AddEndpointFilter<ApiKeyFilter>()
            .RequireRateLimiting(ApiHostingExtensions.RateLimitPolicy)
            .WithTags("Documents")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        api.MapPost("/", UploadAsync).DisableAntiforgery()
            .WithSummary("Upload documents")
            .WithDescription("multipart/form-data with one or more 'file' parts (one document each) and optional 'profile' and 'correlationId' fields.")
            .Accepts<IFormFileCollection>("multipart/form-data", "application/x-www-form-urlencoded")
            .Produces<UploadAccepted>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        api.MapGet("/", ListAsync).WithSummary("The caller's most recent documents, newest first; with 'parent', the documents found inside that one")
            .Produces<DocumentView[]>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/{id}", GetAsync).WithName("GetDocument").WithSummary("One document's state and outputs")
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/{id}/files/{name}", DownloadAsync).WithSummary("Download one output file")
            .Produces(StatusCodes.Status200OK, contentType: "application/octet-stream")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status410Gone);
        api.MapGet("/{id}/outputs.zip", DownloadZipAsync).WithSummary("Download every output file as one zip")
            .Produces(StatusCodes.Status200OK, contentType: "application/zip")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status410Gone);
        return app;
    }

    // Room for the multipart framing and the small fields (profile, correlationId) around a document at the size limit.
    private const long FormOverheadBytes = 1024 * 1024;

    // Small fields only (profile, correlationId); a part's headers hold little more than its file name.
    private const int FieldValueLimit = 4096;
    private const int PartHeadersLimit = 16 * 1024;

    private static async Task<IResult> UploadAsync(HttpContext http, DocumentIntake intake, ProfileCatalog profiles, FormatDetector detector,
        IOptions<ReaderOptions> readerOptions, IOptions<ApiOptions> apiOptions, CancellationToken cancellationToken)
    {
        var request = http.Request;
        var limit = readerOptions.Value.MaxDocumentBytes;
        var bodyLimit = apiOptions.Value.MaxUploadBytes ?? limit + FormOverheadBytes;
        if (request.ContentLength > bodyLimit)
        {
            // Refused before a byte is read: the client said how much it will send.
            return Problem(StatusCodes.Status413PayloadTooLarge, FailureReason.TooLarge,
                $"The upload declares {request.ContentLength:N0} bytes, over the limit of {bodyLimit:N0} bytes for an upload ({LimitSettings(apiOptions.Value)}).");
        }
        // Also holds when the declared length is wrong or absent (chunked): the server stops reading at the limit.
        var sizeFeature = http.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeFeature is { IsReadOnly: false })
        {
            sizeFeature.MaxRequestBodySize = bodyLimit;
        }
        // And whatever the server does with a Content-Length that is wrong: the body is counted as it is read.
        request.Body = new BoundedReadStream(request.Body, bodyLimit, () => new BadHttpRequestException(
            $"The request body is over the limit of {bodyLimit:N0} bytes.", StatusCodes.Status413PayloadTooLarge), leaveOpen: true);
        if (!request.HasFormContentType)
        {
            return Problem(StatusCodes.Status400BadRequest, "invalid-request", "Send the document as multipart/form-data with a 'file' field.");
        }
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(new FormOptions
            {
                MultipartBodyLengthLimit = Math.Min(bodyLimit, limit + 1),
                ValueLengthLimit = FieldValueLimit,
                MultipartHeadersLengthLimit = PartHeadersLimit,
                ValueCountLimit = apiOptions.Value.MaxFilesPerUpload + 16,
            }, cancellationToken);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException)
        {
            return UnreadableForm(ex, limit, bodyLimit, LimitSettings(apiOptions.Value));
        }
        var named = form.Files.GetFiles("file");
        // Parts under another name are taken when there is no 'file' part, as before several files were accepted.
        IReadOnlyList<IFormFile> files = named.Count > 0 ? named : form.Files;
        if (files.Count == 0)
        {
            return Problem(StatusCodes.Status400BadRequest, "invalid-request", "The form has no file: send the document in a field named 'file'.");
        }
        if (files.Count > apiOptions.Value.MaxFilesPerUpload)
        {
            return Problem(StatusCodes.Status400BadRequest, "too-many-files",
                $"The upload holds {files.Count} files; at most {apiOptions.Value.MaxFilesPerUpload} are accepted at once ({ApiOptions.Section}:MaxFilesPerUpload).");
        }
        string? profile = form["profile"].FirstOrDefault() is { Length: > 0 } p ? p : null;
        if (profile is not null && !profiles.Names.Contains(profile, StringComparer.OrdinalIgnoreCase))
        {
            return Problem(StatusCodes.Status400BadRequest, "invalid-request",
                // A multipart field is not bounded like a urlencoded one: echo only the start of a long name.
                $"Unknown profile '{Shown(profile.Length <= 100 ? profile : profile[..100] + "…")}'; configured profiles: {string.Join(", ", profiles.Names)}.");
        }
        // Every file is checked before any is accepted: a refused upload creates no document.
        var allowed = apiOptions.Value.EffectiveFormats();
        foreach (var file in files)
        {
            if (Check(file, limit, allowed, detector) is { } refusal)
            {
                return refusal;
            }
        }
        var correlationId = form["correlationId"].FirstOrDefault();
        var tenant = ApiKeyFilter.TenantOf(http);
        var accepted = new List<AcceptedDocument>(files.Count);
        foreach (var file in files)
        {
            await using var stream = file.OpenReadStream();
            // The client's name is only ever a label: the bytes are stored under their hash, the name made safe first.
            var record = await intake.SubmitAsync(stream, FileNames.Safe(file.FileName), "upload", profile, correlationId, tenant, cancellationToken);
            accepted.Add(new AcceptedDocument(record.Id, record.FileName, record.State.ToString(), $"/api/documents/{record.Id}", record.DuplicateOf));
        }
        var first = accepted[0];
        return TypedResults.Accepted(first.Status, new UploadAccepted(first.Id, first.State, first.Status, first.DuplicateOf, accepted));
    }

    /// <summary>Refuses a file over the document limit (413) or whose bytes are not an accepted format (415), whatever its name says.</summary>
    private static IResult? Check(IFormFile file, long limit, IReadOnlySet<SourceFormat> allowed, FormatDetector detector)
    {
        var name = Shown(FileNames.Safe(file.FileName));
        if (file.Length > limit)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, FailureReason.TooLarge,
                $"'{name}' is {file.Length:N0} bytes, over the limit of {limit:N0} bytes (Annotate:Readers:MaxDocumentBytes).");
        }
        if (file.Length == 0)
        {
            // Accepted and failed as 'empty' like an empty file in the inbox, so it is reported the same way.
            return null;
        }
        SourceFormat format;
        try
        {
            using var stream = file.OpenReadStream();
            format = detector.Detect(stream, name);
        }
        catch (AnnotationException ex)
        {
            return Problem(StatusCodes.Status415UnsupportedMediaType, ex.Reason, ex.Message);
        }
        return allowed.Contains(format)
            ? null
            : Problem(StatusCodes.Status415UnsupportedMediaType, "format-not-allowed",
                $"'{name}' is {format}, which this gateway does not accept; accepted: {string.Join(", ", allowed)} ({ApiOptions.Section}:AllowedFormats).");
    }

    private static async Task<IResult> ListAsync(HttpContext http, IDocumentStore store, int? limit, string? parent, CancellationToken cancellationToken)
    {
        var count = Math.Clamp(limit ?? 50, 1, 500);
        if (parent is not null)
        {
            // Only the caller's own parent is listed; another tenant's is as unknown as one that does not exist.
            if (await FindOwnAsync(parent, http, store, cancellationToken) is not { } own)
            {
                return NotFound(parent);
            }
            var children = await store.ListChildrenAsync(own.Id, count, cancellationToken);
            return TypedResults.Ok(children.Where(c => c.Tenant == own.Tenant).Select(DocumentView.Of).ToArray());
        }
        var records = await store.ListForTenantAsync(ApiKeyFilter.TenantOf(http), count, cancellationToken);
        return TypedResults.Ok(records.Select(DocumentView.Of).ToArray());
    }

    /// <summary>Most children a document's view lists (the limit on parts per container is lower by default).</summary>
    private const int ChildrenShown = 1000;

    private static async Task<IResult> GetAsync(string id, HttpContext http, IDocumentStore store, CancellationToken cancellationToken) =>
        await FindOwnAsync(id, http, store, cancellationToken) is { } record
            ? TypedResults.Ok(DocumentView.Of(record, await store.ListChildrenAsync(record.Id, ChildrenShown, cancellationToken)))
            : NotFound(id);

    private static async Task<IResult> DownloadAsync(string id, string name, bool? reviewed, HttpContext http, IDocumentStore store, IBlobStore blobs,
        ReviewStore reviews, ReviewedDownloads reviewedDownloads, CancellationToken cancellationToken)
    {
        var record = await FindOwnAsync(id, http, store, cancellationToken);
        if (record is null)
        {
            return NotFound(id);
        }
        // Only files the worker reported can be downloaded: the name is matched, never used as a path on its own.
        var output = record.Outputs.FirstOrDefault(o => string.Equals(o.Name, name, StringComparison.Ordinal));
        if (record.State != DocumentState.Completed || output is null || record.OutputUri is null)
        {
            return Problem(StatusCodes.Status404NotFound, "not-found", $"Document '{Shown(id)}' has no output named '{Shown(name)}'.");
        }
        if (reviewed == true)
        {
            return await DownloadReviewedAsync(record, output, reviews, reviewedDownloads, cancellationToken);
        }
        var content = await OpenOutputAsync(record, output, blobs, cancellationToken);
        return content is not null
            ? Results.Stream(content, output.MediaType, output.Name, enableRangeProcessing: content.CanSeek)
            : Problem(StatusCodes.Status410Gone, "gone", $"'{Shown(name)}' of document '{Shown(id)}' is no longer in the outbox.");
    }

    private static async Task<IResult> DownloadReviewedAsync(DocumentRecord record, OutputFile output, ReviewStore reviews, ReviewedDownloads reviewedDownloads, CancellationToken cancellationToken)
    {
        if (!ReviewedDownloads.HasReviewedForm(output))
        {
            return Problem(StatusCodes.Status404NotFound, "not-found", $"'{Shown(output.Name)}' has no reviewed form: only annotated.xlsx and the CSVs have one.");
        }
        if (await reviews.FindAsync(record, cancellationToken) is not { } review)
        {
            return Problem(StatusCodes.Status404NotFound, "not-reviewed", $"'{Shown(record.FileName)}' has not been reviewed yet.");
        }
        try
        {
            return await reviewedDownloads.OpenAsync(record, output, review, cancellationToken) is { } content
                ? Results.Stream(content, output.MediaType, ReviewedDownloads.DownloadName(output.Name))
                : Problem(StatusCodes.Status410Gone, "gone", $"'{Shown(output.Name)}' of document '{Shown(record.Id)}' is no longer in the outbox.");
        }
        catch (ReviewException ex)
        {
            return Problem(StatusCodes.Status500InternalServerError, "reviewed-output-failed", ex.Message);
        }
    }

    private static async Task<IResult> DownloadZipAsync(string id, HttpContext http, IDocumentStore store, IBlobStore blobs,
        ReviewStore reviews, ReviewedDownloads reviewedDownloads, CancellationToken cancellationToken)
    {
        var record = await FindOwnAsync(id, http, store, cancellationToken);
        if (record is null)
        {
            return NotFound(id);
        }
        if (record.State != DocumentState.Completed || record.OutputUri is null || record.Outputs.Count == 0)
        {
            return Problem(StatusCodes.Status404NotFound, "not-found", $"Document '{Shown(id)}' has no outputs (yet): it is {record.State}.");
        }
        // Checked before the answer starts: once the zip streams, its status cannot change any more.
        if (record.PurgedAt is not null)
        {
            return Problem(StatusCodes.Status410Gone, "gone", $"The outputs of document '{Shown(id)}' were deleted by retention.");
        }
        var first = await OpenOutputAsync(record, record.Outputs[0], blobs, cancellationToken);
        if (first is null)
        {
            return Problem(StatusCodes.Status410Gone, "gone", $"The outputs of document '{Shown(id)}' are no longer in the outbox.");
        }
        // Written straight to the response, one entry at a time: the zip is never held in memory or on disk.
        return Results.Stream(async response =>
        {
            await using var body = new AsyncWriteStream(response);
            await using var zip = await ZipArchive.CreateAsync(body, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: null, cancellationToken);
            var next = first;
            for (var i = 0; i < record.Outputs.Count; i++)
            {
                var output = record.Outputs[i];
                await using var content = i == 0 ? next : await OpenOutputAsync(record, output, blobs, cancellationToken)
                    ?? throw new FileNotFoundException($"'{output.Name}' of document '{record.Id}' disappeared while the zip was written.");
                var entry = zip.CreateEntry(output.Name, CompressionLevel.Fastest);
                await using var target = await entry.OpenAsync(cancellationToken);
                await content.CopyToAsync(target, cancellationToken);
                await target.DisposeAsync();
                await body.FlushAsync(cancellationToken);
            }
            // The reviewed forms in a folder of their own, so their names never meet an output's.
            if (record.ReviewedAt is not null && await reviews.FindAsync(record, cancellationToken) is { } review)
            {
                foreach (var output in record.Outputs.Where(ReviewedDownloads.HasReviewedForm).Append(new OutputFile { Name = ReviewStore.FileName, Kind = "review", MediaType = "application/json" }))
                {
                    await using var content = output.Kind == "review"
                        ? await OpenOutputAsync(record, output, blobs, cancellationToken)
                        : await reviewedDownloads.OpenAsync(record, output, review, cancellationToken);
                    if (content is null)
                    {
                        continue;
                    }
                    var entry = zip.CreateEntry(ReviewedDownloads.ZipFolder + output.Name, CompressionLevel.Fastest);
                    await using var target = await entry.OpenAsync(cancellationToken);
                    await content.CopyToAsync(target, cancellationToken);
                    await target.DisposeAsync();
                    await body.FlushAsync(cancellationToken);
                }
            }
        }, "application/zip", $"{record.Id}-outputs.zip");
    }

    /// <summary>The document when it belongs to the caller's tenant; any other id is not found, so ids of others are not revealed.</summary>
    private static async Task<DocumentRecord?> FindOwnAsync(string id, HttpContext http, IDocumentStore store, CancellationToken cancellationToken) =>
        await store.FindAsync(id, cancellationToken) is { } record && string.Equals(record.Tenant, ApiKeyFilter.TenantOf(http), StringComparison.Ordinal)
            ? record
            : null;

    // Outputs are read through the blob store (the worker that wrote them may be another machine); records written by
    // earlier versions hold a folder path instead.
    private static async Task<Stream?> OpenOutputAsync(DocumentRecord record, OutputFile output, IBlobStore blobs, CancellationToken cancellationToken) =>
        BlobReference.KeyOf(record.OutputUri!) is { } prefix
            ? BlobKeys.IsValid(prefix + output.Name) ? await blobs.OpenReadAsync(prefix + output.Name, cancellationToken) : null
            : File.Exists(Path.Combine(record.OutputUri!, output.Name)) ? File.OpenRead(Path.Combine(record.OutputUri!, output.Name)) : null;

    private static IResult NotFound(string id) => Problem(StatusCodes.Status404NotFound, "not-found", $"No document with id '{Shown(id)}'.");

    private static string LimitSettings(ApiOptions options) =>
        options.MaxUploadBytes is null ? "Annotate:Readers:MaxDocumentBytes plus 1 MiB" : $"{ApiOptions.Section}:MaxUploadBytes";

    // Text from the client repeated in an answer is HTML-encoded, so a page that shows it cannot be made to run it.
    private static string Shown(string text) => WebUtility.HtmlEncode(text);

    /// <summary>
    /// Says what is wrong with a body that <c>ReadFormAsync</c> could not read.
    /// The form reader reports every problem as an <see cref="InvalidDataException"/> or <see cref="IOException"/> told
    /// apart only by its message; only a part longer than the limit means the upload is too large.
    /// </summary>
    private static IResult UnreadableForm(Exception ex, long limit, long bodyLimit, string bodySettings)
    {
        if (ex is BadHttpRequestException badRequest)
        {
            // The whole body went over the upload limit (the server's or ours, counted as read).
            return badRequest.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? Problem(StatusCodes.Status413PayloadTooLarge, FailureReason.TooLarge,
                    $"The upload is over the limit of {bodyLimit:N0} bytes for an upload ({bodySettings}).")
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

    private static IResult Problem(int status, string reason, string detail) => ApiProblems.Problem(status, reason, detail);
}
