using System.Net;
using Annotate.Gateway.Tests.Support;
using Microsoft.Playwright;

namespace Annotate.Gateway.Tests.Dashboard;

/// <summary>
/// The dashboard in a real browser: Debian's Chromium (<c>/usr/bin/chromium</c>, headless) driven by Playwright, against
/// the service running as a process. Screenshots are saved under <c>TestResults/screenshots</c> of the test output.
/// </summary>
public sealed class DashboardBrowserTests : IAsyncLifetime
{
    private static readonly float Timeout = 180_000;
    private readonly string _root = Path.Combine(Path.GetTempPath(), "annotate-dashboard-tests", Guid.NewGuid().ToString("N"));
    private HeadlessChromium _chromium = null!;
    private GatewayProcess _gateway = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        _gateway = await GatewayProcess.StartAsync(_root);
        _chromium = await HeadlessChromium.LaunchAsync();
    }

    public async Task DisposeAsync()
    {
        await _chromium.DisposeAsync();
        await _gateway.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    private async Task<IPage> OpenAsync(string path)
    {
        var page = await _chromium.Browser.NewPageAsync(new BrowserNewPageOptions { BaseURL = _gateway.Client.BaseAddress!.ToString(), ViewportSize = new ViewportSize { Width = 1366, Height = 900 } });
        page.SetDefaultTimeout(Timeout);
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => errors.Add(error);
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                errors.Add($"{response.Status} {response.Url}");
            }
        };
        _pageErrors[page] = errors;
        await page.GotoAsync(path);
        return page;
    }

    private readonly Dictionary<IPage, List<string>> _pageErrors = [];

    /// <summary>Runs the gateway again with the real tiny model, for the tests that need the model's annotations.</summary>
    private async Task RestartWithModelAsync()
    {
        await _gateway.DisposeAsync();
        _gateway = await GatewayProcess.StartAsync(_root, new Dictionary<string, string>
        {
            ["Annotate__Model__Path"] = Review.ReviewEndpointsTests.ModelPath,
            ["Annotate__Model__ContextSize"] = "2048",
            ["Annotate__Model__RequestTimeout"] = "00:01:00",
        });
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_root, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task A_file_chosen_on_the_page_is_followed_to_Completed_without_a_reload_and_its_page_shows_the_content_and_highlighted_entities()
    {
        var page = await OpenAsync("/");
        await page.EvaluateAsync("() => { window.notReloaded = true; }");
        var memo = Write("invoice-memo.md",
            "# Invoice memo\n\nInvoice INV-2024-0042 from Acme GmbH, dated 2024-03-15.\n\nTotal due: 1,250.00 EUR by 2024-04-15.\n");

        await page.Locator("#file-input").SetInputFilesAsync(memo);

        var row = page.Locator("#documents tbody tr", new PageLocatorOptions { HasText = "invoice-memo.md" });
        await Assertions.Expect(row.Locator(".badge")).ToHaveTextAsync("Completed", new LocatorAssertionsToHaveTextOptions { Timeout = Timeout });
        Assert.True(await page.EvaluateAsync<bool>("() => window.notReloaded === true"), "the page was reloaded");
        await Assertions.Expect(page.Locator("#totals dd[data-state='Completed']")).ToHaveTextAsync("1");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = HeadlessChromium.ScreenshotPath("dashboard.png"), FullPage = true });

        await row.Locator("a").ClickAsync();
        await page.WaitForURLAsync("**/document.html?id=*");
        await Assertions.Expect(page.Locator("body[data-loaded='true']")).ToHaveCountAsync(1, new LocatorAssertionsToHaveCountOptions { Timeout = Timeout });
        await Assertions.Expect(page.Locator("#doc-title")).ToHaveTextAsync("invoice-memo.md");
        await Assertions.Expect(page.Locator("#content h1")).ToHaveTextAsync("Invoice memo");
        // The built-in entity annotators find the dates and the amount; each is marked where it stands in the content.
        var marks = await page.Locator("#content mark.entity").AllTextContentsAsync();
        Assert.Contains(marks, m => m.Contains("2024-03-15", StringComparison.Ordinal));
        Assert.Contains(await page.Locator("#annotations h3").AllTextContentsAsync(), h => h.StartsWith("Entities", StringComparison.Ordinal));
        await Assertions.Expect(page.Locator("#downloads a", new PageLocatorOptions { HasText = "annotations.json" })).ToHaveCountAsync(1);
        // A finding's source link takes the reader (and the keyboard focus) to where it stands in the content.
        await page.Locator("#annotations tr", new PageLocatorOptions { HasText = "money" }).Locator("button.link").ClickAsync();
        await Assertions.Expect(page.Locator("#content mark.entity:focus")).ToHaveTextAsync("1,250.00 EUR");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = HeadlessChromium.ScreenshotPath("document.png"), FullPage = true });
        Assert.Empty(_pageErrors[page]);
    }

    [Fact]
    public async Task A_failed_document_shows_its_reason_and_the_filters_find_it_by_state_and_name()
    {
        var page = await OpenAsync("/");
        await page.Locator("#file-input").SetInputFilesAsync([Write("good.txt", "Plain words."), Write("broken.pdf", "%PDF-1.7 not really")]);

        var broken = page.Locator("#documents tbody tr", new PageLocatorOptions { HasText = "broken.pdf" });
        await Assertions.Expect(broken.Locator(".badge")).ToHaveTextAsync("Failed", new LocatorAssertionsToHaveTextOptions { Timeout = Timeout });
        await Assertions.Expect(page.Locator("#documents tbody tr", new PageLocatorOptions { HasText = "good.txt" }).Locator(".badge"))
            .ToHaveTextAsync("Completed", new LocatorAssertionsToHaveTextOptions { Timeout = Timeout });
        await Assertions.Expect(broken.Locator("td.reason")).ToHaveTextAsync("corrupt");
        await Assertions.Expect(page.Locator("#failure-reasons li", new PageLocatorOptions { HasText = "corrupt" })).ToHaveCountAsync(1);

        await page.Locator("#filter-state").SelectOptionAsync("Failed");
        await Assertions.Expect(page.Locator("#documents tbody tr")).ToHaveCountAsync(1);
        await page.Locator("#filter-state").SelectOptionAsync("");
        await page.Locator("#search").FillAsync("good");
        await Assertions.Expect(page.Locator("#documents tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#documents tbody tr")).ToContainTextAsync("good.txt");

        await page.Locator("#search").FillAsync("");
        await broken.Locator("a").ClickAsync();
        await Assertions.Expect(page.Locator("#doc-message")).ToContainTextAsync("corrupt");
        var failedUrl = page.Url;

        // Sent again from its page: the page of the new document follows it to its end (it fails the same way).
        await page.Locator("#redrive").ClickAsync();
        await page.WaitForURLAsync(url => url != failedUrl && url.Contains("document.html?id=", StringComparison.Ordinal));
        await Assertions.Expect(page.Locator("#doc-title")).ToHaveTextAsync("broken.pdf");
        await Assertions.Expect(page.Locator("#doc-state .badge")).ToHaveTextAsync("Failed", new LocatorAssertionsToHaveTextOptions { Timeout = Timeout });
        var list = await _gateway.DocumentsAsync();
        Assert.Equal(2, list.Count(d => d.GetProperty("fileName").GetString() == "broken.pdf"));
        Assert.Contains(list, d => d.GetProperty("channel").GetString() == "redrive");
        Assert.Empty(_pageErrors[page]);
    }

    [Fact]
    public async Task A_name_of_200_characters_with_markup_is_shown_as_text_and_does_not_widen_the_page()
    {
        var name = "<img src=x onerror=alert(1)>" + new string('n', 160) + ".txt";
        var page = await OpenAsync("/");
        await page.Locator("#file-input").SetInputFilesAsync(new FilePayload { Name = name, MimeType = "text/plain", Buffer = "Long name."u8.ToArray() });

        var row = page.Locator("#documents tbody tr").First;
        await Assertions.Expect(row.Locator(".badge")).ToHaveTextAsync("Completed", new LocatorAssertionsToHaveTextOptions { Timeout = Timeout });
        Assert.Equal(0, await page.Locator("#documents img").CountAsync());
        var scrollWidth = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
        Assert.True(scrollWidth <= 1366, $"the page is {scrollWidth} px wide");
        Assert.Empty(_pageErrors[page]);
    }

    [Fact]
    public async Task A_field_corrected_on_the_page_is_in_the_reviewed_download_beside_the_models_value()
    {
        await RestartWithModelAsync();
        var page = await OpenAsync("/");
        await Assertions.Expect(page.Locator("#profile option[value='invoice']")).ToHaveCountAsync(1);
        await page.Locator("#profile").SelectOptionAsync("invoice");
        await page.Locator("#file-input").SetInputFilesAsync(Write("inv-42.txt", "Invoice 42\n\nAcme GmbH bills Globex Ltd for 3 chairs at EUR 120.00 each.\nTotal due: EUR 360.00 by 30 April 2024.\n"));
        var row = page.Locator("#documents tbody tr", new PageLocatorOptions { HasText = "inv-42.txt" });
        await Assertions.Expect(row.Locator(".badge")).ToHaveTextAsync("Completed", new LocatorAssertionsToHaveTextOptions { Timeout = Timeout });
        await row.Locator("a").ClickAsync();
        await Assertions.Expect(page.Locator("body[data-loaded='true']")).ToHaveCountAsync(1, new LocatorAssertionsToHaveCountOptions { Timeout = Timeout });

        var input = page.Locator("input.review-input[data-kind='field']").First;
        var path = await input.GetAttributeAsync("data-name");
        await input.FillAsync("INV-42");
        await page.Locator("#reviewer").FillAsync("Dana");
        await page.Locator("#save-review").ClickAsync();

        await Assertions.Expect(page.Locator("#review-status")).ToContainTextAsync("Reviewed by Dana");
        await Assertions.Expect(page.Locator("#doc-state .reviewed")).ToHaveTextAsync("Reviewed");
        // A completed document offers neither sending again nor cancelling.
        await Assertions.Expect(page.Locator("#redrive")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#cancel")).ToBeHiddenAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = HeadlessChromium.ScreenshotPath("review.png"), FullPage = true });
        var id = new Uri(page.Url).Query.Split('=')[1];
        var reviewed = System.Text.Json.Nodes.JsonNode.Parse(await _gateway.Client.GetStringAsync($"/api/documents/{id}/review"))!;
        var field = reviewed["fields"]!.AsArray().Single(f => (string?)f!["name"] == path)!;
        Assert.Equal("INV-42", (string?)field["value"]);
        Assert.Equal("Dana", (string?)reviewed["reviewedBy"]);
        // The page's download link serves the same reviewed file.
        Assert.Equal($"/api/documents/{id}/review", await page.Locator("#reviewed-download").GetAttributeAsync("href"));
        Assert.Empty(_pageErrors[page]);
    }

    [Fact]
    public async Task A_row_label_corrected_on_the_page_is_in_the_reviewed_csv_download_and_the_list_shows_the_document_reviewed()
    {
        await RestartWithModelAsync();
        var page = await OpenAsync("/");
        await Assertions.Expect(page.Locator("#profile option[value='spreadsheet-rows']")).ToHaveCountAsync(1);
        await page.Locator("#profile").SelectOptionAsync("spreadsheet-rows");
        await page.Locator("#file-input").SetInputFilesAsync(Write("ledger.csv", "Date,Payee,Amount\n2024-01-02,Acme,-120.50\n2024-01-03,Globex,2000\n2024-01-04,Initech,-35\n"));
        var row = page.Locator("#documents tbody tr", new PageLocatorOptions { HasText = "ledger.csv" });
        await Assertions.Expect(row.Locator(".badge").First).ToHaveTextAsync("Completed", new LocatorAssertionsToHaveTextOptions { Timeout = Timeout });
        await row.Locator("a").ClickAsync();
        await Assertions.Expect(page.Locator("body[data-loaded='true']")).ToHaveCountAsync(1, new LocatorAssertionsToHaveCountOptions { Timeout = Timeout });

        // The second data row's label, set to a label the model did not give it.
        var label = page.Locator("input.review-input[data-kind='row'][data-field='Category']").Nth(1);
        var model = await label.InputValueAsync();
        var corrected = new[] { "income", "expense", "transfer", "other" }.First(l => l != model);
        await label.FillAsync(corrected);
        await page.Locator("#reviewer").FillAsync("Dana");
        await page.Locator("#save-review").ClickAsync();
        await Assertions.Expect(page.Locator("#review-status")).ToContainTextAsync("1 value(s) corrected");
        await Assertions.Expect(label).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("corrected"));

        var link = page.Locator("a.reviewed-download[data-output='data.csv']");
        await Assertions.Expect(link).ToHaveCountAsync(1);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = HeadlessChromium.ScreenshotPath("review-rows.png"), FullPage = true });
        var download = await page.RunAndWaitForDownloadAsync(() => link.ClickAsync());
        Assert.Equal("data.reviewed.csv", download.SuggestedFilename);
        var lines = (await File.ReadAllTextAsync((await download.PathAsync())!)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("Date,Payee,Amount,Category,Note", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("2024-01-03,Globex,2000," + corrected + ",", lines[2], StringComparison.Ordinal);
        // The model's CSV keeps the model's label.
        var original = (await _gateway.Client.GetStringAsync(new Uri(await page.Locator("#downloads a[download='data.csv']").GetAttributeAsync("href") ?? "", UriKind.Relative)))
            .Split("\r\n")[2];
        Assert.StartsWith("2024-01-03,Globex,2000," + model + ",", original, StringComparison.Ordinal);

        // The list shows it reviewed, and the filter finds it.
        await page.GotoAsync("/");
        await Assertions.Expect(row.Locator(".badge.reviewed")).ToHaveTextAsync("Reviewed", new LocatorAssertionsToHaveTextOptions { Timeout = Timeout });
        await page.Locator("#filter-state").SelectOptionAsync("Unreviewed");
        await Assertions.Expect(page.Locator("#documents tbody tr")).ToHaveCountAsync(0);
        await page.Locator("#filter-state").SelectOptionAsync("Reviewed");
        await Assertions.Expect(page.Locator("#documents tbody tr")).ToHaveCountAsync(1);
        Assert.Empty(_pageErrors[page]);
    }

    [Fact]
    public async Task Pages_are_served_with_a_content_security_policy_that_allows_only_the_gateways_own_scripts()
    {
        var response = await _gateway.Client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var policy = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", policy, StringComparison.Ordinal);
        // Every asset is the gateway's own: nothing is loaded from another site (no CDN).
        var html = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("src=\"http", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("href=\"http", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task The_drop_zone_names_every_format_the_service_reads()
    {
        var page = await OpenAsync("/");

        var text = await page.Locator("#drop p").InnerTextAsync();
        foreach (var format in Enum.GetValues<Annotate.Annotators.Documents.SourceFormat>().Where(f => f != Annotate.Annotators.Documents.SourceFormat.Unknown))
        {
            Assert.Contains(format.ToString(), text, StringComparison.OrdinalIgnoreCase);
        }
        Assert.Empty(_pageErrors[page]);
    }
}
