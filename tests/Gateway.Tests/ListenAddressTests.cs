using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;

namespace Annotate.Gateway.Tests;

public sealed class ListenAddressTests
{
    [Fact]
    public void With_nothing_set_the_API_listens_on_localhost_5080()
    {
        Assert.Equal("http://localhost:5080", ListenAddress.DefaultFor(Config()));
    }

    [Theory]
    [InlineData("urls", "http://0.0.0.0:9000")]
    [InlineData("http_ports", "8080")]
    [InlineData("https_ports", "8443")]
    [InlineData("Kestrel:Endpoints:Http:Url", "http://0.0.0.0:9000")]
    public void An_address_chosen_the_usual_ways_is_not_overridden(string key, string value)
    {
        Assert.Null(ListenAddress.DefaultFor(Config((key, value))));
    }

    [Theory]
    [InlineData("urls", "http://localhost:5080")]
    [InlineData("urls", "http://127.0.0.1:0;http://[::1]:5080")]
    [InlineData("Kestrel:Endpoints:Http:Url", "http://127.0.0.2:9000")]
    public void Loopback_addresses_are_not_reachable_from_other_machines(string key, string value)
    {
        Assert.Null(ListenAddress.ReachableFromOtherMachines(Config((key, value))));
        Assert.Null(ListenAddress.ReachableFromOtherMachines(Config()));
    }

    [Theory]
    [InlineData("urls", "http://0.0.0.0:9000")]
    [InlineData("urls", "http://localhost:5080;http://*:9000")]
    [InlineData("urls", "http://+:9000")]
    [InlineData("urls", "http://[::]:9000")]
    [InlineData("urls", "http://192.168.1.10:9000")]
    [InlineData("urls", "http://annotate.example:9000")]
    [InlineData("http_ports", "8080")]
    [InlineData("Kestrel:Endpoints:Http:Url", "http://0.0.0.0:9000")]
    public void Wildcards_other_hosts_and_bare_ports_are_reachable_from_other_machines(string key, string value)
    {
        Assert.NotNull(ListenAddress.ReachableFromOtherMachines(Config((key, value))));
    }

    [Fact]
    public void The_gateways_own_settings_file_leaves_the_address_to_the_environment()
    {
        var settings = new ConfigurationBuilder().AddJsonFile(Path.Combine(GatewayOutput, "appsettings.json")).Build();

        Assert.Equal(ListenAddress.Default, ListenAddress.DefaultFor(settings));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_address_from_ASPNETCORE_URLS_or_urls_is_bound_and_printed_in_the_banner(bool environment)
    {
        var root = Path.Combine(Path.GetTempPath(), "annotate-gateway-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(GatewayOutput, "Annotate.Gateway.dll"));
        foreach (var inherited in new[] { "URLS", "ASPNETCORE_URLS", "DOTNET_URLS", "ASPNETCORE_HTTP_PORTS", "HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS" })
        {
            start.Environment.Remove(inherited);
        }
        // Port 0: the system picks a free port, and only the banner can say which.
        if (environment)
        {
            start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        }
        else
        {
            start.ArgumentList.Add("--urls");
            start.ArgumentList.Add("http://127.0.0.1:0");
        }
        start.Environment["Annotate__Gateway__Inbox"] = Path.Combine(root, "inbox");
        start.Environment["Annotate__Gateway__Failed"] = Path.Combine(root, "failed");
        start.Environment["Annotate__Blobs__Sources"] = Path.Combine(root, "blobs");
        start.Environment["Annotate__Blobs__Results"] = Path.Combine(root, "results");
        start.Environment["Annotate__Blobs__Content"] = Path.Combine(root, "content");
        start.Environment["Annotate__Gateway__Database"] = Path.Combine(root, "annotate.db");
        start.Environment["Annotate__Blobs__Outputs"] = Path.Combine(root, "outbox");

        var output = new StringBuilder();
        var banner = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        void Collect(string? line)
        {
            if (line is null)
            {
                return;
            }
            lock (output)
            {
                output.AppendLine(line);
            }
            if (Regex.Match(line, @"HTTP API: (http://[^\s,]+)/api/documents") is { Success: true } match)
            {
                banner.TrySetResult(match.Groups[1].Value);
            }
        }
        process.OutputDataReceived += (_, e) => Collect(e.Data);
        process.ErrorDataReceived += (_, e) => Collect(e.Data);
        process.Exited += (_, _) => banner.TrySetException(new InvalidOperationException("The gateway exited before it was ready."));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            string address;
            try
            {
                address = await banner.Task.WaitAsync(TimeSpan.FromSeconds(120));
            }
            catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
            {
                lock (output)
                {
                    throw new InvalidOperationException($"{ex.Message} Output:\n{output}", ex);
                }
            }

            Assert.Matches(@"^http://127\.0\.0\.1:[1-9][0-9]*$", address);
            using var http = new HttpClient { BaseAddress = new Uri(address) };
            Assert.Equal(HttpStatusCode.OK, await HealthAsync(http));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
            await process.WaitForExitAsync();
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
                // A file the stopped process still held: temp space is reclaimed by the OS.
            }
        }
    }

    [Fact]
    public async Task The_gateway_process_refuses_to_start_on_every_interface_without_API_keys_and_says_why()
    {
        var root = Path.Combine(Path.GetTempPath(), "annotate-gateway-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(GatewayOutput, "Annotate.Gateway.dll"));
        foreach (var inherited in new[] { "URLS", "ASPNETCORE_URLS", "DOTNET_URLS", "ASPNETCORE_HTTP_PORTS", "HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS" })
        {
            start.Environment.Remove(inherited);
        }
        start.Environment["ASPNETCORE_URLS"] = "http://0.0.0.0:0";
        start.Environment["Annotate__Gateway__Inbox"] = Path.Combine(root, "inbox");
        start.Environment["Annotate__Gateway__Failed"] = Path.Combine(root, "failed");
        start.Environment["Annotate__Blobs__Sources"] = Path.Combine(root, "blobs");
        start.Environment["Annotate__Blobs__Results"] = Path.Combine(root, "results");
        start.Environment["Annotate__Blobs__Content"] = Path.Combine(root, "content");
        start.Environment["Annotate__Gateway__Database"] = Path.Combine(root, "annotate.db");
        start.Environment["Annotate__Blobs__Outputs"] = Path.Combine(root, "outbox");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
            var output = await stdout + await stderr;

            Assert.NotEqual(0, process.ExitCode);
            Assert.Contains("http://0.0.0.0:0", output);
            Assert.Contains("no API keys", output);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
                // A file the stopped process still held: temp space is reclaimed by the OS.
            }
        }
    }

    /// <summary>Asks /health until the server answers (bounded: 100 tries).</summary>
    private static async Task<HttpStatusCode> HealthAsync(HttpClient http)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return (await http.GetAsync("/health")).StatusCode;
            }
            catch (HttpRequestException) when (attempt < 100)
            {
                await Task.Delay(100);
            }
        }
    }

    private static IConfiguration Config(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();

    /// <summary>The Gateway's own build output (the test's folder also holds the Worker's appsettings.json).</summary>
    private static string GatewayOutput
    {
        get
        {
            var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var framework = testOutput.Name;
            var configuration = testOutput.Parent!.Name;
            var dir = testOutput;
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Annotate.sln")))
            {
                dir = dir.Parent;
            }
            var output = Path.Combine(dir!.FullName, "src", "Gateway", "bin", configuration, framework);
            return File.Exists(Path.Combine(output, "Annotate.Gateway.dll")) ? output : throw new FileNotFoundException("Build the Gateway first.", output);
        }
    }
}
