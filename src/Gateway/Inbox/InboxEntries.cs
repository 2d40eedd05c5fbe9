using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Annotate.Gateway.Inbox;

/// <summary>What an inbox entry is, read without following a link and without opening it.</summary>
internal enum EntryKind
{
    Missing,
    Regular,
    Directory,
    SymbolicLink,
    Fifo,
    Socket,
    CharacterDevice,
    BlockDevice,
    Other,
}

/// <summary>The facts about an entry that the settle rule compares between scans; any difference is a change.</summary>
internal readonly record struct EntryStatus(EntryKind Kind, long Length, ulong Inode, ulong Device, long ModifiedNs, long ChangedNs, uint Links)
{
    public static readonly EntryStatus Missing = new(EntryKind.Missing, 0, 0, 0, 0, 0, 0);
}

/// <summary>A directory entry as the file system spells it: raw bytes, which need not be valid UTF-8.</summary>
internal readonly record struct RawEntry(byte[] Name);

/// <summary>
/// The file-system calls the inbox watcher needs and .NET does not offer. On Linux: the type of an entry with lstat
/// semantics (a FIFO or device must never be opened, a link never followed; <see cref="FileSystemInfo"/> cannot tell a
/// FIFO from a file), its change time (ctime, which even a writer that puts the time stamp back cannot hide), its inode
/// and link count, and directory entries as raw bytes (.NET replaces bytes that are not UTF-8, so such a file cannot be
/// addressed through a .NET string). <c>statx</c> is used rather than <c>lstat</c> because its structure has the same
/// layout on every Linux architecture; <c>dirent</c> has the same layout in every 64-bit Linux C library.
/// Elsewhere (Windows, macOS) the managed API stands in: links are recognised, FIFOs are not.
/// </summary>
internal static class InboxEntries
{
    private static readonly bool Native = OperatingSystem.IsLinux() && Environment.Is64BitProcess;

    /// <summary>What <paramref name="path"/> is, without following it if it is a link.</summary>
    public static EntryStatus Status(string path) => Native ? NativeStatus(path) : ManagedStatus(path);

    /// <summary>The entries of <paramref name="directory"/> (without <c>.</c> and <c>..</c>); throws <see cref="IOException"/> when it cannot be read.</summary>
    public static List<RawEntry> List(string directory)
    {
        if (!Native)
        {
            return Directory.EnumerateFileSystemEntries(directory, "*", new EnumerationOptions { AttributesToSkip = 0 })
                .Select(p => new RawEntry(Encoding.UTF8.GetBytes(Path.GetFileName(p)))).ToList();
        }
        var handle = Libc.opendir(Encode(directory));
        if (handle == IntPtr.Zero)
        {
            throw Failure("list", Marshal.GetLastPInvokeError());
        }
        try
        {
            var entries = new List<RawEntry>();
            IntPtr entry;
            while ((entry = Libc.readdir(handle)) != IntPtr.Zero)
            {
                // struct dirent on 64-bit Linux: d_ino (8), d_off (8), d_reclen (2), d_type (1), then d_name.
                const int nameOffset = 19;
                var name = new List<byte>(32);
                for (var i = 0; i < 256; i++)
                {
                    var b = Marshal.ReadByte(entry, nameOffset + i);
                    if (b == 0)
                    {
                        break;
                    }
                    name.Add(b);
                }
                if (name is not ([(byte)'.'] or [(byte)'.', (byte)'.']))
                {
                    entries.Add(new RawEntry([.. name]));
                }
            }
            return entries;
        }
        finally
        {
            _ = Libc.closedir(handle);
        }
    }

    /// <summary>
    /// The canonical path of <paramref name="path"/> with every link and <c>..</c> resolved; null when it cannot be
    /// resolved (dangling link, loop) or on systems without <c>realpath</c>, where links are then never followed.
    /// </summary>
    public static string? RealPath(string path)
    {
        if (!Native)
        {
            return null;
        }
        var resolved = Libc.realpath(Encode(path), IntPtr.Zero);
        if (resolved == IntPtr.Zero)
        {
            return null;
        }
        try
        {
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            Libc.free(resolved);
        }
    }

