using Microsoft.Playwright;

namespace Annotate.Gateway.Tests.Dashboard;

/// <summary>Debian's Chromium (<c>/usr/bin/chromium</c>, headless) driven by Playwright for the browser tests, and where their screenshots go.</summary>
internal sealed class HeadlessChromium : IAsyncDisposable
{
    private const string Executable = "/usr/bin/chromium";
    private readonly IPlaywright _playwright;

    private HeadlessChromium(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    public IBrowser Browser { get; }

    /// <summary>Launches the browser; fails saying how to install it when it is missing.</summary>
    public static async Task<HeadlessChromium> LaunchAsync()
    {
        Assert.True(File.Exists(Executable), $"{Executable} is missing: apt-get install -y chromium (.ci/run installs it)");
        var playwright = await Playwright.CreateAsync();
        return new HeadlessChromium(playwright, await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Executable,
            Headless = true,
            // Containers and CI machines run as root, where Chromium's sandbox cannot start.
            Args = ["--no-sandbox", "--disable-dev-shm-usage"],
        }));
    }

    /// <summary>The path of a screenshot under <c>TestResults/screenshots</c> of the test output (the folder is created).</summary>
    public static string ScreenshotPath(string name)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name);
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
    }
}
