using System.Net;
using System.Net.Sockets;
using System.Text;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Readers;
using Annotate.Annotators.Readers.Html;
using Annotate.Annotators.Tests.Support;
using Microsoft.Extensions.Options;
using Document = Annotate.Annotators.Documents.Document;

namespace Annotate.Annotators.Tests.Readers.Html;

public class HtmlReaderTests
{
    private const string Page = """
        <!DOCTYPE html>
        <html lang="en"><head><title>Price list 2025 | ACME</title>
        <meta name="author" content="ACME Sales"><meta name="description" content="Prices of ACME's pumps">
        <link rel="stylesheet" href="{{origin}}/site.css"><script src="{{origin}}/app.js"></script></head>
        <body>
        <header class="site-header"><a href="/">ACME home</a></header>
        <nav><ul><li><a href="/products">Products</a></li><li><a href="/contact">Contact</a></li></ul></nav>
        <div class="cookie-banner">We use cookies. <button>Accept</button></div>
        <main>
          <h1>Price list 2025</h1>
          <p>Prices are valid from <b>1 January 2025</b>
             and exclude VAT. See our <a href="https://acme.example/terms">terms of sale</a>.</p>
          <img src="{{origin}}/pump.png" alt="The P-200 pump">
          <ol><li>Order online<ul><li>with a customer number</li></ul></li><li>Pay within 30 days</li></ol>
          <table><caption>Pumps</caption><thead><tr><th>Model</th><th>Price (EUR)</th></tr></thead>
            <tbody><tr><td>P-100</td><td>1,250.00</td></tr><tr><td>P-200</td><td>2,400.00</td></tr></tbody></table>
          <script>document.write('<p>injected</p>')</script>
          <p hidden>Hidden text</p>
        </main>
        <footer>© ACME 2025 · Imprint</footer>
        </body></html>
        """;

    [Fact]
    public async Task The_main_content_is_read_without_navigation_banners_or_scripts()
    {
        using var dir = new TempDir();
        var path = dir.File("prices.html");
        await File.WriteAllTextAsync(path, Page.Replace("{{origin}}", "http://127.0.0.1:9", StringComparison.Ordinal));

        var document = await Read(path);

        Assert.Equal("Price list 2025 | ACME", document.Properties.Title);
        Assert.Equal("ACME Sales", document.Properties.Author);
        Assert.Collection(document.Blocks,
            b => Assert.Equal(new HeadingBlock(1, "Price list 2025"), b with { Location = new SourceLocation() }),
            b => Assert.Equal("Prices are valid from 1 January 2025 and exclude VAT. See our terms of sale (https://acme.example/terms).", b.Text),
            b => Assert.Equal("[image: The P-200 pump]", b.Text),
            b =>
            {
                var list = Assert.IsType<ListBlock>(b);
                Assert.True(list.Ordered);
                Assert.Equal(["Order online", "with a customer number", "Pay within 30 days"], list.Items);
            },
            b =>
            {
                var table = Assert.IsType<TableBlock>(b);
                Assert.Equal("Pumps", table.Name);
                Assert.Equal(["Model", "Price (EUR)"], table.Columns);
                Assert.Equal([1250d, 2400d], table.Rows.Select(r => r.Cells[1].Number!.Value));
            });
        var all = string.Join("\n", document.Blocks.Select(b => b.Text));
        foreach (var boilerplate in new[] { "ACME home", "Products", "cookies", "injected", "Hidden text", "Imprint", "document.write" })
        {
            Assert.DoesNotContain(boilerplate, all);
        }
    }

    [Fact]
    public async Task Nothing_the_page_refers_to_is_fetched()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var origin = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
        using var dir = new TempDir();
        var path = dir.File("prices.html");
        await File.WriteAllTextAsync(path, Page.Replace("{{origin}}", origin, StringComparison.Ordinal)
            + $"<iframe src=\"{origin}/frame\"></iframe><object data=\"{origin}/obj\"></object>");

        var document = await Read(path);

