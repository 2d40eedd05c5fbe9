using System.Security.Cryptography;
using System.Text;
using Annotate.Annotators.Pipeline;
using Annotate.Gateway.Storage;
using Annotate.Gateway.Tests.Support;
using Annotate.Hosting.Blobs;
using Annotate.Messages;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Annotate.Gateway.Tests.Consumers;

/// <summary>The parts a worker reports become documents once, however often the event arrives, under the parent's tenant and profile.</summary>
public sealed class DocumentPartsTests
{
    [Fact]
    public async Task A_parent_event_delivered_twice_creates_and_hands_over_its_child_once()
    {
        await using var host = new GatewayHost(new Dictionary<string, string?> { ["Annotate:Gateway:WatchInbox"] = "false" });
        var bus = host.Services.GetRequiredService<IBus>();
        var blobs = host.Services.GetRequiredService<IBlobStore>();
        var store = host.Services.GetRequiredService<IDocumentStore>();
        var bytes = Encoding.UTF8.GetBytes("Invoice 42: please pay EUR 1,250.00 by 2024-04-30.\n");
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes));
        await blobs.PutAsync(BlobKeys.ContentOf(sha256), new MemoryStream(bytes), CancellationToken.None);
        var childId = DocumentIds.ForPart("mail-twice", 0);
        var parent = new DocumentAnnotated
        {
            DocumentId = "mail-twice",
            FileName = "mail.eml",
            OutputUri = "blob:outputs/mail-twice/",
            Digest = new AnnotationDigest { Format = "eml" },
            Timings = new StageTimings { TotalMs = 5 },
            CompletedAt = new DateTimeOffset(2024, 3, 15, 9, 0, 0, TimeSpan.Zero),
            Parts =
            [
                new DocumentPart
                {
                    DocumentId = childId, FileName = "../invoice\u202E.txt", SourceUri = BlobReference.For(BlobKeys.ContentOf(sha256)),
                    SizeBytes = bytes.Length, ContentSha256 = sha256, Path = "attachment 1: invoice.txt",
                },
                // A part whose source is not its content is left out, whatever it claims.
                new DocumentPart
                {
                    DocumentId = DocumentIds.ForPart("mail-twice", 1), FileName = "other.txt", SourceUri = "blob:sources/x/other.txt",
                    SizeBytes = 1, ContentSha256 = sha256,
                },
            ],
        };

        await bus.Publish(parent);
        var child = await host.WaitUntilKnownAndFinishedAsync(childId);
        await bus.Publish(parent);
        await host.WaitForConsumedCountAsync<DocumentAnnotated>(3);

        Assert.Equal("Completed", child.GetProperty("state").GetString());
        Assert.Equal("mail-twice", child.GetProperty("parentId").GetString());
        Assert.Equal("part", child.GetProperty("channel").GetString());
        var children = await store.ListChildrenAsync("mail-twice", 10, CancellationToken.None);
        var recorded = Assert.Single(children);
        Assert.Equal(1, recorded.Dispatches);
        Assert.Equal(1, recorded.Depth);
        Assert.DoesNotContain('\u202E', recorded.FileName);
        Assert.Equal("Completed", (await store.FindAsync("mail-twice", CancellationToken.None))!.State.ToString());
    }
}
