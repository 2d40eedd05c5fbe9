using System.Runtime.InteropServices;
using System.Text;
using Annotate.Gateway.Tests.Support;

namespace Annotate.Gateway.Tests.Inbox;

/// <summary>
/// What an attacker with write access to the watched folder can plant, through the whole one-process service:
/// none of it may reach outside the inbox, block it, or be silently ignored.
/// </summary>
public sealed class InboxHostileEntriesTests
{
    [Fact]
    public async Task Links_out_of_the_inbox_are_never_followed_and_what_they_point_to_survives()
    {
        await using var host = new GatewayHost();
        var outside = Path.Combine(host.Root, "outside");
        Directory.CreateDirectory(outside);
        var secret = Path.Combine(outside, "passwd.txt");
        await File.WriteAllTextAsync(secret, "root:x:0:0:root:/root:/bin/bash");
        Directory.CreateDirectory(host.Inbox);
        File.CreateSymbolicLink(Path.Combine(host.Inbox, "p.txt"), secret);
        Directory.CreateSymbolicLink(Path.Combine(host.Inbox, "linked"), outside);

        await File.WriteAllTextAsync(Path.Combine(host.Inbox, "normal.txt"), "Dropped after the links, so scanned no earlier than them.");
        Assert.Equal("Completed", (await host.WaitForInboxFileAsync("normal.txt")).GetProperty("state").GetString());

        Assert.Empty(await host.DocumentsNamedAsync("p.txt"));
        Assert.Empty(await host.DocumentsNamedAsync("passwd.txt"));
        Assert.Equal("root:x:0:0:root:/root:/bin/bash", await File.ReadAllTextAsync(secret));
        Assert.NotNull(new FileInfo(Path.Combine(host.Inbox, "p.txt")).LinkTarget);
        Assert.NotNull(new DirectoryInfo(Path.Combine(host.Inbox, "linked")).LinkTarget);
    }

    [Fact]
    public async Task A_link_to_an_endless_device_does_not_block_the_inbox()
    {
        await using var host = new GatewayHost();
        Directory.CreateDirectory(host.Inbox);
        File.CreateSymbolicLink(Path.Combine(host.Inbox, "zero.txt"), "/dev/zero");

        await File.WriteAllTextAsync(Path.Combine(host.Inbox, "normal.txt"), "Dropped beside a link to /dev/zero.");

        Assert.Equal("Completed", (await host.WaitForInboxFileAsync("normal.txt")).GetProperty("state").GetString());
        Assert.Empty(await host.DocumentsNamedAsync("zero.txt"));
    }

    [Fact]
    public async Task A_fifo_does_not_block_the_inbox_and_is_left_in_place()
    {
        await using var host = new GatewayHost();
        Directory.CreateDirectory(host.Inbox);
        var pipe = Path.Combine(host.Inbox, "pipe.csv");
        InboxWatcherScanTests.Run("mkfifo", pipe);

        // The first file settles no earlier than the FIFO, so once it is done the watcher has reached the FIFO too; the
        // second shows the watcher is still alive after that.
        await File.WriteAllTextAsync(Path.Combine(host.Inbox, "first.txt"), "Dropped beside a FIFO.");
        Assert.Equal("Completed", (await host.WaitForInboxFileAsync("first.txt")).GetProperty("state").GetString());
        await File.WriteAllTextAsync(Path.Combine(host.Inbox, "second.txt"), "Dropped once the FIFO was seen.");
        Assert.Equal("Completed", (await host.WaitForInboxFileAsync("second.txt")).GetProperty("state").GetString());

        Assert.Empty(await host.DocumentsNamedAsync("pipe.csv"));
        Assert.True(Path.Exists(pipe));
    }

    [Fact]
    public async Task A_file_whose_name_is_not_valid_utf8_is_renamed_to_an_escaped_name_and_annotated()
    {
        await using var host = new GatewayHost();
        Directory.CreateDirectory(host.Inbox);
        byte[] name = [.. "report-"u8, 0xff, 0xfe, .. ".txt"u8];
        CreateFileByRawName([.. Encoding.UTF8.GetBytes(host.Inbox + "/"), .. name], "A report whose name no .NET string can address."u8.ToArray());

        var document = await host.WaitForInboxFileAsync("report-%FF%FE.txt");

        Assert.Equal("Completed", document.GetProperty("state").GetString());
        Assert.Empty(Directory.EnumerateFileSystemEntries(host.Inbox));
    }

    /// <summary>Creates a file through libc, because .NET cannot spell a path that is not valid UTF-8.</summary>
    internal static void CreateFileByRawName(byte[] path, byte[] content)
    {
        const int writeOnlyCreateExclusive = 0x1 | 0x40 | 0x80; // O_WRONLY | O_CREAT | O_EXCL
        var fd = NativeFile.open([.. path, 0], writeOnlyCreateExclusive, Convert.ToInt32("644", 8));
        Assert.True(fd >= 0, $"open failed: errno {Marshal.GetLastPInvokeError()}");
        try
        {
            Assert.Equal(content.Length, (int)NativeFile.write(fd, content, content.Length));
        }
        finally
        {
            _ = NativeFile.close(fd);
        }
    }

    private static class NativeFile
    {
        [DllImport("libc", SetLastError = true)]
        internal static extern int open(byte[] path, int flags, int mode);

        [DllImport("libc", SetLastError = true)]
        internal static extern nint write(int fd, byte[] buffer, nint count);

        [DllImport("libc")]
        internal static extern int close(int fd);
    }
}
