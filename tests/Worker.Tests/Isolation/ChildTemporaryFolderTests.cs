using Annotate.Worker.Isolation;
using Microsoft.Extensions.Logging.Abstractions;

namespace Annotate.Worker.Tests.Isolation;

public sealed class ChildTemporaryFolderTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "annotate-isolation-tests", "temporary-" + Guid.NewGuid().ToString("N"));

    public ChildTemporaryFolderTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void A_sweep_keeps_the_folder_of_a_running_child_and_removes_those_no_one_holds()
    {
        using var running = ChildTemporaryFolder.Create(_root);
        File.WriteAllText(Path.Combine(running.FullPath, "spill.bin"), "rows");
        // A worker killed with its child: the folder and its lock file, which nobody holds any more.
        var orphan = Path.Combine(_root, ChildTemporaryFolder.Prefix + "orphan");
        Directory.CreateDirectory(Path.Combine(orphan, "annotate-warm-up-1"));
        File.WriteAllText(Path.Combine(orphan, "annotate-warm-up-1", "large.xlsx"), "cells");
        File.WriteAllText(orphan + ".lock", "");

        Assert.Equal(1, ChildTemporaryFolder.Sweep(_root, NullLogger.Instance));

        Assert.False(Directory.Exists(orphan));
        Assert.False(File.Exists(orphan + ".lock"));
        Assert.True(File.Exists(Path.Combine(running.FullPath, "spill.bin")));
        Assert.True(File.Exists(running.FullPath + ".lock"));
        // Held with no sharing: another worker's sweep cannot take it either.
        Assert.ThrowsAny<IOException>(() => new FileStream(running.FullPath + ".lock", FileMode.Open, FileAccess.ReadWrite, FileShare.None));

        running.Dispose();

        Assert.False(Directory.Exists(running.FullPath));
        Assert.False(File.Exists(running.FullPath + ".lock"));
    }

    [Fact]
    public void The_folder_is_the_childs_temporary_folder()
    {
        using var folder = ChildTemporaryFolder.Create(_root);

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
}
