using System.Security.Cryptography;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Pipeline;
using Annotate.Hosting.Blobs;
using Annotate.Worker.Storage;

namespace Annotate.Worker.Tests.Storage;

/// <summary>The parts a pipeline child wrote are stored by their content, and only from the folder the worker gave it.</summary>
public sealed class PartStoreTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "annotate-part-store-tests", Guid.NewGuid().ToString("N"));
    private readonly FileSystemBlobStore _blobs;

    public PartStoreTests()
    {
        _blobs = TestBlobStores.Under(_root);
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task Parts_are_stored_under_their_hash_and_described_for_the_event()
    {
        var folder = Path.Combine(_root, "parts");
        var part = await WriteAsync(folder, "0000", "Invoice 42");

        var described = await new PartStore(_blobs).StoreAsync([part], folder, CancellationToken.None);

        var stored = Assert.Single(described!);
        Assert.Equal(part.DocumentId, stored.DocumentId);
        Assert.Equal("blob:" + BlobKeys.ContentOf(part.Sha256), stored.SourceUri);
        Assert.Equal(part.Sha256, stored.ContentSha256);
        await using var content = await _blobs.OpenReadAsync(BlobKeys.ContentOf(part.Sha256), CancellationToken.None);
        Assert.Equal("Invoice 42", await new StreamReader(content!).ReadToEndAsync());
        Assert.Null(await new PartStore(_blobs).StoreAsync([], folder, CancellationToken.None));
    }

    [Fact]
    public async Task A_part_that_names_a_file_outside_the_parts_folder_is_refused()
    {
        var folder = Path.Combine(_root, "parts");
        var outside = await WriteAsync(Path.Combine(_root, "elsewhere"), "secret", "not the child's to hand on");
        var sneaky = outside with { StagedPath = Path.Combine(folder, "..", "elsewhere", "secret") };

        await Assert.ThrowsAsync<InvalidOperationException>(() => new PartStore(_blobs).StoreAsync([sneaky], folder, CancellationToken.None));
        Assert.False(await ((IBlobStore)_blobs).ExistsAsync(BlobKeys.ContentOf(outside.Sha256), CancellationToken.None));
    }

    private static async Task<EmbeddedFile> WriteAsync(string folder, string name, string text)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, name);
        await File.WriteAllTextAsync(path, text);
        var bytes = await File.ReadAllBytesAsync(path);
        return new EmbeddedFile
        {
            Name = "invoice.txt",
            Path = "attachment 1: invoice.txt",
            SizeBytes = bytes.Length,
            Sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes)),
            DocumentId = DocumentIds.ForPart("mail-1", 0),
            StagedPath = path,
        };
    }
}
