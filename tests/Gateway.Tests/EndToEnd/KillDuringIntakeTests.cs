using Annotate.Gateway.Tests.Support;
using Annotate.Hosting;

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
        // The processes' temporary folder, to see what the killed ones left there and that it goes.
        var temporary = Directory.CreateDirectory(Path.Combine(root, "tmp")).FullName;
        var settings = new Dictionary<string, string> { ["TMPDIR"] = temporary + Path.DirectorySeparatorChar };
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
                await using var gateway = await GatewayProcess.StartAsync(root, settings);
                var known = 0;
                for (var i = 0; i < 600 && known < 6 * (kill + 1); i++)
                {
                    known = (await gateway.DocumentsAsync()).Length;
                    await Task.Delay(20);
                }
                await gateway.KillAsync();
            }

            // The killed gateways' folders and their children's: held by no one now.
            Assert.True(OwnedFolders(temporary).Count(f => !Held(f)) >= 2, string.Join(", ", OwnedFolders(temporary)));

            await using (var last = await GatewayProcess.StartAsync(root, settings))
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
                // Nor in the temporary folder: the running gateway's own folder and its children's, nothing of the killed ones.
                Assert.All(OwnedFolders(temporary), f => Assert.True(Held(f), $"{f} is left from a killed process"));
                Assert.Single(OwnedFolders(temporary), f => Path.GetFileName(f).StartsWith(ProcessTemporaryFolder.Prefix, StringComparison.Ordinal));
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

    /// <summary>The processes' and the pipeline children's own temporary folders in <paramref name="root"/>.</summary>
    private static string[] OwnedFolders(string root) =>
        [.. Directory.GetDirectories(root, ProcessTemporaryFolder.Prefix + "*"), .. Directory.GetDirectories(root, "annotate-child-*")];

    /// <summary>Whether a live process holds the folder's lock file.</summary>
    private static bool Held(string folder)
    {
        try
        {
            using var free = new FileStream(folder + ".lock", FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }
}
