using Annotate.Hosting.Blobs;
using Microsoft.Extensions.Options;

namespace Annotate.Worker.Tests.Storage;

/// <summary>A real blob store on folders below one temporary root.</summary>
internal static class TestBlobStores
{
    public static FileSystemBlobStore Under(string root) => new(Options.Create(new BlobStoreOptions
    {
        Sources = Path.Combine(root, "blobs"),
        Content = Path.Combine(root, "content"),
        Outputs = Path.Combine(root, "outbox"),
        Results = Path.Combine(root, "results"),
    }));
}
