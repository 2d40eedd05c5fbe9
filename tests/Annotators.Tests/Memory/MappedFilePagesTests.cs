using System.Globalization;
using System.Runtime.InteropServices;
using Annotate.Annotators.Memory;
using Microsoft.Win32.SafeHandles;

namespace Annotate.Annotators.Tests.Memory;

/// <summary>
/// Mappings made here with <c>mmap</c> as the runtime makes them for assemblies: shared read-only (an IL assembly),
/// private read-only or read and execute (a ReadyToRun image's sections), and private pages changed before being made read-only
/// (relocations), which must never be dropped. The machine this runs on is Linux, where the class does its work.
/// </summary>
public sealed class MappedFilePagesTests : IDisposable
{
    private const int ProtRead = 1;
    private const int ProtWrite = 2;
    private const int ProtExec = 4;
    private const int MapShared = 1;
    private const int MapPrivate = 2;
    private const int Pages = 64;

    private readonly string _path = Path.Combine(Path.GetTempPath(), "annotate-mapped-" + Guid.NewGuid().ToString("N") + ".bin");
    private readonly int _pageSize = Environment.SystemPageSize;
    private readonly List<(nint Address, nuint Length)> _mappings = [];

    public MappedFilePagesTests()
    {
        var bytes = new byte[Pages * _pageSize];
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)(i * 7 + i / _pageSize);
        }
        File.WriteAllBytes(_path, bytes);
    }

    [Theory]
    [InlineData(ProtRead, MapShared)] // an IL assembly
    [InlineData(ProtRead, MapPrivate)]
    [InlineData(ProtRead | ProtExec, MapPrivate)] // a ReadyToRun image's resources are in its executable section
    public void A_mapping_that_cannot_be_written_and_has_no_copied_page_is_given_back_and_still_reads_the_file(int protection, int flags)
    {
        var address = Map(protection, flags);
        Touch(address);
        Assert.Equal(Pages * _pageSize / 1024, ResidentKilobytes(address));

        var advised = MappedFilePages.DropResident(_path);

        Assert.Equal(Pages * _pageSize, advised);
        Assert.Equal(0, ResidentKilobytes(address));
        AssertHoldsTheFile(address);
    }

    [Theory]
    [InlineData(ProtRead)]
    [InlineData(ProtRead | ProtExec)]
    public void Pages_changed_before_the_mapping_was_made_read_only_are_kept(int protection)
    {
        // As a loader relocates a section: written while writable, then read-only. Dropping it would put the file's
        // bytes back under the process.
        var relocated = Map(ProtRead | ProtWrite, MapPrivate);
        Touch(relocated);
        Marshal.WriteByte(relocated, 3 * _pageSize + 5, 0xAB);
        Assert.Equal(0, mprotect(relocated, (nuint)(Pages * _pageSize), protection));
        var clean = Map(ProtRead, MapPrivate);
        Touch(clean);

        var advised = MappedFilePages.DropResident(_path);

        Assert.Equal(Pages * _pageSize, advised);
        Assert.Equal(0, ResidentKilobytes(clean));
        Assert.Equal(Pages * _pageSize / 1024, ResidentKilobytes(relocated));
        Assert.Equal(0xAB, Marshal.ReadByte(relocated, 3 * _pageSize + 5));
    }

    [Fact]
    public void A_library_known_by_its_file_name_only_is_given_back_wherever_it_was_loaded_from()
    {
        var address = Map(ProtRead | ProtExec, MapPrivate);
        Touch(address);

        Assert.Equal(0, MappedFilePages.DropResidentNamed(Path.GetFileName(_path)[1..]));
        Assert.Equal(0, MappedFilePages.DropResidentNamed(_path));
        Assert.Equal(Pages * _pageSize / 1024, ResidentKilobytes(address));

        Assert.Equal(Pages * _pageSize, MappedFilePages.DropResidentNamed(Path.GetFileName(_path)));
        Assert.Equal(0, ResidentKilobytes(address));
        AssertHoldsTheFile(address);
    }

    [Fact]
    public void Writable_mappings_and_other_files_are_left_alone()
    {
        var writable = Map(ProtRead | ProtWrite, MapShared);
        Touch(writable);

        Assert.Equal(0, MappedFilePages.DropResident(_path));
        Assert.Equal(0, MappedFilePages.DropResident(_path + ".other"));
        Assert.Equal(0, MappedFilePages.DropResident(""));
        Assert.Equal(Pages * _pageSize / 1024, ResidentKilobytes(writable));
    }

    [Fact]
    public void A_private_writable_mapping_never_written_is_given_back_only_when_unwritten_ones_are_asked_for()
    {
        // As ONNX Runtime maps a weights file: read and write, copy on write, never written.
        var unwritten = Map(ProtRead | ProtWrite, MapPrivate);
        Touch(unwritten);
        var written = Map(ProtRead | ProtWrite, MapPrivate);
        Touch(written);
        Marshal.WriteByte(written, 3 * _pageSize + 5, 0xAB);

        Assert.Equal(0, MappedFilePages.DropResident(_path));
        Assert.Equal(Pages * _pageSize / 1024, ResidentKilobytes(unwritten));

        Assert.Equal(Pages * _pageSize, MappedFilePages.DropResidentUnwritten(_path));
        Assert.Equal(0, ResidentKilobytes(unwritten));
        AssertHoldsTheFile(unwritten);
        Assert.Equal(Pages * _pageSize / 1024, ResidentKilobytes(written));
        Assert.Equal(0xAB, Marshal.ReadByte(written, 3 * _pageSize + 5));
    }

    [Fact]
    public void A_file_deleted_since_it_was_mapped_is_found_by_the_path_it_had()
    {
        var address = Map(ProtRead | ProtWrite, MapPrivate);
        Touch(address);
        var bytes = File.ReadAllBytes(_path);
        File.Delete(_path);

        Assert.Equal(Pages * _pageSize, MappedFilePages.DropResidentUnwritten(_path));
        Assert.Equal(0, ResidentKilobytes(address));
        var actual = new byte[bytes.Length];
        Marshal.Copy(address, actual, 0, actual.Length);
        Assert.Equal(bytes, actual);
    }

    [Fact]
    public void Random_reads_are_advised_for_the_bytes_asked_for_only()
    {
        var address = Map(ProtRead | ProtWrite, MapPrivate);

        // From the middle of page 16 to the middle of page 23: whole pages 16 to 23.
        var advised = MappedFilePages.AdviseRandom(_path, (16L * _pageSize) + 100, (7L * _pageSize) + 200);

        Assert.Equal(8L * _pageSize, advised);
        // The kernel splits the mapping: the advised pages are one of their own, marked rr (random reads).
        Assert.Contains("rr", Flags(address + (16 * _pageSize)));
        Assert.DoesNotContain("rr", Flags(address));
        Assert.DoesNotContain("rr", Flags(address + (24 * _pageSize)));
        Assert.Equal(0, MappedFilePages.AdviseRandom(_path + ".other", 0, _pageSize));
    }

    public void Dispose()
    {
        foreach (var (address, length) in _mappings)
        {
            _ = munmap(address, length);
        }
        File.Delete(_path);
    }

    private nint Map(int protection, int flags)
    {
        using SafeFileHandle file = File.OpenHandle(_path, FileMode.Open, (protection & ProtWrite) != 0 && flags == MapShared ? FileAccess.ReadWrite : FileAccess.Read);
        var length = (nuint)(Pages * _pageSize);
        var address = mmap(0, length, protection, flags, (int)file.DangerousGetHandle(), 0);
        Assert.NotEqual(-1, address);
        _mappings.Add((address, length));
        return address;
    }

    private void Touch(nint address)
    {
        for (var page = 0; page < Pages; page++)
        {
            _ = Marshal.ReadByte(address, page * _pageSize);
        }
    }

    private void AssertHoldsTheFile(nint address)
    {
        var expected = File.ReadAllBytes(_path);
        var actual = new byte[expected.Length];
        Marshal.Copy(address, actual, 0, actual.Length);
        Assert.Equal(expected, actual);
    }

    /// <summary>The <c>Rss</c> of the mapping that starts at <paramref name="address"/>, from <c>/proc/self/smaps</c>.</summary>
    private static long ResidentKilobytes(nint address)
    {
        var header = ((ulong)address).ToString("x", CultureInfo.InvariantCulture) + "-";
        var inMapping = false;
        foreach (var line in File.ReadLines("/proc/self/smaps"))
        {
            if (line.StartsWith(header, StringComparison.Ordinal))
            {
                inMapping = true;
            }
            else if (inMapping && line.StartsWith("Rss:", StringComparison.Ordinal))
            {
                return long.Parse(line["Rss:".Length..].Replace("kB", "", StringComparison.Ordinal).Trim(), CultureInfo.InvariantCulture);
            }
        }
        throw new InvalidOperationException("no mapping at " + header);
    }

    /// <summary>The <c>VmFlags</c> of the mapping that starts at <paramref name="address"/>.</summary>
    private static string[] Flags(nint address)
    {
        var header = ((ulong)address).ToString("x", CultureInfo.InvariantCulture) + "-";
        var inMapping = false;
        foreach (var line in File.ReadLines("/proc/self/smaps"))
        {
            if (line.StartsWith(header, StringComparison.Ordinal))
            {
                inMapping = true;
            }
            else if (inMapping && line.StartsWith("VmFlags:", StringComparison.Ordinal))
            {
                return line["VmFlags:".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            }
        }
        throw new InvalidOperationException("no mapping at " + header);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern nint mmap(nint address, nuint length, int protection, int flags, int fd, nint offset);

    [DllImport("libc", SetLastError = true)]
    private static extern int munmap(nint address, nuint length);

    [DllImport("libc", SetLastError = true)]
    private static extern int mprotect(nint address, nuint length, int protection);
}
