using System.Security.Cryptography;
using System.Text;
using Annotate.Gateway.Intake;
using Annotate.Gateway.Tests.Support;
using Annotate.Hosting.Blobs;
using Annotate.Messages;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Annotate.Gateway.Tests.Intake;

/// <summary>Accepted bytes are stored once under their SHA-256 and deleted when no unfinished document needs them.</summary>
public sealed class ContentAddressingTests : IDisposable
{
    private static readonly TimeSpan Grace = TimeSpan.FromMinutes(15);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "annotate-content-tests", Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly BlobFolder _folder;

    public ContentAddressingTests()
    {
        Directory.CreateDirectory(_root);
        _folder = new BlobFolder(new FileSystemBlobStore(Options.Create(new BlobStoreOptions
        {
            Sources = Path.Combine(_root, "blobs"),
            Content = Path.Combine(_root, "content"),
            Outputs = Path.Combine(_root, "outbox"),
            Results = Path.Combine(_root, "results"),
        })), _time);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string ContentFolder => Path.Combine(_root, "content", "sha256");

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private Task<StoredContent> StoreAsync(string text) => _folder.StoreAsync(new MemoryStream(Encoding.UTF8.GetBytes(text)), CancellationToken.None);

    private static Func<CancellationToken, Task<IReadOnlySet<string>>> Needing(params string[] hashes) =>
        _ => Task.FromResult<IReadOnlySet<string>>(hashes.ToHashSet());

    [Fact]
    public async Task Bytes_are_stored_under_their_sha256_and_the_same_bytes_twice_are_stored_once()
    {
        var first = await StoreAsync("Invoice 42");
        _folder.Confirm(first);
        var second = await StoreAsync("Invoice 42");

        Assert.Equal($"content/sha256/{Sha256("Invoice 42")}", first.Key);
        Assert.Equal(first.Key, second.Key);
        Assert.Equal(10, second.SizeBytes);
        Assert.Null(first.Spare);
        Assert.NotNull(second.Spare);
        _folder.Confirm(second);
        Assert.Equal([Sha256("Invoice 42")], Directory.GetFiles(ContentFolder).Select(Path.GetFileName));
        Assert.Equal("Invoice 42", await File.ReadAllTextAsync(Path.Combine(ContentFolder, Sha256("Invoice 42"))));
    }

    [Fact]
    public async Task A_spare_copy_takes_the_place_of_content_deleted_before_the_record_named_it()
    {
        _folder.Confirm(await StoreAsync("Invoice 42"));
        var again = await StoreAsync("Invoice 42");
        File.Delete(Path.Combine(ContentFolder, Sha256("Invoice 42")));

        _folder.Confirm(again);

        Assert.Equal("Invoice 42", await File.ReadAllTextAsync(Path.Combine(ContentFolder, Sha256("Invoice 42"))));
        Assert.Single(Directory.GetFiles(ContentFolder));
    }

    [Fact]
    public async Task Pruning_deletes_content_no_unfinished_document_needs_only_after_the_grace_period()
    {
        _folder.Confirm(await StoreAsync("needed"));
        _folder.Confirm(await StoreAsync("done"));
        var stale = Path.Combine(ContentFolder, $"{Guid.NewGuid():N}.blob-tmp");
        await File.WriteAllTextAsync(stale, "an upload cut short");
        File.SetLastWriteTimeUtc(stale, _time.GetUtcNow().UtcDateTime);

        Assert.Equal(0, await _folder.PruneContentAsync(Needing(Sha256("needed")), Grace, CancellationToken.None));
        Assert.Equal(3, Directory.GetFiles(ContentFolder).Length);

        _time.Advance(Grace + TimeSpan.FromMinutes(1));
        Assert.Equal(1, await _folder.PruneContentAsync(Needing(Sha256("needed")), Grace, CancellationToken.None));

        Assert.Equal([Sha256("needed")], Directory.GetFiles(ContentFolder).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Content_that_an_intake_starts_using_while_it_is_pruned_is_put_back()
    {
        _folder.Confirm(await StoreAsync("reused"));
        _time.Advance(Grace + TimeSpan.FromMinutes(1));
        var asked = 0;
        // Not needed when the pass starts; needed (an intake recorded the hash) when asked again just before the delete.
        Task<IReadOnlySet<string>> Needed(CancellationToken _) =>
            Task.FromResult<IReadOnlySet<string>>(++asked == 1 ? new HashSet<string>() : new HashSet<string> { Sha256("reused") });

        Assert.Equal(0, await _folder.PruneContentAsync(Needed, Grace, CancellationToken.None));

        Assert.Equal(2, asked);
        Assert.Equal("reused", await File.ReadAllTextAsync(Path.Combine(ContentFolder, Sha256("reused"))));
        Assert.Single(Directory.GetFiles(ContentFolder));
    }

    [Fact]
    public async Task Content_stored_again_counts_as_used_then_and_is_kept_through_the_grace_period()
    {
        _folder.Confirm(await StoreAsync("again"));
        _time.Advance(Grace + TimeSpan.FromMinutes(1));
        _folder.Confirm(await StoreAsync("again"));

        Assert.Equal(0, await _folder.PruneContentAsync(Needing(), Grace, CancellationToken.None));
        Assert.True(File.Exists(Path.Combine(ContentFolder, Sha256("again"))));
    }

    [Fact]
    public async Task Files_in_the_content_folder_that_are_not_content_are_left_alone()
    {
        Directory.CreateDirectory(ContentFolder);
        var other = Path.Combine(ContentFolder, "README.txt");
        var upper = Path.Combine(ContentFolder, Sha256("x").ToUpperInvariant());
        await File.WriteAllTextAsync(other, "not mine");
        await File.WriteAllTextAsync(upper, "not mine either");
        _time.Advance(TimeSpan.FromDays(1));

        Assert.Equal(0, await _folder.PruneContentAsync(Needing(), Grace, CancellationToken.None));
        Assert.True(File.Exists(other));
        Assert.True(File.Exists(upper));
    }
}

/// <summary>Content addressing through the whole one-process service.</summary>
public sealed class ContentAddressedIntakeTests
{
    [Fact]
    public async Task Two_uploads_and_an_inbox_file_with_the_same_bytes_share_one_stored_copy_and_all_complete()
    {
        await using var host = new GatewayHost(new Dictionary<string, string?> { ["Annotate:Jobs:ContentPruneInterval"] = "00:00:00" });
        var file = Path.Combine(host.Root, "memo.md");
        await File.WriteAllTextAsync(file, "# Memo\n\nThe same words, sent three times.");
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(file)));

        var first = await host.UploadAsync(file);
        var second = await host.UploadAsync(file, name: "copy.md");
        Directory.CreateDirectory(host.Inbox);
        File.Copy(file, Path.Combine(host.Inbox, "dropped.md"));
        var dropped = await host.WaitForInboxFileAsync("dropped.md");

        foreach (var status in new[] { await host.WaitUntilFinishedAsync(first), await host.WaitUntilFinishedAsync(second), dropped })
        {
            Assert.Equal("Completed", status.GetProperty("state").GetString());
            Assert.Equal(sha256, status.GetProperty("sha256").GetString());
        }
        Assert.Equal([sha256], Directory.GetFiles(Path.Combine(host.Root, "content", "sha256")).Select(Path.GetFileName));
        // The inbox file's own copy goes once its document is done (after its state changes); uploads never had one.
        await host.WaitForConsumedCountAsync<DocumentAnnotated>(3);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(host.Root, "blobs"), "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_failed_upload_leaves_a_copy_in_the_failed_folder_and_the_content_for_others()
    {
        await using var host = new GatewayHost(new Dictionary<string, string?> { ["Annotate:Jobs:ContentPruneInterval"] = "00:00:00" });
        var file = Path.Combine(host.Root, "broken.pdf");
        await File.WriteAllTextAsync(file, "%PDF-1.7 this is no PDF");

        var id = await host.UploadAsync(file);
        var status = await host.WaitUntilFinishedAsync(id);

        Assert.Equal("Failed", status.GetProperty("state").GetString());
        Assert.Equal("%PDF-1.7 this is no PDF", await File.ReadAllTextAsync(Path.Combine(host.Failed, "broken.pdf")));
        Assert.True(File.Exists(Path.Combine(host.Failed, "broken.pdf.error.json")));
        Assert.Single(Directory.GetFiles(Path.Combine(host.Root, "content", "sha256")));
    }
}
