using Annotate.Annotators.Profiles;
using Annotate.Gateway.Api;
using Annotate.Gateway.Storage;
using Annotate.Hosting.Blobs;

namespace Annotate.Gateway.Dashboard;

/// <summary>
/// The dashboard: static pages under <c>wwwroot</c> (no build step, no CDN: plain HTML, CSS and JavaScript served by the
/// gateway) and the two small endpoints they need beside the document API: the profiles to choose from, and a
/// document's content as safe HTML.
/// </summary>
public static class DashboardEndpoints
{
    /// <summary>The policy every dashboard page is served with: only the gateway's own scripts, styles and images.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

    /// <summary>Serves the pages (<c>/</c> is the dashboard) with a strict content security policy.</summary>
    public static WebApplication UseAnnotateDashboard(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            await next(context);
        });
        app.UseDefaultFiles();
        app.UseStaticFiles();
        var api = app.MapGroup("/api").ForTenants();
        api.MapGet("/profiles", (ProfileCatalog profiles) => Results.Ok(new ProfileList(profiles.Names)));
        api.MapGet("/documents/{id}/content.html", ContentHtmlAsync);
        return app;
    }

    private static async Task<IResult> ContentHtmlAsync(string id, HttpContext http, IDocumentStore store, IBlobStore blobs, CancellationToken cancellationToken)
    {
        var record = await store.FindOwnAsync(id, http, cancellationToken);
        if (record?.OutputUri is null || record.State != DocumentState.Completed
            || !record.Outputs.Any(o => o.Name == "content.md") || BlobReference.KeyOf(record.OutputUri) is not { } prefix)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "not-found", detail: $"Document '{id}' has no content to show.");
        }
        await using var stream = await blobs.OpenReadAsync(prefix + "content.md", cancellationToken);
        if (stream is null)
        {
            return Results.Problem(statusCode: StatusCodes.Status410Gone, title: "gone", detail: $"The content of document '{id}' is no longer in the outbox.");
        }
        using var reader = new StreamReader(stream);
        var markdown = await reader.ReadToEndAsync(cancellationToken);
        return Results.Content(ContentRendering.ToHtml(markdown), "text/html; charset=utf-8");
    }
}

/// <summary>The profiles an upload may name.</summary>
/// <param name="Names">Their names, the default first when configured so.</param>
public sealed record ProfileList(IReadOnlyList<string> Names);
