using System.Text.Json;
using Annotate.Gateway.Storage;
using Annotate.Gateway.Tests.Support;
using Annotate.Messages;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Annotate.Gateway.Tests.Inbox;

public sealed class InboxTests
{
    [Fact]
    public async Task A_file_still_being_written_is_not_taken_half_way()
    {
        await using var host = new GatewayHost(new Dictionary<string, string?> { ["Annotate:Gateway:SettleTime"] = "00:00:01" });
        Directory.CreateDirectory(host.Inbox);
        var path = Path.Combine(host.Inbox, "slow.txt");
        var line = "A line of a slowly copied report with an amount of EUR 12.50.\n";
        long expected = 0;
        // The writer holds the file exclusively (as .NET's File.Create and most copy tools do), so however long a pause
        // between writes lasts on a loaded machine, the lock keeps the file from being taken; the settle rule for
        // writers that take no lock is covered with a fake clock in InboxWatcherScanTests.
        await using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        await using (var writer = new StreamWriter(stream))
        {
            for (var i = 0; i < 6; i++)
            {
                await writer.WriteAsync(line);
                await writer.FlushAsync();
                expected += line.Length;
                if (i == 2)
                {
                    // Half written and still for longer than the settle time: a file dropped beside it is taken and
                    // completed meanwhile, which proves the inbox was scanned past the settle time with this one held.
                    await File.WriteAllTextAsync(Path.Combine(host.Inbox, "beside.txt"), "Dropped while slow.txt is half written.");
                    await host.WaitForInboxFileAsync("beside.txt");
                }
            }
        }

        var document = await host.WaitForInboxFileAsync("slow.txt");

        Assert.Equal("Completed", document.GetProperty("state").GetString());
        Assert.Equal(expected, document.GetProperty("sizeBytes").GetInt64());
        Assert.Single(await host.DocumentsNamedAsync("slow.txt"));
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task The_same_file_dropped_twice_completes_twice_and_the_second_reuses_the_first_outputs()
    {
        await using var host = new GatewayHost();
        Directory.CreateDirectory(host.Inbox);
        var content = "Quarterly note: revenue grew by 12.5% to USD 2,500 on 2024-03-31.";
        await File.WriteAllTextAsync(Path.Combine(host.Inbox, "twice.txt"), content);
        var first = await host.WaitForInboxFileAsync("twice.txt");

        await File.WriteAllTextAsync(Path.Combine(host.Inbox, "twice.txt"), content);
        await host.WaitForInboxFileAsync("twice.txt", count: 2);

        var both = await host.DocumentsNamedAsync("twice.txt");
        Assert.Equal(2, both.Length);
        Assert.All(both, d => Assert.Equal("Completed", d.GetProperty("state").GetString()));
        var second = both.Single(d => d.GetProperty("id").GetString() != first.GetProperty("id").GetString());
        Assert.Equal(first.GetProperty("id").GetString(), second.GetProperty("duplicateOf").GetString());
        var secondId = second.GetProperty("id").GetString()!;
        Assert.True(File.Exists(Path.Combine(host.Outbox, secondId, "annotations.json")));
    }

    [Fact]
    public async Task A_file_dropped_again_after_its_profile_changed_is_annotated_afresh()
    {
        var root = Path.Combine(Path.GetTempPath(), "annotate-gateway-tests", Guid.NewGuid().ToString("N"));
        var content = "Dear customer, your invoice of 15 March 2024 is attached.";
        var first = new GatewayHost(new Dictionary<string, string?> { ["Annotate:Profiles:memo:Taxonomy:0"] = "memo" }, root);
        Directory.CreateDirectory(Path.Combine(first.Inbox, "memo"));
        await File.WriteAllTextAsync(Path.Combine(first.Inbox, "memo", "note.txt"), content);
        var original = await first.WaitForInboxFileAsync("note.txt");
        await first.StopAsync();

        await using var second = new GatewayHost(new Dictionary<string, string?> { ["Annotate:Profiles:memo:Taxonomy:0"] = "letter" }, root);
        await File.WriteAllTextAsync(Path.Combine(second.Inbox, "memo", "note.txt"), content);
        await second.WaitForInboxFileAsync("note.txt", count: 2);

        var both = await second.DocumentsNamedAsync("note.txt");
        Assert.All(both, d => Assert.Equal("Completed", d.GetProperty("state").GetString()));
        Assert.All(both, d => Assert.Equal("memo", d.GetProperty("profile").GetString()));
        var again = both.Single(d => d.GetProperty("id").GetString() != original.GetProperty("id").GetString());
        Assert.Equal(JsonValueKind.Null, again.GetProperty("duplicateOf").ValueKind);
    }

    [Fact]
    public async Task Bad_files_in_the_inbox_fail_with_specific_reasons_and_are_kept_in_the_failed_folder()
    {
        await using var host = new GatewayHost(new Dictionary<string, string?> { ["Annotate:Readers:MaxDocumentBytes"] = "20000" });
        Directory.CreateDirectory(host.Inbox);
        await File.WriteAllBytesAsync(Path.Combine(host.Inbox, "empty.pdf"), []);
        await File.WriteAllBytesAsync(Path.Combine(host.Inbox, "random.bin"), Enumerable.Range(0, 2000).Select(i => (byte)(i * 7 % 256)).ToArray());
        await File.WriteAllTextAsync(Path.Combine(host.Inbox, "big.txt"), new string('x', 30000));
        var pdf = await File.ReadAllBytesAsync(Shared.Corpus("pdf/minimal-document.pdf"));
        await File.WriteAllBytesAsync(Path.Combine(host.Inbox, "truncated.pdf"), pdf[..(pdf.Length / 3)]);

        var expectations = new Dictionary<string, string>
        {
            ["empty.pdf"] = "empty",
            ["random.bin"] = "unknown-format",
            ["big.txt"] = "too-large",
            ["truncated.pdf"] = "corrupt",
        };
        foreach (var (name, reason) in expectations)
        {
            var document = await host.WaitForInboxFileAsync(name);
            Assert.Equal("Failed", document.GetProperty("state").GetString());
            Assert.Equal(reason, document.GetProperty("reason").GetString());
            Assert.Contains(name, document.GetProperty("message").GetString());
            Assert.True(File.Exists(Path.Combine(host.Failed, name)), $"{name} kept in failed/");
            var error = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(host.Failed, name + ".error.json"))).RootElement;
            Assert.Equal(reason, error.GetProperty("reason").GetString());
        }
        Assert.Empty(Directory.EnumerateFiles(host.Inbox, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_command_from_another_system_for_a_deleted_file_is_recorded_and_fails_with_source_missing()
    {
        await using var host = new GatewayHost();
        var bus = host.Services.GetRequiredService<IBus>();

        await bus.Publish(new AnnotateDocument
        {
            DocumentId = "external-1",
            SourceUri = "blob:sources/external-1/deleted-before-reading.pdf",
            FileName = "deleted-before-reading.pdf",
        });

        var status = await host.WaitUntilFinishedAsyncWhenKnown("external-1");
        Assert.Equal("Failed", status.GetProperty("state").GetString());
        Assert.Equal("source-missing", status.GetProperty("reason").GetString());
        Assert.Equal("message", status.GetProperty("channel").GetString());
    }

    [Fact]
    public async Task Documents_left_pending_by_a_stopped_process_are_resumed_or_failed_at_start()
    {
        var root = Path.Combine(Path.GetTempPath(), "annotate-gateway-tests", Guid.NewGuid().ToString("N"));
        var settings = new Dictionary<string, string?> { ["Annotate:Gateway:WatchInbox"] = "false" };
        var first = new GatewayHost(settings, root);
        {
            // Start once so the database exists, then plant two documents as a crashed run would leave them.
            var store = first.Services.GetRequiredService<IDocumentStore>();
            var blob = Path.Combine(root, "blobs", "pending-1", "left.txt");
            Directory.CreateDirectory(Path.GetDirectoryName(blob)!);
            await File.WriteAllTextAsync(blob, "Left behind when the process stopped.");
            await store.TryAddAsync(new DocumentRecord
            {
                Id = "pending-1", FileName = "left.txt", Channel = "inbox", State = DocumentState.Processing,
                SourceUri = new Uri(blob).AbsoluteUri, ReceivedAt = DateTimeOffset.UnixEpoch,
            }, CancellationToken.None);
            await store.TryAddAsync(new DocumentRecord
            {
                Id = "pending-2", FileName = "lost.txt", Channel = "inbox", State = DocumentState.Received,
                SourceUri = new Uri(Path.Combine(root, "blobs", "pending-2", "lost.txt")).AbsoluteUri, ReceivedAt = DateTimeOffset.UnixEpoch,
            }, CancellationToken.None);
            await first.StopAsync();
        }

        await using var second = new GatewayHost(settings, root);
        var resumed = await second.WaitUntilFinishedAsync("pending-1");
        var lost = await second.WaitUntilFinishedAsync("pending-2");

        Assert.Equal("Completed", resumed.GetProperty("state").GetString());
        Assert.Equal("Failed", lost.GetProperty("state").GetString());
        Assert.Equal("source-missing", lost.GetProperty("reason").GetString());
    }
}

internal static class GatewayHostExtensions
{
    /// <summary>Waits for a document the gateway learns of from events (bounded: 60 s).</summary>
    public static async Task<JsonElement> WaitUntilFinishedAsyncWhenKnown(this GatewayHost host, string id)
    {
        for (var i = 0; i < 600; i++)
        {
            var response = await host.Client.GetAsync($"/api/documents/{id}");
            if (response.IsSuccessStatusCode)
            {
                return await host.WaitUntilFinishedAsync(id);
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"Document {id} never appeared.");
    }
}
