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
            var names = new[] { "killer.txt", "fine-0.txt", "fine-1.txt", "fine-2.txt", "fine-3.txt" };
            var finished = new HashSet<string>();
            var starts = 0;
            // Each start runs until the process dies or every document is final; a crash loop would never get there.
            for (; starts < 10 && finished.Count < names.Length; starts++)
            {
                await using var gateway = GatewayProcess.Launch(root, settings);
                var exited = gateway.ExitedAsync();
                foreach (var name in names.Except(finished).ToList())
                {
                    var line = gateway.FinishedAsync(name);
                    // A kill between recording the outcome and printing its line leaves the line unprinted: the state says it.
                    var recorded = RecordedFinalAsync(gateway, name, exited);
                    var first = await Task.WhenAny(line, recorded, exited, Task.Delay(TimeSpan.FromSeconds(120)));
                    if (first == line || (first == recorded && await recorded))
                    {
                        finished.Add(name);
                        continue;
                    }
                    Assert.True(first == exited, $"The service neither finished {name} nor died within 120 s:\n" + gateway.Output);
                    break;
                }
                // Documents that finished while this start waited on another one.
                finished.UnionWith(names.Where(n => gateway.FinishedAsync(n).IsCompletedSuccessfully));
            }
            Assert.Equal(names.Length, finished.Count);

            JsonElement[] documents;
            await using (var last = await GatewayProcess.StartAsync(root, settings))
            {
                documents = await last.DocumentsAsync();
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

    /// <summary>True once the API shows <paramref name="name"/> final; false when the process exits first.</summary>
    private static async Task<bool> RecordedFinalAsync(GatewayProcess gateway, string name, Task exited)
    {
        for (var polls = 0; polls < 240 && !exited.IsCompleted; polls++)
        {
            try
            {
                var documents = await gateway.DocumentsAsync();
                if (documents.Any(d => d.GetProperty("fileName").GetString() == name && d.GetProperty("state").GetString() is "Completed" or "Failed"))
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet, or already dying.
            }
            await Task.WhenAny(exited, Task.Delay(TimeSpan.FromMilliseconds(500)));
        }
        return false;
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
        var exited = gateway.ExitedAsync();
        var ready = gateway.WaitForLineAsync(l => l.Contains("Annotate is ready", StringComparison.Ordinal));
        Assert.Same(exited, await Task.WhenAny(exited, ready, Task.Delay(TimeSpan.FromSeconds(60))));
        await gateway.WaitForOutputAsync("refused in the Production environment");
    }
}
