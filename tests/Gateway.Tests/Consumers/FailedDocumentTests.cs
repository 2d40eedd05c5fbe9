using Annotate.Gateway.Storage;
using Annotate.Gateway.Tests.Support;
using Annotate.Messages;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Annotate.Gateway.Tests.Consumers;

public sealed class FailedDocumentTests
{
    [Fact]
    public async Task A_failed_document_has_its_file_and_complete_report_when_its_state_is_Failed_and_a_redelivered_event_changes_nothing()
    {
        await using var host = new GatewayHost(new Dictionary<string, string?> { ["Annotate:Gateway:WatchInbox"] = "false" });
        var blob = Path.Combine(host.Root, "blobs", "bad-1", "bad.pdf");
        Directory.CreateDirectory(Path.GetDirectoryName(blob)!);
        await File.WriteAllTextAsync(blob, "not a pdf");
        var store = host.Services.GetRequiredService<IDocumentStore>();
        await store.TryAddAsync(new DocumentRecord
        {
            Id = "bad-1", FileName = "bad.pdf", Channel = "inbox", State = DocumentState.Processing,
            SourceUri = "blob:sources/bad-1/bad.pdf", Sha256 = "x", SizeBytes = 9, ReceivedAt = DateTimeOffset.UnixEpoch,
        }, CancellationToken.None);
        var bus = host.Services.GetRequiredService<IBus>();
        var failed = new DocumentAnnotationFailed
        {
            DocumentId = "bad-1", FileName = "bad.pdf", Reason = "corrupt", Message = "'bad.pdf' is damaged.", FailedAt = DateTimeOffset.UnixEpoch,
        };
        var changes = host.Services.GetRequiredService<DocumentStateChanges>();

        var finished = changes.WhenFinishedAsync("bad-1", CancellationToken.None);
        await bus.Publish(failed);
        await finished.WaitAsync(TimeSpan.FromSeconds(60));

        // The state changed last: the file and the whole report are there the moment it reads Failed.
        Assert.Equal(DocumentState.Failed, (await store.FindAsync("bad-1", CancellationToken.None))!.State);
        Assert.True(File.Exists(Path.Combine(host.Failed, "bad.pdf")));
        var report = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(host.Failed, "bad.pdf.error.json")));
        Assert.Equal("corrupt", report.RootElement.GetProperty("reason").GetString());

        // The same event again (a redelivery) writes nothing more.
        await bus.Publish(failed);
        await bus.Publish(new DocumentAnnotationFailed
        {
            DocumentId = "bad-1", FileName = "bad.pdf", Reason = "internal", Message = "late", FailedAt = DateTimeOffset.UnixEpoch,
        });
        await host.WaitForConsumedCountAsync<DocumentAnnotationFailed>(3);
        Assert.Equal(new[] { "bad.pdf", "bad.pdf.error.json" }, Directory.EnumerateFiles(host.Failed).Select(f => Path.GetFileName(f)).Order().ToArray());
        Assert.Equal("corrupt", (await store.FindAsync("bad-1", CancellationToken.None))!.Reason);
    }

    [Fact]
    public async Task Bytes_written_to_an_inbox_file_after_it_was_taken_are_not_deleted_but_taken_again()
    {
        await using var host = new GatewayHost(new Dictionary<string, string?> { ["Annotate:Gateway:WatchInbox"] = "false" });
        var blob = Path.Combine(host.Root, "blobs", "grew-1", "grew.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(blob)!);
        await File.WriteAllTextAsync(blob, "First half of the file, taken when the writer paused.");
        var store = host.Services.GetRequiredService<IDocumentStore>();
        await store.TryAddAsync(new DocumentRecord
        {
            Id = "grew-1", FileName = "grew.txt", Channel = "inbox", State = DocumentState.Processing,
            SourceUri = "blob:sources/grew-1/grew.txt", Sha256 = "x", SizeBytes = new FileInfo(blob).Length, ReceivedAt = DateTimeOffset.UnixEpoch,
        }, CancellationToken.None);
        // The writer carried on after the claim (the moved file is the same inode it still has open).
        await File.AppendAllTextAsync(blob, " Second half, written after the claim.");

        await host.Services.GetRequiredService<IBus>().Publish(new DocumentAnnotated
        {
            DocumentId = "grew-1", FileName = "grew.txt", OutputUri = Path.Combine(host.Outbox, "grew-1"), Outputs = [],
            Digest = new AnnotationDigest { Format = "text" }, Timings = new StageTimings(), CompletedAt = DateTimeOffset.UnixEpoch,
        });
        await host.WaitForInboxFileAsync("grew.txt", count: 2);

        var both = await host.DocumentsNamedAsync("grew.txt");
        var retaken = both.Single(d => d.GetProperty("id").GetString() != "grew-1");
        Assert.Equal("Completed", retaken.GetProperty("state").GetString());
        Assert.Equal(new FileInfo(Path.Combine(host.Outbox, retaken.GetProperty("id").GetString()!, "original.txt")).Length,
            retaken.GetProperty("sizeBytes").GetInt64());
        Assert.Contains("Second half", await File.ReadAllTextAsync(Path.Combine(host.Outbox, retaken.GetProperty("id").GetString()!, "content.md")));
    }
}