    /// <summary>Renames a raw-named entry inside one directory, never replacing an existing one; returns 0 or the errno.</summary>
    public static int RenameWithoutReplacing(byte[] from, byte[] to)
    {
        const int currentDirectory = -100; // AT_FDCWD: the paths are absolute anyway
        const uint noReplace = 1; // RENAME_NOREPLACE
        try
        {
            if (Libc.renameat2(currentDirectory, [.. from, 0], currentDirectory, [.. to, 0], noReplace) == 0)
            {
                return 0;
            }
            var error = Marshal.GetLastPInvokeError();
            if (error != Errno.InvalidArgument)
            {
                return error;
            }
        }
        catch (EntryPointNotFoundException)
        {
            // A C library older than renameat2 (glibc < 2.28): link + unlink below is just as unable to replace.
        }
        // File systems without RENAME_NOREPLACE: link() fails when the new name exists, so nothing is replaced either.
        if (Libc.link([.. from, 0], [.. to, 0]) != 0)
        {
            return Marshal.GetLastPInvokeError();
        }
        return Libc.unlink([.. from, 0]) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>
    /// Whether the regular file at <paramref name="path"/>, still exactly <paramref name="expected"/>, is free to take:
    /// opened without blocking (O_NONBLOCK: even a FIFO swapped in since the last look returns at once), checked through
    /// the open descriptor (statx on the descriptor, so nothing swapped in between can pass), then probed with a
    /// non-blocking exclusive flock, which fails while any .NET program holds the file open: .NET emulates sharing
    /// modes with flock on Unix, exclusive for FileShare.None and shared otherwise, so a writer sharing for reading
    /// (File.WriteAllText, a FileStream's default) is seen too, even while the file it created is still empty.
    /// Writers that take no lock are caught by the settle time alone.
    /// </summary>
    public static TakeCheck CheckBeforeTaking(string path, EntryStatus expected)
    {
        if (!Native)
        {
            return ManagedCheckBeforeTaking(path);
        }
        const int readOnlyNonBlocking = 0x800 | 0x100 | 0x80000; // O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC
        var fd = Libc.open(Encode(path), readOnlyNonBlocking);
        if (fd < 0)
        {
            return TakeCheck.Changed;
        }
        try
        {
            if (NativeStatus(fd) != expected)
            {
                return TakeCheck.Changed;
            }
            const int exclusiveNonBlocking = 2 | 4; // LOCK_EX | LOCK_NB
            if (Libc.flock(fd, exclusiveNonBlocking) != 0)
            {
                return TakeCheck.InUse;
            }
            return TakeCheck.Free;
        }
        finally
        {
            // Closing the descriptor also drops the probe's lock.
            _ = Libc.close(fd);
        }
    }

    /// <summary>The outcome of <see cref="CheckBeforeTaking"/>.</summary>
    public enum TakeCheck
    {
        Free,
        InUse,
        Changed,
    }

    /// <summary>errno values the watcher tells apart.</summary>
    public static class Errno
    {
        public const int NoEntry = 2;
        public const int Exists = 17;
        public const int InvalidArgument = 22;
    }

    private static EntryStatus NativeStatus(string path)
    {
        const int currentDirectory = -100; // AT_FDCWD
        const int doNotFollow = 0x100; // AT_SYMLINK_NOFOLLOW
        var buffer = new byte[256];
        if (Libc.statx(currentDirectory, Encode(path), doNotFollow, BasicStats, buffer) != 0)
        {
            // Gone between listing and looking (ENOENT), or a folder on the way is no longer one (ENOTDIR): nothing to take.
            var error = Marshal.GetLastPInvokeError();
            return error is Errno.NoEntry or 20 ? EntryStatus.Missing : throw Failure("inspect", error);
        }
        return ParseStatx(buffer);
    }

    private static EntryStatus NativeStatus(int fd)
    {
        const int emptyPath = 0x1000; // AT_EMPTY_PATH: the descriptor itself
        var buffer = new byte[256];
        return Libc.statx(fd, [0], emptyPath, BasicStats, buffer) == 0 ? ParseStatx(buffer) : EntryStatus.Missing;
    }

    private const uint BasicStats = 0x7ff; // STATX_BASIC_STATS

    private static EntryStatus ParseStatx(byte[] buffer)
    {
        // struct statx (linux/stat.h): stx_nlink @16, stx_mode @28, stx_ino @32, stx_size @40, stx_ctime @96,
        // stx_mtime @112 (each { s64 tv_sec; u32 tv_nsec; }), stx_dev_major @136, stx_dev_minor @140.
        var span = buffer.AsSpan();
        var mode = BinaryPrimitives.ReadUInt16LittleEndian(span[28..]);
        var kind = (mode & 0xF000) switch
        {
            0x8000 => EntryKind.Regular,
            0x4000 => EntryKind.Directory,
            0xA000 => EntryKind.SymbolicLink,
            0x1000 => EntryKind.Fifo,
            0xC000 => EntryKind.Socket,
            0x2000 => EntryKind.CharacterDevice,
            0x6000 => EntryKind.BlockDevice,
            _ => EntryKind.Other,
        };
        static long Nanoseconds(ReadOnlySpan<byte> timestamp) =>
            BinaryPrimitives.ReadInt64LittleEndian(timestamp) * 1_000_000_000 + BinaryPrimitives.ReadUInt32LittleEndian(timestamp[8..]);
        return new EntryStatus(
            kind,
            (long)BinaryPrimitives.ReadUInt64LittleEndian(span[40..]),
            BinaryPrimitives.ReadUInt64LittleEndian(span[32..]),
            ((ulong)BinaryPrimitives.ReadUInt32LittleEndian(span[136..]) << 32) | BinaryPrimitives.ReadUInt32LittleEndian(span[140..]),
            Nanoseconds(span[112..]),
            Nanoseconds(span[96..]),
            BinaryPrimitives.ReadUInt32LittleEndian(span[16..]));
    }

    private static EntryStatus ManagedStatus(string path)
    {
        FileSystemInfo info = Directory.Exists(path) ? new DirectoryInfo(path) : new FileInfo(path);
        if (info.LinkTarget is not null)
        {
            return EntryStatus.Missing with { Kind = EntryKind.SymbolicLink };
        }
        if (!info.Exists)
        {
            return EntryStatus.Missing;
        }
        var modified = (info.LastWriteTimeUtc - DateTime.UnixEpoch).Ticks * 100;
        return info is FileInfo file
            ? new EntryStatus(EntryKind.Regular, file.Length, 0, 0, modified, modified, 1)
            : EntryStatus.Missing with { Kind = EntryKind.Directory };
    }

    private static TakeCheck ManagedCheckBeforeTaking(string path)
    {
        // Windows enforces sharing modes itself: a file a writer holds cannot be opened for reading while shared for reading.
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            return TakeCheck.Free;
        }
        catch (FileNotFoundException)
        {
            return TakeCheck.Changed;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return TakeCheck.InUse;
        }
    }

