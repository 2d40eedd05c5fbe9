using System.Text.Json;
using Annotate.Gateway.Storage;
using Annotate.Gateway.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Annotate.Gateway.Tests.Intake;

/// <summary>
/// What a process killed at any point leaves behind is finished at the next start: the states below are the ones a
/// kill -9 leaves at each step of intake and of a run (planted here, where a real kill would be a matter of luck).
/// </summary>
public sealed class StartupRecoveryTests
{
    private static readonly Dictionary<string, string?> NoInbox = new() { ["Annotate:Gateway:WatchInbox"] = "false" };

    [Fact]
    public async Task Bytes_in_the_blob_folder_without_a_record_are_adopted_and_annotated()
    {
        var root = NewRoot();
        await (await StartedOnceAsync(root)).StopAsync();
        // Left by a process that died after moving the file out of the inbox and before recording it.
        var blob = Path.Combine(root, "blobs", "0195f3a2b7c84d1e9f00000000000001", "orphan.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(blob)!);
        await File.WriteAllTextAsync(blob, "An invoice note: EUR 1,250.00 due on 2024-03-14.");

        await using var host = new GatewayHost(NoInbox, root);
        var status = await host.WaitUntilFinishedAsync("0195f3a2b7c84d1e9f00000000000001");

        Assert.Equal("Completed", status.GetProperty("state").GetString());
        Assert.Equal("orphan.txt", status.GetProperty("fileName").GetString());
        await AssertRemovedAsync(blob);
        await AssertSentOnceAsync(host, "0195f3a2b7c84d1e9f00000000000001");
    }

    [Fact]
    public async Task An_intake_interrupted_before_the_move_is_finished_from_the_inbox_under_the_same_id()
    {
        var root = NewRoot();
        var first = await StartedOnceAsync(root);
        var inboxFile = Path.Combine(root, "inbox", "half-taken.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(inboxFile)!);
        await File.WriteAllTextAsync(inboxFile, "Recorded, then the process died before the move.");
        await PlantAsync(first, new DocumentRecord
        {
            Id = "intake-1", FileName = "half-taken.txt", Channel = "inbox", State = DocumentState.Received,
            SourceUri = new Uri(inboxFile).AbsoluteUri, ReceivedAt = DateTimeOffset.UnixEpoch,
        });
        await first.StopAsync();

        await using var host = new GatewayHost(new Dictionary<string, string?>(), root);
        var status = await host.WaitUntilFinishedAsync("intake-1");

        Assert.Equal("Completed", status.GetProperty("state").GetString());
        Assert.False(File.Exists(inboxFile));
        // Taken once: the watcher, which starts after recovery, found nothing left to take.
        Assert.Single(await host.DocumentsNamedAsync("half-taken.txt"));
        await AssertSentOnceAsync(host, "intake-1");
    }

    [Fact]
    public async Task An_intake_interrupted_after_the_move_is_finished_from_the_blob_folder()
    {
        var root = NewRoot();
        var first = await StartedOnceAsync(root);
        var blob = Path.Combine(root, "blobs", "intake-2", "moved.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(blob)!);
        await File.WriteAllTextAsync(blob, "Moved into the blob folder, never hashed or queued.");
        await PlantAsync(first, new DocumentRecord
        {
            Id = "intake-2", FileName = "moved.txt", Channel = "inbox", State = DocumentState.Received,
            SourceUri = new Uri(Path.Combine(root, "inbox", "moved.txt")).AbsoluteUri, ReceivedAt = DateTimeOffset.UnixEpoch,
        });
        await first.StopAsync();

        await using var host = new GatewayHost(NoInbox, root);
        var status = await host.WaitUntilFinishedAsync("intake-2");

        Assert.Equal("Completed", status.GetProperty("state").GetString());
        await AssertRemovedAsync(blob);
        await AssertSentOnceAsync(host, "intake-2");
    }

    [Fact]
    public async Task An_upload_cut_short_by_a_restart_is_failed_not_annotated_half_written()
    {
        var root = NewRoot();
        var first = await StartedOnceAsync(root);
        var blob = Path.Combine(root, "blobs", "upload-1", "partial.csv");
        Directory.CreateDirectory(Path.GetDirectoryName(blob)!);
        await File.WriteAllTextAsync(blob, "a,b\n1,");
        await PlantAsync(first, new DocumentRecord
        {
            Id = "upload-1", FileName = "partial.csv", Channel = "upload", State = DocumentState.Received,
            SourceUri = new Uri(blob).AbsoluteUri, ReceivedAt = DateTimeOffset.UnixEpoch,
        });
        await first.StopAsync();

        await using var host = new GatewayHost(NoInbox, root);
        var status = await host.WaitUntilFinishedAsync("upload-1");

        Assert.Equal("Failed", status.GetProperty("state").GetString());
        Assert.Equal("source-missing", status.GetProperty("reason").GetString());
        Assert.Contains("partial.csv", status.GetProperty("message").GetString());
        Assert.False(File.Exists(blob));
    }

    [Fact]
    public async Task A_document_in_flight_at_every_crash_fails_as_crashed_and_the_others_are_resumed()
    {
        var root = NewRoot();
        var first = await StartedOnceAsync(root);
        var killer = await PlantWithBlobAsync(first, root, "killer", "killer.txt", DocumentState.Processing, dispatches: 3);
        var bystander = await PlantWithBlobAsync(first, root, "bystander", "bystander.txt", DocumentState.Processing, dispatches: 1);
        var queued = await PlantWithBlobAsync(first, root, "queued", "queued.txt", DocumentState.Received, dispatches: 1);
        await first.StopAsync();

        await using var host = new GatewayHost(NoInbox, root);
        var killed = await host.WaitUntilFinishedAsync("killer");
        var survived = await host.WaitUntilFinishedAsync("bystander");
        var resumed = await host.WaitUntilFinishedAsync("queued");

        Assert.Equal("Failed", killed.GetProperty("state").GetString());
        Assert.Equal("crashed", killed.GetProperty("reason").GetString());
        Assert.Contains("killer.txt", killed.GetProperty("message").GetString());
        Assert.True(File.Exists(Path.Combine(host.Failed, "killer.txt")));
        Assert.True(File.Exists(Path.Combine(host.Failed, "killer.txt.error.json")));
        Assert.False(File.Exists(killer));
        Assert.Equal("Completed", survived.GetProperty("state").GetString());
        Assert.Equal("Completed", resumed.GetProperty("state").GetString());
        await AssertRemovedAsync(bystander);
        await AssertRemovedAsync(queued);

        // The hand-over that resumed it was counted before it was sent.
        var store = host.Services.GetRequiredService<IDocumentStore>();
        Assert.Equal(2, (await store.FindAsync("bystander", CancellationToken.None))!.Dispatches);
    }

    /// <summary>
    /// A completed document's bytes are removed just after its state changes (the state changes once the outputs are in
    /// place; removing the bytes is clean-up that start-up repeats), so wait for it, bounded (60 s, as every wait here).
    /// </summary>
    private static async Task AssertRemovedAsync(string path)
    {
        for (var i = 0; i < 600 && File.Exists(path); i++)
        {
            await Task.Delay(100);
        }
        Assert.False(File.Exists(path), $"{path} is still there");
    }

    /// <summary>A recovered document is handed to the worker once, not again by the resumer that runs after recovery.</summary>
    private static async Task AssertSentOnceAsync(GatewayHost host, string id)
    {
        var store = host.Services.GetRequiredService<IDocumentStore>();
        Assert.Equal(1, (await store.FindAsync(id, CancellationToken.None))!.Dispatches);
    }

    private static string NewRoot() => Path.Combine(Path.GetTempPath(), "annotate-gateway-tests", Guid.NewGuid().ToString("N"));

    /// <summary>Starts a host once so the database exists, with nothing watched.</summary>
    private static async Task<GatewayHost> StartedOnceAsync(string root)
    {
        var host = new GatewayHost(NoInbox, root);
        await host.Client.GetAsync("/health");
        return host;
    }

    private static Task PlantAsync(GatewayHost host, DocumentRecord record) =>
        host.Services.GetRequiredService<IDocumentStore>().TryAddAsync(record, CancellationToken.None);

    /// <summary>Plants a document as a run leaves it: bytes in the blob folder, hashed, handed over <paramref name="dispatches"/> times.</summary>
    private static async Task<string> PlantWithBlobAsync(GatewayHost host, string root, string id, string name, DocumentState state, int dispatches)
    {
        var blob = Path.Combine(root, "blobs", id, name);
        Directory.CreateDirectory(Path.GetDirectoryName(blob)!);
        var text = $"Document {id}: a short note with the amount EUR 12.50.";
        await File.WriteAllTextAsync(blob, text);
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
        await PlantAsync(host, new DocumentRecord
        {
            Id = id, FileName = name, Channel = "inbox", State = state, SourceUri = new Uri(blob).AbsoluteUri,
            Sha256 = sha, SizeBytes = new FileInfo(blob).Length, Dispatches = dispatches, ReceivedAt = DateTimeOffset.UnixEpoch,
        });
        return blob;
    }
}
