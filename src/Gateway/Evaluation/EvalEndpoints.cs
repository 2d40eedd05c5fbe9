using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using Annotate.Annotators.Evaluation;
using Annotate.Annotators.Profiles;
using Annotate.Annotators.Readers;
using Annotate.Gateway.Api;
using Annotate.Gateway.Storage;
using Annotate.Hosting.Blobs;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace Annotate.Gateway.Evaluation;

/// <summary>
/// HTTP API: <c>POST /api/eval</c> judges the completed documents of a profile (the caller's tenant's only) against
/// references sent in the body, and answers with the results as JSON, the Markdown report, the histogram or all three.
/// </summary>
public static class EvalEndpoints
{
    private static readonly string[] Formats = ["json", "markdown", "png", "zip"];

    public static IEndpointRouteBuilder MapEvalEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api").ForTenants().WithTags("Evaluation")
            .MapPost("/eval", EvaluateAsync).DisableAntiforgery()
            .WithSummary("Judge a profile's documents against references")
            .WithDescription("The body holds the references: a JSON object of document name → reference (optionally inside \"references\"), " +
                "or a zip of <document name>.json files (Content-Type application/zip). Query: profile (default 'default'), compare (a second " +
                "profile judged against the same references, shown as run B), format: json (default), markdown, png (the similarity histogram) " +
                "or zip (eval.md, eval.json and similarity.png). See the README, 'Evaluating output'.")
            .Produces<EvaluationReport>(StatusCodes.Status200OK)
            // The body is read by the handler (not bound), so it can refuse a wrong type with a reason, and is described here.
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                operation.RequestBody = new OpenApiRequestBody
                {
                    Required = true,
                    Description = "The references: document name → reference as JSON, or a zip of <document name>.json files.",
                    Content = new Dictionary<string, OpenApiMediaType>
                    {
                        ["application/json"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.Object } },
                        ["application/zip"] = new() { Schema = Binary() },
                    },
                };
                if (operation.Responses?.GetValueOrDefault("200") is OpenApiResponse ok)
                {
                    ok.Content ??= new Dictionary<string, OpenApiMediaType>();
                    ok.Content["text/markdown"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String } };
                    ok.Content["image/png"] = new() { Schema = Binary() };
                    ok.Content["application/zip"] = new() { Schema = Binary() };
                }
                return Task.CompletedTask;
            })
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        return app;
    }

    private static async Task<IResult> EvaluateAsync(HttpContext http, string? profile, string? compare, string? format,
        IDocumentStore store, IBlobStore blobs, ProfileCatalog profiles, Evaluator evaluator, ReferenceReader references,
        IOptions<EvaluationOptions> options, CancellationToken cancellationToken)
    {
        var limits = options.Value;
        format = string.IsNullOrEmpty(format) ? "json" : format.ToLowerInvariant();
        if (!Formats.Contains(format))
        {
            return Problem(StatusCodes.Status400BadRequest, "invalid-request", $"Unknown format '{Shown(format)}'; use {string.Join(", ", Formats)}.");
        }
        foreach (var name in new[] { profile, compare }.OfType<string>())
        {
            if (!profiles.Names.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                return Problem(StatusCodes.Status400BadRequest, "invalid-request",
                    $"Unknown profile '{Shown(name.Length <= 100 ? name : name[..100] + "…")}'; configured profiles: {string.Join(", ", profiles.Names)}.");
            }
        }
        var request = http.Request;
        if (request.ContentLength > limits.MaxRequestBytes)
        {
            return TooLarge(limits);
        }
        var mediaType = request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        if (mediaType is not ("application/json" or "application/zip" or "application/x-zip-compressed"))
        {
            return Problem(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type",
                "Send the references as application/json (document name → reference) or as application/zip (one <document name>.json per document).");
        }
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = limits.MaxRequestBytes;
        }
        // The body is small (references), read whole and counted as read, whatever Content-Length said.
        using var body = new MemoryStream();
        try
        {
            await using var bounded = new BoundedReadStream(request.Body, limits.MaxRequestBytes, () => new InvalidDataException("over the limit"), leaveOpen: true);
            await bounded.CopyToAsync(body, cancellationToken);
        }
        catch (Exception ex) when (ex is InvalidDataException or BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge })
        {
            return TooLarge(limits);
        }
        body.Position = 0;

        IReadOnlyList<DocumentReference> expected;
        try
        {
            expected = mediaType == "application/json" ? references.ReadObject(body.GetBuffer().AsSpan(0, (int)body.Length)) : references.ReadZip(body);
        }
        catch (EvaluationException ex)
        {
            // The message repeats names the client sent (entries, properties): HTML-encoded, like every such answer.
            return Problem(StatusCodes.Status400BadRequest, "invalid-references", Shown(ex.Message));
        }

        var tenant = ApiKeyFilter.TenantOf(http);
        var runA = await RunAsync(profile ?? AnnotationProfile.DefaultName);
        if (runA.Problem is { } problemA)
        {
            return problemA;
        }
        EvaluationRun? runB = null;
        if (compare is not null)
        {
            var b = await RunAsync(compare);
            if (b.Problem is { } problemB)
            {
                return problemB;
            }
            runB = b.Run;
        }
        var report = evaluator.Report(runA.Run!, runB);
        var title = $"eval-{(profile ?? AnnotationProfile.DefaultName).ToLowerInvariant()}";
        return format switch
        {
            "markdown" => Results.Text(EvaluationMarkdown.Write(report, histogram: null), "text/markdown; charset=utf-8", Encoding.UTF8),
            "png" => Results.File(SimilarityHistogram.Render(report), "image/png", SimilarityHistogram.FileName),
            "zip" => Results.File(Zip(report), "application/zip", $"{title}.zip"),
            _ => TypedResults.Ok(report),
        };

        async Task<(EvaluationRun? Run, IResult? Problem)> RunAsync(string name)
        {
            var produced = new List<ProducedDocument>();
            // Newest first: the tenant's documents of the profile that completed, each read through the blob store.
            var records = await store.ListForTenantAsync(tenant, limits.MaxDocuments, cancellationToken);
            foreach (var record in records.Where(r => r.State == DocumentState.Completed
                         && string.Equals(r.Profile ?? AnnotationProfile.DefaultName, name, StringComparison.OrdinalIgnoreCase)))
            {
                if (BlobReference.KeyOf(record.OutputUri) is not { } prefix || !BlobKeys.IsValid(prefix + AnnotationsFile)
                    || await blobs.OpenReadAsync(prefix + AnnotationsFile, cancellationToken) is not { } stream)
                {
                    // Outputs deleted by retention, or from before the blob store: nothing to judge.
                    continue;
                }
                await using (stream)
                {
                    try
                    {
                        produced.Add(await ProducedDocument.ReadAsync(stream, $"{record.Id}/{AnnotationsFile}", limits.MaxAnnotationsBytes, cancellationToken));
                    }
                    catch (EvaluationException ex)
                    {
                        return (null, Problem(StatusCodes.Status500InternalServerError, "unreadable-result", ex.Message));
                    }
                }
            }
            return (evaluator.Evaluate(name, expected, produced, cancellationToken), null);
        }
    }

    private const string AnnotationsFile = "annotations.json";

    private static OpenApiSchema Binary() => new() { Type = JsonSchemaType.String, Format = "binary" };

    private static byte[] Zip(EvaluationReport report)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            void Add(string name, byte[] bytes)
            {
                using var entry = zip.CreateEntry(name, CompressionLevel.Fastest).Open();
                entry.Write(bytes);
            }
            Add(EvalCommand.MarkdownFile, Encoding.UTF8.GetBytes(EvaluationMarkdown.Write(report, SimilarityHistogram.FileName)));
            Add(EvalCommand.JsonFile, JsonSerializer.SerializeToUtf8Bytes(report, EvalCommand.Json));
            Add(SimilarityHistogram.FileName, SimilarityHistogram.Render(report));
        }
        return buffer.ToArray();
    }

    private static IResult TooLarge(EvaluationOptions limits) =>
        Problem(StatusCodes.Status413PayloadTooLarge, "too-large",
            $"The references are over the limit of {limits.MaxRequestBytes:N0} bytes for one request ({EvaluationOptions.Section}:MaxRequestBytes).");

    private static string Shown(string text) => WebUtility.HtmlEncode(text);

    private static IResult Problem(int status, string reason, string detail) => ApiProblems.Problem(status, reason, detail);
}
