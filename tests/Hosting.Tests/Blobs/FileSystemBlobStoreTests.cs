using System.Text;
using Annotate.Hosting.Blobs;
using Microsoft.Extensions.Options;

namespace Annotate.Hosting.Tests.Blobs;

public sealed class FileSystemBlobStoreTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "annotate-hosting-tests", Guid.NewGuid().ToString("N"));
    private readonly string _sources;
    private readonly string _outputs;
    private readonly string _results;
    private readonly FileSystemBlobStore _store;

    public FileSystemBlobStoreTests()
    {
        _sources = Path.Combine(_root, "blobs");
        _outputs = Path.Combine(_root, "outbox");
        _results = Path.Combine(_root, "results");
        Directory.CreateDirectory(_root);
        _store = StoreOver(_sources, _outputs, _results);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static FileSystemBlobStore StoreOver(string sources, string outputs, string results) =>
        new(Options.Create(new BlobStoreOptions { Sources = sources, Outputs = outputs, Results = results, Content = Path.Combine(Path.GetDirectoryName(sources)!, "content") }));

    private static CancellationToken None => CancellationToken.None;

    private Task PutAsync(string key, string text) => _store.PutAsync(key, new MemoryStream(Encoding.UTF8.GetBytes(text)), None);

    private async Task<string?> ReadAsync(string key)
    {
        await using var stream = await _store.OpenReadAsync(key, None);
        if (stream is null)
        {
            return null;
        }
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }

    private async Task<List<string>> ListAsync(string prefix)
    {
        var keys = new List<string>();
        await foreach (var item in _store.ListAsync(prefix, None))
        {
            keys.Add(item.Key);
        }
        keys.Sort(StringComparer.Ordinal);
        return keys;
    }

    [Fact]
    public async Task Each_first_segment_maps_to_its_configured_folder()
    {
        await PutAsync("sources/doc-1/a.txt", "source");
        await PutAsync("outputs/doc-1/b.json", "output");
        await PutAsync("results/documents/doc-1.json", "result");
        await PutAsync($"content/sha256/{new string('a', 64)}", "content");

        Assert.Equal("source", await File.ReadAllTextAsync(Path.Combine(_sources, "doc-1", "a.txt")));
        Assert.Equal("content", await File.ReadAllTextAsync(Path.Combine(_root, "content", "sha256", new string('a', 64))));
        Assert.Equal(Path.Combine(_root, "content"), _store.ContentRoot);
        Assert.Equal([$"content/sha256/{new string('a', 64)}"], await ListAsync("content/"));
        Assert.Equal("output", await File.ReadAllTextAsync(Path.Combine(_outputs, "doc-1", "b.json")));
        Assert.Equal("result", await File.ReadAllTextAsync(Path.Combine(_results, "documents", "doc-1.json")));
        Assert.Equal(_sources, _store.SourcesRoot);
        Assert.Equal(_outputs, _store.OutputsRoot);
        Assert.Equal(Path.Combine(_sources, "doc-1", "a.txt"), _store.LocalPath("sources/doc-1/a.txt"));
    }

    [Fact]
    public async Task Put_replaces_and_read_returns_the_latest_bytes()
    {
        await PutAsync("sources/doc-1/a.txt", "first");
        await PutAsync("sources/doc-1/a.txt", "second");

        Assert.Equal("second", await ReadAsync("sources/doc-1/a.txt"));
        Assert.Equal(["sources/doc-1/a.txt"], await ListAsync("sources/"));
    }

    [Fact]
    public async Task A_put_in_progress_is_invisible_and_readers_keep_seeing_the_old_bytes()
    {
        await PutAsync("outputs/doc-1/a.txt", "old");
        await PutAsync("outputs/doc-2/b.txt", "b");
        var content = new GatedStream(Encoding.UTF8.GetBytes("new-first-half"), Encoding.UTF8.GetBytes("new-second-half"));

        var put = _store.PutAsync("outputs/doc-1/a.txt", content, None);
        var other = new GatedStream(Encoding.UTF8.GetBytes("half"), Encoding.UTF8.GetBytes("rest"));
        var putNew = _store.PutAsync("outputs/doc-3/c.txt", other, None);
        await content.FirstHalfRead.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await other.FirstHalfRead.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal("old", await ReadAsync("outputs/doc-1/a.txt"));
        Assert.Equal(3, (await _store.StatAsync("outputs/doc-1/a.txt", None))!.SizeBytes);
        Assert.Null(await ReadAsync("outputs/doc-3/c.txt"));
        Assert.Null(await _store.StatAsync("outputs/doc-3/c.txt", None));
        Assert.Equal(["outputs/doc-1/a.txt", "outputs/doc-2/b.txt"], await ListAsync("outputs/"));

        content.Release();
        other.Release();
        await Task.WhenAll(put, putNew);

        Assert.Equal("new-first-halfnew-second-half", await ReadAsync("outputs/doc-1/a.txt"));
        Assert.Equal("halfrest", await ReadAsync("outputs/doc-3/c.txt"));
        Assert.Equal(["outputs/doc-1/a.txt", "outputs/doc-2/b.txt", "outputs/doc-3/c.txt"], await ListAsync("outputs/"));
        Assert.Equal(["a.txt"], Directory.GetFiles(Path.Combine(_outputs, "doc-1")).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_put_whose_content_fails_leaves_the_old_bytes_and_no_temporary_file()
    {
        await PutAsync("sources/doc-1/a.txt", "old");

        await Assert.ThrowsAsync<IOException>(() => _store.PutAsync("sources/doc-1/a.txt", new FailingStream(), None));

        Assert.Equal("old", await ReadAsync("sources/doc-1/a.txt"));
        Assert.Equal(["a.txt"], Directory.GetFiles(Path.Combine(_sources, "doc-1")).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Missing_blobs_read_stat_and_delete_as_absent()
    {
        Assert.Null(await _store.OpenReadAsync("sources/none/a.txt", None));
        Assert.Null(await _store.StatAsync("sources/none/a.txt", None));
        Assert.False(await ((IBlobStore)_store).ExistsAsync("sources/none/a.txt", None));
        Assert.False(await _store.DeleteAsync("sources/none/a.txt", None));
        Assert.Empty(await ListAsync(""));
    }

    [Fact]
    public async Task A_folder_is_not_a_blob()
    {
        await PutAsync("sources/doc-1/a.txt", "x");

        Assert.Null(await _store.OpenReadAsync("sources/doc-1", None));
        Assert.Null(await _store.StatAsync("sources/doc-1", None));
        Assert.False(await _store.DeleteAsync("sources/doc-1", None));
        Assert.True(File.Exists(Path.Combine(_sources, "doc-1", "a.txt")));
    }

    [Fact]
    public async Task Stat_reports_size_and_time_of_the_file()
    {
        await PutAsync("results/content/abc/p-m.json", "12345");
        var expected = new DateTimeOffset(File.GetLastWriteTimeUtc(Path.Combine(_results, "content", "abc", "p-m.json")), TimeSpan.Zero);

        var item = await _store.StatAsync("results/content/abc/p-m.json", None);

        Assert.NotNull(item);
        Assert.Equal("results/content/abc/p-m.json", item.Key);
        Assert.Equal(5, item.SizeBytes);
        Assert.Equal(expected, item.LastModified);
        Assert.True(await ((IBlobStore)_store).ExistsAsync("results/content/abc/p-m.json", None));
    }

    [Fact]
    public async Task Delete_removes_empty_document_folders_but_never_the_roots()
    {
        await PutAsync("sources/doc-1/a.txt", "a");
        await PutAsync("sources/doc-1/b.txt", "b");
        await PutAsync("results/content/abc/p-m.json", "r");

        Assert.True(await _store.DeleteAsync("sources/doc-1/a.txt", None));
        Assert.True(Directory.Exists(Path.Combine(_sources, "doc-1")));

        Assert.True(await _store.DeleteAsync("sources/doc-1/b.txt", None));
        Assert.False(Directory.Exists(Path.Combine(_sources, "doc-1")));
        Assert.True(Directory.Exists(_sources));

        Assert.True(await _store.DeleteAsync("results/content/abc/p-m.json", None));
        Assert.False(Directory.Exists(Path.Combine(_results, "content")));
        Assert.True(Directory.Exists(_results));
        Assert.False(await _store.DeleteAsync("results/content/abc/p-m.json", None));
    }

    [Theory]
    [InlineData("a.json", "b.json")] // The folder's last two blobs, one each.
    [InlineData("a.json", "a.json")] // The same blob, as two purges of one document would.
    public async Task Two_deletes_racing_on_the_last_blobs_of_a_folder_both_succeed_and_leave_no_folder(string first, string second)
    {
        // Each delete removes its file, then the folders left empty: the other may remove a folder between
        // this one's look and its listing. Many rounds, both deletes released together, make the overlap happen.
        const int Rounds = 400;
        for (var i = 0; i < Rounds; i++)
        {
            await PutAsync($"results/content/d{i}/x/a.json", "a");
            await PutAsync($"results/content/d{i}/x/{second}", "b");
        }
        using var barrier = new Barrier(2);
        void DeleteAll(string name)
        {
            try
            {
                for (var i = 0; i < Rounds; i++)
                {
                    barrier.SignalAndWait();
                    _store.DeleteAsync($"results/content/d{i}/x/{name}", None).GetAwaiter().GetResult();
                }
            }
            finally
            {
                barrier.RemoveParticipant(); // A failed side no longer holds the other at the barrier.
            }
        }

        await Task.WhenAll(Task.Run(() => DeleteAll(first)), Task.Run(() => DeleteAll(second)));

        Assert.False(Directory.Exists(Path.Combine(_results, "content")));
        Assert.True(Directory.Exists(_results));
    }

    [Fact]
    public async Task Roots_configured_with_a_trailing_separator_behave_the_same()
    {
        var store = StoreOver(_sources + Path.DirectorySeparatorChar, _outputs + Path.DirectorySeparatorChar, _results + Path.DirectorySeparatorChar);
        await store.PutAsync("sources/doc-1/a.txt", new MemoryStream([1, 2, 3]), None);

        Assert.Equal("sources/doc-1/a.txt", store.KeyOf(Path.Combine(_sources, "doc-1", "a.txt")));
        var listed = new List<string>();
        await foreach (var item in store.ListAsync("sources/", None))
        {
            listed.Add(item.Key);
        }
        Assert.Equal(["sources/doc-1/a.txt"], listed);

        Assert.True(await store.DeleteAsync("sources/doc-1/a.txt", None));
        Assert.False(Directory.Exists(Path.Combine(_sources, "doc-1")));
        Assert.True(Directory.Exists(_sources));
    }

    [Fact]
    public async Task List_filters_by_prefix_across_roots()
    {
        await PutAsync("sources/doc-1/a.txt", "a");
        await PutAsync("sources/doc-10/b.txt", "b");
        await PutAsync("sources/doc-2/c.txt", "c");
        await PutAsync("outputs/doc-1/d.json", "d");
        await PutAsync("results/documents/doc-1.json", "e");

        Assert.Equal(["sources/doc-1/a.txt"], await ListAsync("sources/doc-1/"));
        Assert.Equal(["sources/doc-1/a.txt", "sources/doc-10/b.txt"], await ListAsync("sources/doc-1"));
        Assert.Equal(["outputs/doc-1/d.json"], await ListAsync("outputs/"));
        Assert.Equal(["outputs/doc-1/d.json", "results/documents/doc-1.json", "sources/doc-1/a.txt", "sources/doc-10/b.txt", "sources/doc-2/c.txt"], await ListAsync(""));
        Assert.Equal(["results/documents/doc-1.json"], await ListAsync("r"));
        Assert.Empty(await ListAsync("sourcesx/"));
    }

    [Fact]
    public async Task A_prefix_of_folders_lists_what_lies_under_them_and_a_part_of_a_name_what_begins_so()
    {
        await PutAsync("results/vectors/default/1-a.json", "a");
        await PutAsync("results/vectors/default/2-b.json", "b");
        await PutAsync("results/vectors/defaults/3-c.json", "c");
        await PutAsync("results/vectors/invoices/4-d.json", "d");
        await PutAsync("results/documents/doc-1.json", "e");

        Assert.Equal(["results/vectors/default/1-a.json", "results/vectors/default/2-b.json"], await ListAsync("results/vectors/default/"));
        Assert.Equal(["results/vectors/default/1-a.json", "results/vectors/default/2-b.json", "results/vectors/defaults/3-c.json"],
            await ListAsync("results/vectors/default"));
        Assert.Equal(["results/vectors/default/2-b.json"], await ListAsync("results/vectors/default/2"));
        Assert.Equal(["results/vectors/invoices/4-d.json"], await ListAsync("results/vectors/i"));
        Assert.Empty(await ListAsync("results/vectors/none/"));
        Assert.Empty(await ListAsync("results/vectors/default/1-a.json/"));
    }

    [Fact]
    public async Task The_folders_right_under_a_prefix_are_listed_each_once_as_the_default_listing_gives_them_and_linked_ones_not()
    {
        await PutAsync("results/vectors/invoices/2025-06-01/22/1-a.json", "a");
        await PutAsync("results/vectors/invoices/2025-06-01/23/2-b.json", "b");
        await PutAsync("results/vectors/invoices/2025-06-02/00/3-c.json", "c");
        await PutAsync("results/vectors/invoices/0-flat.json", "d");
        await PutAsync("results/vectors/other/2025-06-02/00/4-e.json", "e");
        var outside = Path.Combine(_root, "outside");
        Directory.CreateDirectory(Path.Combine(outside, "inner"));
        Directory.CreateSymbolicLink(Path.Combine(_results, "vectors", "invoices", "linked"), outside);

        async Task<List<string>> Folders(IBlobStore store, string prefix)
        {
            var names = new List<string>();
            await foreach (var name in store.ListFoldersAsync(prefix, None))
            {
                names.Add(name);
            }
            return [.. names.Order(StringComparer.Ordinal)];
        }

        var byDefault = new DefaultListing(_store);
        foreach (var store in new IBlobStore[] { _store, byDefault })
        {
            Assert.Equal(["2025-06-01", "2025-06-02"], await Folders(store, "results/vectors/invoices/"));
            Assert.Equal(["22", "23"], await Folders(store, "results/vectors/invoices/2025-06-01/"));
            Assert.Equal(["invoices", "other"], await Folders(store, "results/vectors/"));
            Assert.Empty(await Folders(store, "results/vectors/invoices/2025-06-01/22/"));
            Assert.Empty(await Folders(store, "results/vectors/none/"));
            Assert.Empty(await Folders(store, "results/vectors/invoices/linked/"));
        }
        await Assert.ThrowsAsync<ArgumentException>(() => Folders(_store, "results/vectors/invoices"));
    }

    /// <summary>A store that lists folders as <see cref="IBlobStore"/>'s default does, from its blobs.</summary>
    private sealed class DefaultListing(IBlobStore inner) : IBlobStore
    {
        public Task PutAsync(string key, Stream content, CancellationToken cancellationToken) => inner.PutAsync(key, content, cancellationToken);

        public Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken) => inner.OpenReadAsync(key, cancellationToken);

        public Task<BlobItem?> StatAsync(string key, CancellationToken cancellationToken) => inner.StatAsync(key, cancellationToken);

        public Task<bool> DeleteAsync(string key, CancellationToken cancellationToken) => inner.DeleteAsync(key, cancellationToken);

        public IAsyncEnumerable<BlobItem> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);
    }

    [Fact]
    public async Task A_prefix_whose_folder_is_a_link_lists_nothing()
    {
        await PutAsync("sources/doc-1/a.txt", "a");
        var outside = Path.Combine(_root, "outside");
        Directory.CreateDirectory(Path.Combine(outside, "inner"));
        await File.WriteAllTextAsync(Path.Combine(outside, "inner", "secret.txt"), "secret");
        Directory.CreateSymbolicLink(Path.Combine(_sources, "doc-linked"), outside);

        Assert.Empty(await ListAsync("sources/doc-linked/"));
        Assert.Empty(await ListAsync("sources/doc-linked/inner/"));
        Assert.Empty(await ListAsync("sources/doc-linked/inner/s"));
        Assert.Equal(["sources/doc-1/a.txt"], await ListAsync("sources/"));
    }

    [Theory]
    [InlineData("../")]
    [InlineData("/")]
    [InlineData("sources//")]
    [InlineData("sources/../outputs/")]
    public async Task List_refuses_invalid_prefixes(string prefix) =>
        await Assert.ThrowsAsync<ArgumentException>(() => ListAsync(prefix));

    [Fact]
    public async Task List_skips_temporary_files_and_links()
    {
        await PutAsync("sources/doc-1/a.txt", "a");
        var outside = Path.Combine(_root, "outside");
        Directory.CreateDirectory(outside);
        await File.WriteAllTextAsync(Path.Combine(outside, "secret.txt"), "secret");
        await File.WriteAllTextAsync(Path.Combine(_sources, "doc-1", "a.txt.0123.blob-tmp"), "half");
        File.CreateSymbolicLink(Path.Combine(_sources, "doc-1", "link.txt"), Path.Combine(outside, "secret.txt"));
        Directory.CreateSymbolicLink(Path.Combine(_sources, "doc-linked"), outside);

        Assert.Equal(["sources/doc-1/a.txt"], await ListAsync(""));
    }

    [Fact]
    public async Task A_symbolic_link_reads_as_missing()
    {
        var outside = Path.Combine(_root, "outside");
        Directory.CreateDirectory(outside);
        await File.WriteAllTextAsync(Path.Combine(outside, "secret.txt"), "secret");
        Directory.CreateDirectory(Path.Combine(_sources, "doc-1"));
        File.CreateSymbolicLink(Path.Combine(_sources, "doc-1", "link.txt"), Path.Combine(outside, "secret.txt"));

        Assert.Null(await _store.OpenReadAsync("sources/doc-1/link.txt", None));
        Assert.Null(await _store.StatAsync("sources/doc-1/link.txt", None));
        Assert.False(await ((IBlobStore)_store).ExistsAsync("sources/doc-1/link.txt", None));
    }

    [Fact]
    public async Task A_linked_folder_inside_a_root_does_not_lead_outside_it()
    {
        var outside = Path.Combine(_root, "outside");
        Directory.CreateDirectory(outside);
        await File.WriteAllTextAsync(Path.Combine(outside, "secret.txt"), "secret");
        Directory.CreateDirectory(_sources);
        Directory.CreateSymbolicLink(Path.Combine(_sources, "doc-linked"), outside);

        Assert.Null(await _store.OpenReadAsync("sources/doc-linked/secret.txt", None));
        Assert.Null(await _store.StatAsync("sources/doc-linked/secret.txt", None));
        Assert.False(await _store.DeleteAsync("sources/doc-linked/secret.txt", None));
        await Assert.ThrowsAnyAsync<Exception>(() => PutAsync("sources/doc-linked/planted.txt", "x"));

        Assert.Equal("secret", await File.ReadAllTextAsync(Path.Combine(outside, "secret.txt")));
        Assert.False(File.Exists(Path.Combine(outside, "planted.txt")));
    }

    [Fact]
    public async Task Deleting_a_link_removes_the_link_not_its_target()
    {
        var target = Path.Combine(_root, "target.txt");
        await File.WriteAllTextAsync(target, "keep");
        Directory.CreateDirectory(Path.Combine(_sources, "doc-1"));
        File.CreateSymbolicLink(Path.Combine(_sources, "doc-1", "link.txt"), target);

        await _store.DeleteAsync("sources/doc-1/link.txt", None);

        Assert.Equal("keep", await File.ReadAllTextAsync(target));
    }

    [Theory]
    [InlineData("sources/../outside.txt")]
    [InlineData("sources/a/../../outside.txt")]
    [InlineData("../outside.txt")]
    [InlineData("sources/..\\outside.txt")]
    [InlineData("/etc/passwd")]
    [InlineData("sources//a")]
    [InlineData("elsewhere/a.txt")]
    [InlineData("blobs/a.txt")]
    [InlineData("sources")]
    [InlineData("outputs")]
    public async Task Keys_that_are_invalid_or_outside_the_three_roots_are_refused(string key)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => PutAsync(key, "x"));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.OpenReadAsync(key, None));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.StatAsync(key, None));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.DeleteAsync(key, None));
        Assert.Throws<ArgumentException>(() => _store.LocalPath(key));
        Assert.False(File.Exists(Path.Combine(_root, "outside.txt")));
        Assert.False(Directory.Exists(Path.Combine(_root, "elsewhere")));
    }

    [Fact]
    public void KeyOf_maps_files_under_the_roots_back_to_keys()
    {
        Assert.Equal("sources/doc-1/a.txt", _store.KeyOf(Path.Combine(_sources, "doc-1", "a.txt")));
        Assert.Equal("outputs/doc-1/annotations.json", _store.KeyOf(Path.Combine(_outputs, "doc-1", "annotations.json")));
        Assert.Equal("results/documents/doc-1.json", _store.KeyOf(Path.Combine(_results, "documents", "doc-1.json")));
        Assert.Equal("sources/doc-1/a.txt", _store.KeyOf(Path.Combine(_outputs, "..", "blobs", "doc-1", "a.txt")));
    }

    [Fact]
    public void KeyOf_is_null_outside_the_roots_and_for_the_roots_themselves()
    {
        Assert.Null(_store.KeyOf(_sources));
        Assert.Null(_store.KeyOf(Path.Combine(_root, "elsewhere", "a.txt")));
        Assert.Null(_store.KeyOf(_sources + "-sibling" + Path.DirectorySeparatorChar + "a.txt"));
        Assert.Null(_store.KeyOf(Path.Combine(_sources, "..", "a.txt")));
        Assert.Null(_store.KeyOf(Path.Combine(_sources, "doc-1", "a\\b.txt")));
    }

    [Fact]
    public void Asking_where_a_missing_blob_would_be_creates_no_folder()
    {
        // A recovery that looks for a document's bytes that are gone must not leave an empty folder behind.
        var path = _store.LocalPath("sources/gone-1/a.txt");

        Assert.Equal(Path.Combine(_sources, "gone-1", "a.txt"), path);
        Assert.False(Directory.Exists(Path.Combine(_sources, "gone-1")));
    }

    [Fact]
    public async Task Keys_and_KeyOf_round_trip()
    {
        await PutAsync("outputs/custom/run 1/out.json", "x");
        var path = _store.LocalPath("outputs/custom/run 1/out.json");
        Assert.Equal("outputs/custom/run 1/out.json", _store.KeyOf(path));
    }

    /// <summary>Gives its first part, then waits until released before the second: a put caught halfway.</summary>
    private sealed class GatedStream(byte[] first, byte[] second) : Stream
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _part;

        public TaskCompletionSource FirstHalfRead { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _release.TrySetResult();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            switch (_part++)
            {
                case 0:
                    first.CopyTo(buffer);
                    return first.Length;
                case 1:
                    FirstHalfRead.TrySetResult();
                    await _release.Task.WaitAsync(cancellationToken);
                    second.CopyTo(buffer);
                    return second.Length;
                default:
                    return 0;
            }
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>Fails partway, like a connection that drops.</summary>
    private sealed class FailingStream : Stream
    {
        private bool _gaveSome;

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_gaveSome)
            {
                throw new IOException("The connection dropped.");
            }
            _gaveSome = true;
            buffer.Span[0] = (byte)'n';
            return ValueTask.FromResult(1);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, default).GetAwaiter().GetResult();
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
