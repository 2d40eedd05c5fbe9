using Annotate.Gateway.Tests.Support;

namespace Annotate.Gateway.Tests.EndToEnd;

/// <summary>The promise "nothing lost", kept against SIGKILL of the real process while it takes files from the inbox.</summary>
public sealed class KillDuringIntakeTests
{
    [Fact]
    public async Task Every_file_dropped_ends_with_its_outcome_although_the_process_is_killed_twice_during_intake()
    {
        var root = Path.Combine(Path.GetTempPath(), "annotate-gateway-tests", Guid.NewGuid().ToString("N"));
        var inbox = Path.Combine(root, "inbox");
        Directory.CreateDirectory(inbox);
        const int files = 40;
        try
        {
            for (var i = 0; i < files; i++)
            {
                // Distinct contents, so none completes as a duplicate of another. Every other file is 4 MB of noise: it
                // takes a while to move and hash (the moment a kill used to lose a file) and fails fast as unknown-format.
                if (i % 2 == 0)
                {
                    await File.WriteAllTextAsync(Path.Combine(inbox, $"note-{i:00}.txt"), $"Note {i}: the order {1000 + i} ships on 2024-03-{i % 28 + 1:00}.");
                }
                else
                {
                    await File.WriteAllBytesAsync(Path.Combine(inbox, $"note-{i:00}.bin"), System.Security.Cryptography.RandomNumberGenerator.GetBytes(4 * 1024 * 1024));
                }
            }

            // Kill while intake is under way: after some files have records and before all are done.
            for (var kill = 0; kill < 2; kill++)
            {
                await using var gateway = await GatewayProcess.StartAsync(root);
                var known = 0;
                for (var i = 0; i < 600 && known < 6 * (kill + 1); i++)
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
                    // Completed documents' bytes are cleaned up just after their state changes: wait for that too.
                    if (finished.Length == documents.Length && documents.Length >= files && !Directory.EnumerateFiles(inbox).Any()
                        && !Directory.EnumerateFileSystemEntries(Path.Combine(root, "blobs")).Any())
                    {
                        break;
                    }
                    await Task.Delay(100);
                }
                var states = finished.ToDictionary(d => d.GetProperty("fileName").GetString()!, d => d.GetProperty("reason").GetString() ?? "completed");
                for (var i = 0; i < files; i++)
                {
                    var name = i % 2 == 0 ? $"note-{i:00}.txt" : $"note-{i:00}.bin";
                    Assert.True(states.ContainsKey(name), $"{name} has no final state.\n{last.Output}");
                    Assert.Equal(i % 2 == 0 ? "completed" : "unknown-format", states[name]);
                    if (i % 2 == 1)
                    {
                        Assert.True(File.Exists(Path.Combine(root, "failed", name + ".error.json")), $"{name} has no report");
                    }
                }
                Assert.Equal(files, finished.Length);
                Assert.Empty(Directory.EnumerateFiles(inbox));
                // Every document has its outcome and nothing is left waiting in the blob folder.
                Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(root, "blobs")));
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
