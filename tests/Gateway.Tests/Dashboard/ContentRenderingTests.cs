using Annotate.Gateway.Dashboard;

namespace Annotate.Gateway.Tests.Dashboard;

public sealed class ContentRenderingTests
{
    [Fact]
    public void Raw_html_in_a_document_is_shown_as_text_never_as_markup()
    {
        var html = ContentRendering.ToHtml("Hello <script>alert(1)</script> and <img src=x onerror=alert(2)>\n\n<iframe src=\"https://evil.example\"></iframe>");

        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<iframe", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[click](javascript:alert(1))")]
    [InlineData("[click](JavaScript:alert(1))")]
    [InlineData("[click](data:text/html;base64,PHNjcmlwdD4=)")]
    [InlineData("[click](vbscript:msgbox)")]
    public void Links_to_scripts_or_data_lead_nowhere(string markdown)
    {
        var html = ContentRendering.ToHtml(markdown);

        Assert.Contains("href=\"#\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("script:", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("data:", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Web_and_mail_links_are_kept_and_images_become_their_alternative_text()
    {
        var html = ContentRendering.ToHtml("[site](https://example.com/a) [mail](mailto:a@example.com) ![Company logo](https://tracker.example/pixel.png)");

        Assert.Contains("href=\"https://example.com/a\"", html, StringComparison.Ordinal);
        Assert.Contains("href=\"mailto:a@example.com\"", html, StringComparison.Ordinal);
        Assert.Contains("[image: Company logo]", html, StringComparison.Ordinal);
        Assert.DoesNotContain("tracker.example", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Page_markers_become_sections_the_page_can_link_to()
    {
        var html = ContentRendering.ToHtml("# Title\n\n<!-- page 1 -->\n\nFirst page.\n\n<!-- page 2 -->\n\nSecond page.\n");

        Assert.Contains("<section class=\"page\" id=\"page-1\">", html, StringComparison.Ordinal);
        Assert.Contains("<section class=\"page\" id=\"page-2\">", html, StringComparison.Ordinal);
        Assert.True(html.IndexOf("First page.", StringComparison.Ordinal) < html.IndexOf("id=\"page-2\"", StringComparison.Ordinal));
        Assert.DoesNotContain("&lt;!--", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Notes_link_to_their_text_and_the_writers_comments_are_not_shown()
    {
        var html = ContentRendering.ToHtml(
            "<!-- tracked-changes: 'a.docx' has tracked changes -->\n\n<!-- header -->\n\nACME GmbH\n\n<!-- /header -->\n\nFixed until May[^1].\n\n[^1]: Prices exclude VAT.\n");

        Assert.DoesNotContain("&lt;!--", html, StringComparison.Ordinal);
        Assert.Contains("ACME GmbH", html, StringComparison.Ordinal);
        Assert.Contains("href=\"#fn:1\"", html, StringComparison.Ordinal);
        Assert.Contains("Prices exclude VAT.", html, StringComparison.Ordinal);
        Assert.DoesNotContain("[^1]", html, StringComparison.Ordinal);
    }
}
