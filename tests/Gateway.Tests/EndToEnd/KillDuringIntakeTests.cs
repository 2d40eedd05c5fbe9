using Annotate.Gateway.Tests.Support;

namespace Annotate.Gateway.Tests.EndToEnd;

/// <summary>The promise "nothing lost", kept against SIGKILL of the real process while it takes files from the inbox.</summary>
public sealed class KillDuringIntakeTests
{
    [Fact]
    public async Task Every_file_dropped_ends_Completed_or_Failed_although_the_process_is_killed_twice_during_intake()
    {
        var root = Path.Combine(Path.GetTempPath(), "annotate-gateway-tests", Guid.NewGuid().ToString("N"));
        var inbox = Path.Combine(root, "inbox");
        Directory.CreateDirectory(inbox);
        const int files = 60;
        try
        {
            for (var i = 0; i < files; i++)
            {
                // Distinct contents, so none completes as a duplicate of another.
                await File.WriteAllTextAsync(Path.Combine(inbox, $"note-{i:00}.txt"), $"Note {i}: the order {1000 + i} ships on 2024-03-{i % 28 + 1:00}.");
            }

            // Kill while intake is under way: after some files have records and before all are done.
            for (var kill = 0; kill < 2; kill++)
            {
                await using var gateway = await GatewayProcess.StartAsync(root);
                var known = 0;
                for (var i = 0; i < 600 && known < 10 * (kill + 1); i++)
                {
                    known = (await gateway.DocumentsAsync()).Length;
                    await Task.Delay(20);
                }
                await gateway.KillAsync();
            }

            await using (var last = await GatewayProcess.StartAsync(root))
            {
                var finished = Array.Empty<System.Text.Json.JsonElement>();
                for (var i = 0; i < 1200; i++)
                {
                    var documents = await last.DocumentsAsync();
                    finished = documents.Where(d => d.GetProperty("state").GetString() is "Completed" or "Failed").ToArray();
                    if (finished.Length == documents.Length && documents.Length >= files && !Directory.EnumerateFiles(inbox).Any())
                    {
                        break;
                    }
                    await Task.Delay(100);
                }
                var names = finished.Select(d => d.GetProperty("fileName").GetString()).ToList();
                for (var i = 0; i < files; i++)
                {
                    Assert.True(names.Contains($"note-{i:00}.txt"), $"note-{i:00}.txt has no final state.\n{last.Output}");
                }
                Assert.Empty(Directory.EnumerateFiles(inbox));
                // Every document has its outcome and nothing is left waiting in the blob folder.
                Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(root, "blobs")));
                var failed = finished.Where(d => d.GetProperty("state").GetString() == "Failed").ToList();
                Assert.True(failed.Count == 0, "Failed: " + string.Join("; ", failed.Select(d => d.GetProperty("message").GetString())));
            }
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
}