    private static byte[] Encode(string path) => [.. Encoding.UTF8.GetBytes(path), 0];

    private static IOException Failure(string action, int errno) =>
        new($"Could not {action} the entry: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).");

    private static class Libc
    {
        [DllImport("libc", SetLastError = true)]
        internal static extern int statx(int dirfd, byte[] path, int flags, uint mask, [Out] byte[] buffer);

        [DllImport("libc", SetLastError = true)]
        internal static extern int open(byte[] path, int flags);

        [DllImport("libc", SetLastError = true)]
        internal static extern int flock(int fd, int operation);

        [DllImport("libc")]
        internal static extern int close(int fd);

        [DllImport("libc", SetLastError = true)]
        internal static extern IntPtr opendir(byte[] path);

        [DllImport("libc", SetLastError = true)]
        internal static extern IntPtr readdir(IntPtr directory);

        [DllImport("libc")]
        internal static extern int closedir(IntPtr directory);

        [DllImport("libc", SetLastError = true)]
        internal static extern IntPtr realpath(byte[] path, IntPtr resolved);

        [DllImport("libc")]
        internal static extern void free(IntPtr pointer);

        [DllImport("libc", SetLastError = true)]
        internal static extern int renameat2(int fromDirectory, byte[] from, int toDirectory, byte[] to, uint flags);

        [DllImport("libc", SetLastError = true)]
        internal static extern int link(byte[] from, byte[] to);

        [DllImport("libc", SetLastError = true)]
        internal static extern int unlink(byte[] path);
    }
}
