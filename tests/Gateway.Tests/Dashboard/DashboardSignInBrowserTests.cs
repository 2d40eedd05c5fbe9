using Annotate.Gateway.Api;
using Annotate.Gateway.Tests.Support;
using Microsoft.Playwright;

namespace Annotate.Gateway.Tests.Dashboard;

/// <summary>
/// The dashboard of a gateway that requires API keys, in Debian's Chromium (headless) driven by Playwright, against the
/// service running as a process with two tenants' keys: sign in, upload, download with the key, and what another
/// tenant sees.
/// </summary>
public sealed class DashboardSignInBrowserTests : IAsyncLifetime
{
    private const string AcmeKey = "acme-dashboard-key-0123456789";
    private const string GlobexKey = "globex-dashboard-key-9876543210";
    private static readonly float Timeout = 180_000;
    private readonly string _root = Path.Combine(Path.GetTempPath(), "annotate-dashboard-tests", Guid.NewGuid().ToString("N"));
    private HeadlessChromium _chromium = null!;
    private GatewayProcess _gateway = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        _gateway = await GatewayProcess.StartAsync(_root, new Dictionary<string, string>
        {
            ["Annotate__Gateway__ApiKeys__" + ApiKeys.Hash(AcmeKey)] = "acme",
            ["Annotate__Gateway__ApiKeys__" + ApiKeys.Hash(GlobexKey)] = "globex",
        });
        _chromium = await HeadlessChromium.LaunchAsync();
    }

    public async Task DisposeAsync()
    {
        await _chromium.DisposeAsync();
        await _gateway.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    // A context of its own per person: sessionStorage is not shared between them.
    private async Task<IPage> OpenAsync(string path)
    {
        var context = await _chromium.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = _gateway.Client.BaseAddress!.ToString(),
            ViewportSize = new ViewportSize { Width = 1366, Height = 900 },
            AcceptDownloads = true,
        });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(Timeout);
        await page.GotoAsync(path);
        return page;
    }

    private static async Task SignInAsync(IPage page, string key)
    {
        await page.Locator("#signin-key").FillAsync(key);
        await page.Locator("#signin button[type=submit]").ClickAsync();
    }

    [Fact]
    public async Task A_tenant_signs_in_uploads_and_downloads_with_its_key_and_another_tenant_sees_none_of_it()
    {
        var page = await OpenAsync("/");
        await Assertions.Expect(page.Locator("#signin")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#documents")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#signin-key")).ToBeFocusedAsync();

        await SignInAsync(page, "not-a-key");
        await Assertions.Expect(page.Locator("#signin-error")).ToHaveTextAsync("That key is not known, or was revoked.");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = HeadlessChromium.ScreenshotPath("sign-in.png") });

        await SignInAsync(page, AcmeKey);
        await Assertions.Expect(page.Locator("#session-tenant")).ToHaveTextAsync("acme");
        await Assertions.Expect(page.Locator("#signin")).ToHaveCountAsync(0);
        var memo = Path.Combine(_root, "acme-memo.md");
        await File.WriteAllTextAsync(memo, "# Acme memo\n\nInvoice INV-7 is due on 2024-04-15.\n");
        await page.Locator("#file-input").SetInputFilesAsync(memo);
        var row = page.Locator("#documents tbody tr", new PageLocatorOptions { HasText = "acme-memo.md" });
        await Assertions.Expect(row.Locator(".badge")).ToHaveTextAsync("Completed", new LocatorAssertionsToHaveTextOptions { Timeout = Timeout });
        await row.Locator("a").ClickAsync();
        await page.WaitForURLAsync("**/document.html?id=*");
        var documentUrl = page.Url;
        await Assertions.Expect(page.Locator("#content h1")).ToHaveTextAsync("Acme memo", new LocatorAssertionsToHaveTextOptions { Timeout = Timeout });
        // A download by link carries the key too (fetched with it, saved from a blob).
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("#downloads a", new PageLocatorOptions { HasText = "content.md" }).ClickAsync());
        Assert.Equal("content.md", download.SuggestedFilename);
        Assert.Contains("Acme memo", await File.ReadAllTextAsync((await download.PathAsync())!));

        var globex = await OpenAsync("/");
        await SignInAsync(globex, GlobexKey);
        await Assertions.Expect(globex.Locator("#session-tenant")).ToHaveTextAsync("globex");
        await Assertions.Expect(globex.Locator("#empty")).ToBeVisibleAsync();
        Assert.Equal(0, await globex.Locator("#documents tbody tr").CountAsync());
        await globex.GotoAsync(documentUrl);
        await Assertions.Expect(globex.Locator("#content h1")).ToHaveCountAsync(0);
        await Assertions.Expect(globex.Locator("body")).Not.ToContainTextAsync("Acme memo");
        await Assertions.Expect(globex.Locator("body")).Not.ToContainTextAsync("acme-memo.md");

        await page.GotoAsync("/");
        await page.Locator("#sign-out").ClickAsync();
        await Assertions.Expect(page.Locator("#signin")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#session")).ToHaveCountAsync(0);
        Assert.Null(await page.EvaluateAsync<string?>("() => sessionStorage.getItem('annotate.apiKey')"));
    }
}