        Assert.NotEmpty(document.Blocks);
        Assert.False(listener.Pending(), "the reader connected to a server the page names");
    }

    [Fact]
    public async Task A_page_nested_a_hundred_thousand_levels_deep_is_read_as_plain_text_with_a_notice()
    {
        using var dir = new TempDir();
        var path = dir.File("deep.html");
        var html = new StringBuilder("<!DOCTYPE html><html><body>");
        for (var i = 0; i < 100_000; i++)
        {
            html.Append("<div>");
        }
        html.Append("Deep text");
        await File.WriteAllTextAsync(path, html.ToString());

        var document = await Read(path);

        Assert.Equal("Deep text", Assert.Single(document.Blocks).Text);
        Assert.Equal(HtmlReader.NestingNotice, Assert.Single(document.Notices).Code);
        Assert.Contains("'deep.html'", document.Notices[0].Message);
    }

    [Fact]
    public async Task Nesting_a_browser_accepts_is_read_as_html()
    {
        using var dir = new TempDir();
        var path = dir.File("nested.html");
        var html = new StringBuilder("<!DOCTYPE html><html><body>");
        for (var i = 0; i < 200; i++)
        {
            html.Append("<div><span>");
        }
        html.Append("<h2>Deep heading</h2><p>Deep text<p>Next");
        await File.WriteAllTextAsync(path, html.ToString());

        var document = await Read(path);

        Assert.Empty(document.Notices);
        Assert.Equal(["Deep heading", "Deep text", "Next"], document.Blocks.Select(b => b.Text));
        Assert.IsType<HeadingBlock>(document.Blocks[0]);
    }

    [Fact]
    public async Task A_page_larger_than_the_limit_fails_as_too_large_naming_the_setting()
    {
        using var dir = new TempDir();
        var path = dir.File("big.html");
        await File.WriteAllTextAsync(path, "<!DOCTYPE html><p>" + new string('x', 2048) + "</p>");

        var ex = await Assert.ThrowsAsync<AnnotationException>(() =>
            new HtmlReader(Options.Create(new ReaderOptions { MaxHtmlBytes = 1024 })).ReadAsync(new DocumentSource(path, "big.html"), CancellationToken.None));

        Assert.Equal(FailureReason.TooLarge, ex.Reason);
        Assert.Contains("'big.html'", ex.Message);
        Assert.Contains("MaxHtmlBytes", ex.Message);
    }

    [Theory]
    [InlineData("page.bin", "<!doctype html><title>x</title><p>Hello</p>", SourceFormat.Html)]
    [InlineData("page.htm", "<div><p>Hello</p></div>", SourceFormat.Html)]
    [InlineData("notes.md", "# Notes\n\nSome <b>bold</b> words.\n\n- a\n- b\n", SourceFormat.Markdown)]
    [InlineData("notes.txt", "A line about <html> tags in prose.", SourceFormat.Text)]
    public void Web_pages_are_told_from_text_that_merely_mentions_tags(string name, string content, SourceFormat expected)
    {
        using var dir = new TempDir();
        var path = dir.File(name);
        File.WriteAllText(path, content);

        Assert.Equal(expected, new FormatDetector().Detect(new DocumentSource(path, name)));
    }

    [Fact]
    public async Task A_web_page_is_annotated_end_to_end_and_its_original_is_kept_as_text()
    {
        using var dir = new TempDir();
        var path = dir.File("prices.html");
        await File.WriteAllTextAsync(path, Page.Replace("{{origin}}", "http://127.0.0.1:9", StringComparison.Ordinal));
        var pipeline = TestPipeline.Create();
        var output = dir.File("out");

        var result = await pipeline.RunAsync(new AnnotationRequest
        {
            DocumentId = "page-1",
            Source = new DocumentSource(path, "prices.html"),
            OutputDirectory = output,
        }, CancellationToken.None);

        var markdown = (await File.ReadAllTextAsync(Path.Combine(output, "content.md"))).ReplaceLineEndings("\n");
        Assert.Contains("| P-200 | 2,400.00 |", markdown);
        Assert.Contains("1. Order online", markdown);
        Assert.DoesNotContain("cookies", markdown);
        Assert.Contains("\"format\": \"html\"", await File.ReadAllTextAsync(Path.Combine(output, "annotations.json")));
        Assert.Contains(result.Annotations.Entities, e => e.Text.Contains("2025", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(output, "original.html")));
    }

    private static Task<Document> Read(string path) =>
        new HtmlReader(Options.Create(new ReaderOptions())).ReadAsync(new DocumentSource(path, Path.GetFileName(path)), CancellationToken.None);
}
