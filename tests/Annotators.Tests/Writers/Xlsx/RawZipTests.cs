using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Annotate.Annotators.Writers.Xlsx;

namespace Annotate.Annotators.Tests.Writers.Xlsx;

public class RawZipTests
{
    private static readonly byte[] Sheet = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 20_000).Select(i => $"<row r=\"{i}\"><c><v>{i * 7 % 1013}</v></c></row>")));

    private static byte[] Zip(bool seekable, params (string Name, byte[] Content, CompressionLevel Level)[] entries)
    {
        var memory = new MemoryStream();
        using (var zip = new ZipArchive(seekable ? memory : new ForwardOnlyStream(memory), ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content, level) in entries)
            {
                using var stream = zip.CreateEntry(name, level).Open();
                stream.Write(content);
            }
        }
        return memory.ToArray();
    }

    private static byte[] Content(ZipArchiveEntry entry)
    {
        using var stream = entry.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static IReadOnlyList<RawZipEntry>? Read(byte[] zip) => RawZipDirectory.TryRead(new MemoryStream(zip));

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Entries_from_two_zips_are_copied_with_their_compressed_bytes_and_read_back_the_same(bool seekable)
    {
        // A zip written to a stream that cannot seek has data descriptors after each entry; the copy drops them.
        var first = Zip(seekable,
            ("[Content_Types].xml", "<Types/>"u8.ToArray(), CompressionLevel.Optimal),
            ("xl/worksheets/sheet1.xml", Sheet, CompressionLevel.Fastest),
            ("media/straße.bin", [1, 2, 3, 0, 255], CompressionLevel.NoCompression));
        var second = Zip(seekable, ("xl/worksheets/sheet2.xml", "<worksheet/>"u8.ToArray(), CompressionLevel.SmallestSize));
        var firstEntries = Read(first)!;
        var secondEntries = Read(second)!;
        if (!seekable)
        {
            Assert.All(firstEntries, e => Assert.NotEqual(0, e.Flags & RawZipEntry.DataDescriptorFlag));
        }
        using (var check = new ZipArchive(new MemoryStream(first)))
        {
            Assert.Equal(check.Entries.Select(e => (e.FullName, e.Crc32, e.Length, e.CompressedLength)),
                firstEntries.Select(e => (e.Name, e.Crc, (long)e.Size, (long)e.CompressedSize)));
        }
        Assert.All(firstEntries.Concat(secondEntries), e => Assert.True(e.Copyable));

        var output = new MemoryStream();
        var writer = new RawZipWriter(output);
        var sources = new[] { new MemoryStream(first), new MemoryStream(second) };
        writer.Copy(sources[0], firstEntries[1], CancellationToken.None);
        writer.Copy(sources[1], secondEntries[0], CancellationToken.None);
        writer.Copy(sources[0], firstEntries[0], CancellationToken.None);
        writer.Copy(sources[0], firstEntries[2], CancellationToken.None);
        writer.Finish();

        using var combined = new ZipArchive(new MemoryStream(output.ToArray()));
        Assert.Equal(["xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "[Content_Types].xml", "media/straße.bin"], combined.Entries.Select(e => e.FullName));
        Assert.Equal(Sheet, Content(combined.Entries[0]));
        Assert.Equal("<worksheet/>"u8.ToArray(), Content(combined.Entries[1]));
        Assert.Equal("<Types/>"u8.ToArray(), Content(combined.Entries[2]));
        Assert.Equal(new byte[] { 1, 2, 3, 0, 255 }, Content(combined.Entries[3]));
        var copied = Read(output.ToArray())!;
        Assert.Equal(firstEntries[1].CompressedSize, copied[0].CompressedSize);
        Assert.Equal(RawData(first, firstEntries[1]), RawData(output.ToArray(), copied[0]));
        Assert.All(copied, e => Assert.Equal(0, e.Flags & RawZipEntry.DataDescriptorFlag));
    }

    private static byte[] RawData(byte[] zip, RawZipEntry entry) => zip.AsSpan((int)entry.DataOffset, (int)entry.CompressedSize).ToArray();

    public static TheoryData<string> Tampering => new()
    {
        "local name differs",
        "zip64 sizes",
        "local header past the directory",
        "duplicate names",
        "truncated",
        "second disk",
    };

    [Theory]
    [MemberData(nameof(Tampering))]
    public void A_directory_the_copy_cannot_trust_is_refused(string tampering)
    {
        var zip = Zip(true, ("a.xml", "<a/>"u8.ToArray(), CompressionLevel.Optimal), ("b.xml", "<b/>"u8.ToArray(), CompressionLevel.Optimal));
        Assert.NotNull(Read(zip));
        var end = zip.Length - 22;
        var directory = (int)BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(end + 16));
        var secondCentral = directory + 46 + 5;
        var secondLocal = (int)BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(secondCentral + 42));
        switch (tampering)
        {
            case "local name differs":
                zip[30] = (byte)'A';
                break;
            case "zip64 sizes":
                BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(secondCentral + 20), uint.MaxValue);
                break;
            case "local header past the directory":
                BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(secondCentral + 42), (uint)directory);
                break;
            case "duplicate names":
                zip[secondCentral + 46] = (byte)'a';
                zip[secondLocal + 30] = (byte)'a';
                break;
            case "truncated":
                zip = zip[..^3];
                break;
            case "second disk":
                BinaryPrimitives.WriteUInt16LittleEndian(zip.AsSpan(end + 4), 1);
                break;
        }

        Assert.Null(Read(zip));
    }

    [Fact]
    public void A_comment_that_holds_the_end_record_signature_is_not_taken_for_it()
    {
        var memory = new MemoryStream();
        using (var zip = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
        {
            using (var stream = zip.CreateEntry("a.xml").Open())
            {
                stream.Write("<a/>"u8);
            }
            zip.Comment = "PK\u0005\u0006 not the end record";
        }

        var entries = Read(memory.ToArray());

        Assert.Equal("a.xml", Assert.Single(entries!).Name);
    }

    [Fact]
    public void Encrypted_or_unknown_methods_are_read_but_not_copyable()
    {
        var zip = Zip(true, ("a.xml", "<a/>"u8.ToArray(), CompressionLevel.Optimal), ("b.xml", "<b/>"u8.ToArray(), CompressionLevel.Optimal));
        var directory = (int)BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(zip.Length - 22 + 16));
        BinaryPrimitives.WriteUInt16LittleEndian(zip.AsSpan(directory + 10), 12);
        zip[directory + 46 + 5 + 8] |= 1;

        var entries = Read(zip)!;

        Assert.All(entries, e => Assert.False(e.Copyable));
        Assert.Throws<ArgumentException>(() => new RawZipWriter(new MemoryStream()).Copy(new MemoryStream(zip), entries[0], CancellationToken.None));
    }

    /// <summary>A stream that only goes forward, as a network response does.</summary>
    private sealed class ForwardOnlyStream(Stream inner) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
    }
}
