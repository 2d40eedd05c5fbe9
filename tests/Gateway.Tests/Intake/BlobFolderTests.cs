using Annotate.Gateway.Intake;
using Annotate.Gateway.Storage;
using Annotate.Hosting.Blobs;
using Microsoft.Extensions.Options;

namespace Annotate.Gateway.Tests.Intake;

public sealed class BlobFolderTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "annotate-blobfolder-tests", Guid.NewGuid().ToString("N"));
    private readonly BlobFolder _folder;

    public BlobFolderTests()
    {
        Directory.CreateDirectory(_root);
        _folder = new BlobFolder(new FileSystemBlobStore(Options.Create(new BlobStoreOptions
        {
            Sources = Path.Combine(_root, "blobs"),
            Outputs = Path.Combine(_root, "outbox"),
            Results = Path.Combine(_root, "results"),
            Content = Path.Combine(_root, "content"),
        })));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("blob:sources/doc-1/report.pdf", "sources/doc-1/report.pdf")]
    [InlineData("blob:outputs/doc-1/", "outputs/doc-1/")]
    public void KeyOf_a_blob_reference_is_its_key(string reference, string key) => Assert.Equal(key, _folder.KeyOf(reference));

    [Theory]
    [InlineData(null)]
    [InlineData("blob:../etc/passwd")]
    [InlineData("blob:sources//a")]
    [InlineData("https://files.example/doc-1/report.pdf")]
    [InlineData("relative/report.pdf")]
    public void KeyOf_anything_else_is_null(string? reference) => Assert.Null(_folder.KeyOf(reference));

    [Fact]
    public void KeyOf_a_file_location_inside_the_store_maps_to_its_key()
    {
        var path = Path.Combine(_root, "blobs", "doc-1", "report 2024.pdf");

        Assert.Equal("sources/doc-1/report 2024.pdf", _folder.KeyOf(new Uri(path).AbsoluteUri));
        Assert.Equal("sources/doc-1/report 2024.pdf", _folder.KeyOf(path));
        Assert.Equal("outputs/doc-1/annotations.json", _folder.KeyOf(new Uri(Path.Combine(_root, "outbox", "doc-1", "annotations.json")).AbsoluteUri));
    }

    [Fact]
    public void KeyOf_a_file_location_outside_the_store_is_null()
    {
        Assert.Null(_folder.KeyOf(new Uri(Path.Combine(_root, "elsewhere", "report.pdf")).AbsoluteUri));
        Assert.Null(_folder.KeyOf(Path.Combine(_root, "blobs-other", "doc-1", "report.pdf")));
        Assert.Null(_folder.KeyOf(Path.Combine(_root, "blobs", "..", "report.pdf")));
        Assert.Null(_folder.KeyOf(new Uri(Path.Combine(_root, "blobs")).AbsoluteUri));
    }

    [Theory]
    [InlineData("upload")]
    [InlineData("inbox")]
    public void OwnedKey_is_the_key_of_bytes_the_gateway_stored_for_the_document(string channel)
    {
        Assert.Equal("sources/doc-1/report.pdf", _folder.OwnedKey(Record("doc-1", channel, "blob:sources/doc-1/report.pdf")));
        Assert.Equal("sources/doc-1/report.pdf", _folder.OwnedKey(Record("doc-1", channel, new Uri(Path.Combine(_root, "blobs", "doc-1", "report.pdf")).AbsoluteUri)));
    }

    [Fact]
    public void OwnedKey_is_null_for_bytes_another_system_stored()
    {
        Assert.Null(_folder.OwnedKey(Record("doc-1", "message", "blob:sources/doc-1/report.pdf")));
        Assert.Null(_folder.OwnedKey(Record("doc-1", "message", new Uri(Path.Combine(_root, "blobs", "doc-1", "report.pdf")).AbsoluteUri)));
    }

    [Theory]
    [InlineData("blob:sources/doc-2/report.pdf")]
    [InlineData("blob:sources/doc-10/report.pdf")]
    [InlineData("blob:outputs/doc-1/report.pdf")]
    [InlineData("blob:results/documents/doc-1.json")]
    [InlineData("blob:sources/doc-1")]
    [InlineData("blob:../doc-1/report.pdf")]
    [InlineData("https://files.example/sources/doc-1/report.pdf")]
    [InlineData(null)]
    public void OwnedKey_is_null_for_anything_but_the_documents_own_sources(string? sourceUri) =>
        Assert.Null(_folder.OwnedKey(Record("doc-1", "upload", sourceUri)));

    [Fact]
    public void OwnedKey_is_null_for_a_file_outside_the_store()
    {
        Assert.Null(_folder.OwnedKey(Record("doc-1", "inbox", new Uri(Path.Combine(_root, "inbox", "doc-1", "report.pdf")).AbsoluteUri)));
        Assert.Null(_folder.OwnedKey(Record("doc-1", "inbox", new Uri(Path.Combine(_root, "outbox", "doc-1", "report.pdf")).AbsoluteUri)));
    }

    private static DocumentRecord Record(string id, string channel, string? sourceUri) => new()
    {
        Id = id,
        FileName = "report.pdf",
        Channel = channel,
        SourceUri = sourceUri,
    };
}
