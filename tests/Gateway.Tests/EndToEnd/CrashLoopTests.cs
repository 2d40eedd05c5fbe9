using System.Text.Json;
using Annotate.Gateway.Tests.Support;
using Annotate.Worker.Testing;

namespace Annotate.Gateway.Tests.EndToEnd;

/// <summary>A file that kills the process (natively, past any catch) cannot stop the service on every start.</summary>
public sealed class CrashLoopTests
{
    [Fact]
    public async Task A_file_that_kills_the_process_fails_as_crashed_after_a_bounded_number_of_starts_and_the_others_complete()
    {
        var root = Path.Combine(Path.GetTempPath(), "annotate-gateway-tests", Guid.NewGuid().ToString("N"));
        var inbox = Path.Combine(root, "inbox");
        Directory.CreateDirectory(inbox);
        var settings = new Dictionary<string, string> { ["Annotate__Worker__FaultInjection__Enabled"] = "true" };
        await File.WriteAllTextAsync(Path.Combine(inbox, "killer.txt"), FaultInjection.CrashMarker + " and then some text.");
        for (var i = 0; i < 4; i++)
        {
            await File.WriteAllTextAsync(Path.Combine(inbox, $"fine-{i}.txt"), $"An ordinary note number {i} about the order {500 + i}.");
        }
        try
        {
            JsonElement[] documents = [];
            var starts = 0;
            // Each start runs until the process dies or every document is final; a crash loop would never get there.
            for (; starts < 10; starts++)
            {
                await using var gateway = GatewayProcess.Launch(root, settings);
                var finished = false;
                for (var i = 0; i < 1200 && !gateway.HasExited && !finished; i++)
                {
                    if (await gateway.AnswersAsync())
                    {
                        documents = await TryListAsync(gateway) ?? documents;
                        finished = documents.Length == 5 && documents.All(d => d.GetProperty("state").GetString() is "Completed" or "Failed");
                    }
                    await Task.Delay(100);
                }
                if (finished)
                {
                    break;
                }
                Assert.True(gateway.HasExited, "The service neither finished nor died within 120 s:\n" + gateway.Output);
            }

            var killer = documents.Single(d => d.GetProperty("fileName").GetString() == "killer.txt");
            Assert.Equal("Failed", killer.GetProperty("state").GetString());
            Assert.Equal("crashed", killer.GetProperty("reason").GetString());
            Assert.True(File.Exists(Path.Combine(root, "failed", "killer.txt.error.json")));
            Assert.All(documents.Where(d => d.GetProperty("fileName").GetString() != "killer.txt"),
                d => Assert.Equal("Completed", d.GetProperty("state").GetString()));
            Assert.InRange(starts, 1, 9);
        }
        finally
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
                // Temp space is reclaimed by the OS.
            }
        }
    }

    [Fact]
    public async Task Fault_injection_is_refused_in_the_Production_environment()
    {
        var root = Path.Combine(Path.GetTempPath(), "annotate-gateway-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        var settings = new Dictionary<string, string>
        {
            ["Annotate__Worker__FaultInjection__Enabled"] = "true",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
        };
        await using var gateway = GatewayProcess.Launch(root, settings);
        for (var i = 0; i < 600 && !gateway.HasExited && !await gateway.AnswersAsync(); i++)
        {
            await Task.Delay(100);
        }
        Assert.True(gateway.HasExited, "The service started with fault injection in Production.");
        await gateway.WaitForOutputAsync("refused in the Production environment");
    }

    private static async Task<JsonElement[]?> TryListAsync(GatewayProcess gateway)
    {
        try
        {
            return await gateway.DocumentsAsync();
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }
}
