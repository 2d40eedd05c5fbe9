using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Markdig;
using Markdig.Renderers;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace Annotate.Gateway.Dashboard;

/// <summary>
/// Renders a document's <c>content.md</c> as HTML for the dashboard's document page. The text comes from an uploaded
/// file, so it is treated as hostile: raw HTML is escaped (never passed through), links keep only http(s) and mailto
/// targets, images are shown as their alternative text (a remote image would tell its owner who opened the document),
/// and the page markers the Markdown writer puts between PDF pages become sections with ids (<c>page-3</c>) that
/// the page links to.
/// </summary>
public static partial class ContentRendering
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .DisableHtml()
        .UsePipeTables()
        .UseAutoIdentifiers()
        // Word's footnotes, endnotes and comments arrive as Markdown footnotes: linked both ways on the page.
        .UseFootnotes()
        .Build();

    /// <summary>The HTML of <paramref name="markdown"/>, one <c>section</c> per PDF page when it has page markers.</summary>
    public static string ToHtml(string markdown)
    {
        var html = new StringBuilder();
        var parts = PageMarker().Split(markdown);
        // Split with a capture group: text, page number, text, page number, text, …
        AppendSection(html, parts[0], page: null);
        for (var i = 1; i + 1 < parts.Length; i += 2)
        {
            AppendSection(html, parts[i + 1], int.Parse(parts[i], System.Globalization.CultureInfo.InvariantCulture));
        }
        return html.ToString();
    }

    private static void AppendSection(StringBuilder html, string markdown, int? page)
    {
        if (page is null && string.IsNullOrWhiteSpace(markdown))
        {
            return;
        }
        html.Append(page is { } p ? $"<section class=\"page\" id=\"page-{p}\"><p class=\"page-marker\">Page {p}</p>\n" : "<section>\n");
        html.Append(Render(markdown));
        html.Append("</section>\n");
    }

    private static string Render(string markdown)
    {
        // The writer's other comments (notices, header and footer marks) are for readers of the file, not the page.
        var document = Markdown.Parse(CommentLine().Replace(markdown, string.Empty), Pipeline);
        foreach (var link in document.Descendants<LinkInline>().ToList())
        {
            if (link.IsImage)
            {
                var alt = new StringBuilder();
                foreach (var literal in link.Descendants<LiteralInline>())
                {
                    alt.Append(literal.Content.ToString());
                }
                link.ReplaceBy(new LiteralInline($"[image: {alt}]"));
                continue;
            }
            if (!IsSafeUrl(link.Url))
            {
                link.Url = "#";
            }
        }
        foreach (var link in document.Descendants<AutolinkInline>())
        {
            if (!IsSafeUrl(link.Url))
            {
                link.Url = "#";
            }
        }
        using var writer = new StringWriter();
        var renderer = new HtmlRenderer(writer);
        Pipeline.Setup(renderer);
        renderer.Render(document);
        writer.Flush();
        return writer.ToString();
    }

    private static bool IsSafeUrl(string? url) =>
        url is null || url.StartsWith('#')
        || (Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" or "mailto");

    /// <summary>Encodes text for HTML (names shown in pages built on the server).</summary>
    public static string Encode(string text) => WebUtility.HtmlEncode(text);

    [GeneratedRegex(@"^<!-- page (\d{1,6}) -->[ \t]*$", RegexOptions.Multiline)]
    private static partial Regex PageMarker();

    [GeneratedRegex(@"^<!-- [^\n]*? -->[ \t]*$", RegexOptions.Multiline)]
    private static partial Regex CommentLine();
}
