using System.IO.Compression;
using System.Text;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Readers;
using Annotate.Annotators.Readers.Zip;
using Annotate.Annotators.Tests.Support;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.Tests.Readers.Zip;

public class ZipReaderTests
{
    [Fact]
    public async Task Each_file_entry_is_a_part_folders_are_skipped_and_the_content_lists_the_entries()
    {
        using var dir = new TempDir();
        var path = ZipOf(dir.File("docs.zip"), zip =>
        {
            zip.CreateEntry("invoices/");
            Add(zip, "invoices/march.txt", "Invoice 2024-0042, total EUR 1,250.00");
            Add(zip, "prices.csv", "model,price\nP-100,1250\n");
            Add(zip, "../../outside.md", "# Escaped\n");
        });
        var source = new DocumentSource(path, "docs.zip") { PartsDirectory = dir.File("parts") };

        var document = await Reader().ReadAsync(source, CancellationToken.None);

        Assert.Equal(["march.txt", "prices.csv", "outside.md"], document.Parts.Select(p => p.Name));
        Assert.Equal(["invoices/march.txt", "prices.csv", "outside.md"], document.Parts.Select(p => p.Path));
        Assert.All(document.Parts, p => Assert.StartsWith(dir.File("parts") + Path.DirectorySeparatorChar, p.StagedPath));
        Assert.Equal("Invoice 2024-0042, total EUR 1,250.00", await File.ReadAllTextAsync(document.Parts[0].StagedPath!));
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(dir.Path, "*", SearchOption.AllDirectories), e => Path.GetFileName(e) == "outside.md");
        var list = Assert.IsType<ListBlock>(document.Blocks[^1]);
        Assert.Equal(3, list.Items.Count);
        Assert.StartsWith("invoices/march.txt (37 bytes)", list.Items[0]);
        Assert.Empty(document.Notices);
    }

    [Fact]
    public async Task A_decompression_bomb_entry_is_skipped_with_a_notice_and_the_others_kept()
    {
        using var dir = new TempDir();
        var path = ZipOf(dir.File("bomb.zip"), zip =>
        {
            Add(zip, "readme.txt", "Nothing to see.");
            using var stream = zip.CreateEntry("zeros.bin", CompressionLevel.SmallestSize).Open();
            stream.Write(new byte[8 * 1024 * 1024]);
        });
        var source = new DocumentSource(path, "bomb.zip") { PartsDirectory = dir.File("parts") };

        var document = await Reader(new ReaderOptions { MaxCompressionRatio = 100 }).ReadAsync(source, CancellationToken.None);

        Assert.Equal(["readme.txt"], document.Parts.Select(p => p.Name));
        var notice = Assert.Single(document.Notices, n => n.Code == PartCollector.SkippedNotice);
        Assert.Contains("'zeros.bin'", notice.Message);
        Assert.Contains("MaxCompressionRatio", notice.Message);
        Assert.Single(Directory.GetFiles(dir.File("parts")));
    }

    [Fact]
    public async Task Entries_past_the_count_and_over_the_size_limits_are_named_in_the_notice()
    {
        using var dir = new TempDir();
        var path = ZipOf(dir.File("many.zip"), zip =>
        {
            Add(zip, "big.txt", new string('a', 5000));
            for (var i = 1; i <= 5; i++)
            {
                Add(zip, $"note{i}.txt", $"Note {i}");
            }
        });
        var source = new DocumentSource(path, "many.zip") { PartsDirectory = dir.File("parts") };

        var document = await Reader(new ReaderOptions { MaxDocumentBytes = 1000 }, new ContainerOptions { MaxParts = 3 })
            .ReadAsync(source, CancellationToken.None);

        Assert.Equal(["note1.txt", "note2.txt", "note3.txt"], document.Parts.Select(p => p.Name));
        var notice = Assert.Single(document.Notices, n => n.Code == PartCollector.SkippedNotice).Message;
        Assert.Contains("'big.txt' (larger than 1,000 bytes (Annotate:Readers:MaxDocumentBytes))", notice);
        Assert.Contains("'note4.txt' (more than 3 files (Annotate:Containers:MaxParts))", notice);
        Assert.Contains("'note5.txt'", notice);
        Assert.Equal(3, Directory.GetFiles(dir.File("parts")).Length);
    }

    [Fact]
    public async Task Links_are_never_followed_and_encrypted_entries_are_named()
    {
        using var dir = new TempDir();
        var path = ZipOf(dir.File("mixed.zip"), zip =>
        {
            Add(zip, "plain.txt", "Readable.");
            var link = zip.CreateEntry("passwd");
            link.ExternalAttributes = unchecked((int)(0xA1FFu << 16));
            using (var writer = new StreamWriter(link.Open()))
            {
                writer.Write("/etc/passwd");
            }
            Add(zip, "secret.txt", "Hidden.", CompressionLevel.NoCompression);
        });
        MarkEncrypted(path, "secret.txt");
        var source = new DocumentSource(path, "mixed.zip") { PartsDirectory = dir.File("parts") };

        var document = await Reader().ReadAsync(source, CancellationToken.None);

        Assert.Equal(["plain.txt"], document.Parts.Select(p => p.Name));
        Assert.Contains(document.Notices, n => n.Code == ZipReader.EncryptedNotice && n.Message.Contains("'secret.txt'", StringComparison.Ordinal));
        Assert.Contains(document.Notices, n => n.Code == PartCollector.SkippedNotice && n.Message.Contains("'passwd' (a symbolic link, never followed)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_a_parts_folder_the_entries_are_listed_with_their_hashes_and_nothing_is_written()
    {
        using var dir = new TempDir();
        var path = ZipOf(dir.File("list.zip"), zip => Add(zip, "a.txt", "abc"));

        var document = await Reader().ReadAsync(new DocumentSource(path, "list.zip"), CancellationToken.None);

        var part = Assert.Single(document.Parts);
        Assert.Null(part.StagedPath);
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", part.Sha256);
        Assert.Equal(["list.zip"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }

    internal static string ZipOf(string path, Action<ZipArchive> fill)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        fill(zip);
        return path;
    }

    internal static void Add(ZipArchive zip, string name, string text, CompressionLevel level = CompressionLevel.Optimal)
    {
        using var writer = new StreamWriter(zip.CreateEntry(name, level).Open(), new UTF8Encoding(false));
        writer.Write(text);
    }

    /// <summary>Sets the "encrypted" flag of an entry in its local header and its central directory record, as a zip tool does.</summary>
    private static void MarkEncrypted(string path, string name)
    {
        var bytes = File.ReadAllBytes(path);
        var nameBytes = Encoding.UTF8.GetBytes(name);
        for (var i = 0; i + 46 < bytes.Length; i++)
        {
            if (bytes[i] == 'P' && bytes[i + 1] == 'K' && bytes[i + 2] == 3 && bytes[i + 3] == 4 && bytes.AsSpan(i + 30, nameBytes.Length).SequenceEqual(nameBytes))
            {
                bytes[i + 6] |= 1;
            }
            if (bytes[i] == 'P' && bytes[i + 1] == 'K' && bytes[i + 2] == 1 && bytes[i + 3] == 2 && bytes.AsSpan(i + 46, Math.Min(nameBytes.Length, bytes.Length - i - 46)).SequenceEqual(nameBytes))
            {
                bytes[i + 8] |= 1;
            }
        }
        File.WriteAllBytes(path, bytes);
    }

    private static ZipReader Reader(ReaderOptions? readers = null, ContainerOptions? containers = null) =>
        new(Options.Create(readers ?? new ReaderOptions()), Options.Create(containers ?? new ContainerOptions()));
}
