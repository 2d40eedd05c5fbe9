using System.Diagnostics;

namespace Annotate.Hosting.Tests;

public sealed class OwnedTemporaryFolderTests : IDisposable
{
    private const string Prefix = "annotate-test-";

    private readonly string _root = Path.Combine(Path.GetTempPath(), "annotate-hosting-tests", "temporary-" + Guid.NewGuid().ToString("N"));

    public OwnedTemporaryFolderTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void A_sweep_keeps_a_folder_whose_owner_runs_and_removes_those_no_one_holds()
    {
        using var running = OwnedTemporaryFolder.Create(_root, Prefix);
        File.WriteAllText(Path.Combine(running.FullPath, "spill.bin"), "rows");
        // An owner killed: its folder and its lock file, which nobody holds any more.
        var orphan = Path.Combine(_root, Prefix + "orphan");
        Directory.CreateDirectory(Path.Combine(orphan, "annotate-warm-up-1"));
        File.WriteAllText(Path.Combine(orphan, "annotate-warm-up-1", "large.xlsx"), "cells");
        File.WriteAllText(orphan + ".lock", "");
        // A folder whose lock file is gone, a lock file whose folder is gone, and what is not named like the owner's folders.
        var unlocked = Directory.CreateDirectory(Path.Combine(_root, Prefix + "unlocked")).FullName;
        var lonelyLock = Path.Combine(_root, Prefix + "lonely.lock");
        File.WriteAllText(lonelyLock, "");
        var other = Directory.CreateDirectory(Path.Combine(_root, "annotate-other-orphan")).FullName;

        Assert.Equal(2, OwnedTemporaryFolder.Sweep(_root, Prefix));

        Assert.False(Directory.Exists(orphan));
        Assert.False(File.Exists(orphan + ".lock"));
        Assert.False(Directory.Exists(unlocked));
        Assert.False(File.Exists(lonelyLock));
        Assert.True(Directory.Exists(other));
        Assert.True(File.Exists(Path.Combine(running.FullPath, "spill.bin")));
        Assert.True(File.Exists(running.FullPath + ".lock"));
        // Held with no sharing: another process's sweep cannot take it either.
        Assert.ThrowsAny<IOException>(() => new FileStream(running.FullPath + ".lock", FileMode.Open, FileAccess.ReadWrite, FileShare.None));

        running.Dispose();

        Assert.False(Directory.Exists(running.FullPath));
        Assert.False(File.Exists(running.FullPath + ".lock"));
    }

    [Fact]
    public void A_link_named_like_an_owned_folder_is_left_and_what_it_points_to_untouched()
    {
        var target = Directory.CreateDirectory(Path.Combine(_root, "linked")).FullName;
        File.WriteAllText(Path.Combine(target, "keep.txt"), "keep");
        var link = Path.Combine(_root, Prefix + "link");
        Directory.CreateSymbolicLink(link, target);

        Assert.Equal(0, OwnedTemporaryFolder.Sweep(_root, Prefix));

        Assert.True(File.Exists(Path.Combine(target, "keep.txt")));
        Assert.True(Directory.Exists(link));
    }

    [Fact]
    public async Task The_folder_of_an_owner_that_was_killed_is_removed_by_the_next_sweep_and_not_before()
    {
        // Another process holding a folder's lock as the owner does (flock(2), which .NET takes for FileShare.None on
        // Unix, and which the system lets go of when the process dies), then killed. The lock is the flock process's
        // alone (--close: the command it runs does not inherit it), so it is gone once that process has exited; a
        // command that inherited it could still hold it for a moment after the wait, on a loaded machine.
        var folder = Directory.CreateDirectory(Path.Combine(_root, Prefix + "elsewhere")).FullName;
        File.WriteAllText(Path.Combine(folder, "source.pdf"), "a user's document");
        using var owner = Process.Start(new ProcessStartInfo("flock", ["--close", "--exclusive", folder + ".lock", "sh", "-c", "echo locked; exec sleep 600"])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        try
        {
            using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            Assert.Equal("locked", await owner.StandardOutput.ReadLineAsync(bound.Token));

            Assert.Equal(0, OwnedTemporaryFolder.Sweep(_root, Prefix));
            Assert.True(File.Exists(Path.Combine(folder, "source.pdf")));

            owner.Kill(entireProcessTree: true);
            await owner.WaitForExitAsync(bound.Token);

            Assert.Equal(1, OwnedTemporaryFolder.Sweep(_root, Prefix));
            Assert.False(Directory.Exists(folder));
            Assert.False(File.Exists(folder + ".lock"));
        }
        finally
        {
            if (!owner.HasExited)
            {
                owner.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public void The_folder_is_the_temporary_folder_of_a_process_started_with_its_environment()
    {
        using var folder = OwnedTemporaryFolder.Create(_root, Prefix);

        var variables = folder.Environment().ToDictionary();

        if (OperatingSystem.IsWindows())
        {
            Assert.Equal(folder.FullPath, variables["TMP"]);
            Assert.Equal(folder.FullPath, variables["TEMP"]);
        }
        else
        {
            // .NET's Path.GetTempPath() and native code read TMPDIR; with its separator it is taken as it is.
            Assert.Equal(folder.FullPath + "/", variables["TMPDIR"]);
        }
        Assert.StartsWith(Path.GetFullPath(_root), folder.FullPath, StringComparison.Ordinal);
    }

    [Fact]
    public void The_process_folder_is_made_once_and_held()
    {
        var path = ProcessTemporaryFolder.FullPath;

        Assert.Equal(path, ProcessTemporaryFolder.FullPath);
        Assert.StartsWith(ProcessTemporaryFolder.Prefix, Path.GetFileName(path), StringComparison.Ordinal);
        Assert.True(Directory.Exists(path));
        Assert.ThrowsAny<IOException>(() => new FileStream(path + ".lock", FileMode.Open, FileAccess.ReadWrite, FileShare.None));
        var staged = ProcessTemporaryFolder.NewPath("source-");
        Assert.Equal(path, Path.GetDirectoryName(staged));
        Assert.False(File.Exists(staged));
    }
}
