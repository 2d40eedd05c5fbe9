using System.Text;
using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Readers;
using Annotate.Hosting;
using Annotate.Hosting.Blobs;
using Annotate.Messages;
using Annotate.Worker.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Annotate.Worker.Tests.Storage;

/// <summary>Inline content and http(s) sources: their limits and rules, without a broker.</summary>
public sealed class SourceStagingTests : IAsyncLifetime, IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "annotate-staging-tests", Guid.NewGuid().ToString("N"));
    private readonly LoopbackHttpServer _server = new();
    private ServiceProvider? _provider;

    public Task InitializeAsync() => Task.CompletedTask;

    public void Dispose() => _server.DisposeAsync().AsTask().GetAwaiter().GetResult();

    public async Task DisposeAsync()
    {
        if (_provider is not null)
        {
            await _provider.DisposeAsync();
        }
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private SourceStaging Staging(Dictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["Annotate:Blobs:Sources"] = Path.Combine(_root, "blobs"),
            ["Annotate:Blobs:Outputs"] = Path.Combine(_root, "outbox"),
            ["Annotate:Blobs:Results"] = Path.Combine(_root, "results"),
            ["Annotate:Blobs:Content"] = Path.Combine(_root, "content"),
            ["Annotate:Worker:FetchHosts:0"] = "127.0.0.1",
        };
        foreach (var (key, value) in settings ?? [])
        {
            all[key] = value;
        }
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(all).Build());
        services.AddOptions<ReaderOptions>().BindConfiguration(ReaderOptions.Section);
        services.AddAnnotateWorkerServices();
        _provider = services.BuildServiceProvider();
        return _provider.GetRequiredService<SourceStaging>();
    }

    private string BlobFile(string key) => Path.Combine(_root, "blobs", key["sources/".Length..].Replace('/', Path.DirectorySeparatorChar));

    private static AnnotateDocument Inline(string base64, string id = "doc-inline", string name = "note.txt") =>
        new() { DocumentId = id, SourceUri = "", FileName = name, ContentBase64 = base64 };

    private static AnnotateDocument Fetch(string url, string id = "doc-fetch", string name = "report.txt") =>
        new() { DocumentId = id, SourceUri = url, FileName = name };

    [Fact]
    public async Task Inline_content_is_stored_under_sources_and_removed_when_done()
    {
        var staging = Staging();
        var bytes = Encoding.UTF8.GetBytes("Inline words to annotate.\n");

        var staged = await staging.StageAsync(Inline(Convert.ToBase64String(bytes), name: "../odd name?.txt"), CancellationToken.None);

        Assert.Equal(BlobFile("sources/doc-inline/odd name_.txt"), staged.Path);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(staged.Path));
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)), staged.Sha256);
        await staged.DisposeAsync();
        Assert.False(File.Exists(staged.Path));
    }

    [Fact]
    public async Task Inline_content_at_the_limit_is_taken()
    {
        var staging = Staging(new() { ["Annotate:Worker:MaxInlineBytes"] = "10" });

        await using var staged = await staging.StageAsync(Inline(Convert.ToBase64String(new byte[10])), CancellationToken.None);

        Assert.Equal(10, new FileInfo(staged.Path).Length);
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(4000)]
    public async Task Inline_content_over_the_limit_fails_too_large_naming_the_file(int size)
    {
        var staging = Staging(new() { ["Annotate:Worker:MaxInlineBytes"] = "10" });

        var ex = await Assert.ThrowsAsync<AnnotationException>(() => staging.StageAsync(Inline(Convert.ToBase64String(new byte[size])), CancellationToken.None));

        Assert.Equal(FailureReason.TooLarge, ex.Reason);
        Assert.Contains("'note.txt'", ex.Message);
        Assert.Contains("Annotate:Worker:MaxInlineBytes", ex.Message);
        Assert.False(Directory.Exists(Path.Combine(_root, "blobs", "doc-inline")));
    }

    [Fact]
    public async Task Invalid_base64_fails_as_an_invalid_request()
    {
        var staging = Staging();

        var ex = await Assert.ThrowsAsync<AnnotationException>(() => staging.StageAsync(Inline("not base64!"), CancellationToken.None));

        Assert.Equal(FailureReason.InvalidRequest, ex.Reason);
        Assert.Contains("'note.txt'", ex.Message);
    }

    [Fact]
    public async Task A_command_with_both_a_source_and_inline_content_is_refused()
    {
        var staging = Staging();
        var command = Inline(Convert.ToBase64String("x"u8.ToArray())) with { SourceUri = "blob:sources/a/b.txt" };

        var ex = await Assert.ThrowsAsync<AnnotationException>(() => staging.StageAsync(command, CancellationToken.None));

        Assert.Equal(FailureReason.InvalidRequest, ex.Reason);
    }

    [Fact]
    public async Task A_command_with_neither_a_source_nor_inline_content_is_refused()
    {
        var staging = Staging();

        var ex = await Assert.ThrowsAsync<AnnotationException>(() => staging.StageAsync(Inline("") with { SourceUri = null! }, CancellationToken.None));

        Assert.Equal(FailureReason.InvalidRequest, ex.Reason);
        Assert.Contains("neither", ex.Message);
    }

    [Fact]
    public async Task A_copy_of_a_source_is_staged_in_the_process_folder_and_deleted_when_done()
    {
        await using var content = new MemoryStream(Encoding.UTF8.GetBytes("A user's words.\n"));

        var staged = await SourceStaging.CopyToTemporaryAsync(content, CancellationToken.None);

        // The process's own folder, which goes with the process even when it is killed (ProcessTemporaryFolder).
        Assert.Equal(ProcessTemporaryFolder.FullPath, Path.GetDirectoryName(staged.Path));
        Assert.Equal("A user's words.\n", await File.ReadAllTextAsync(staged.Path));
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes("A user's words.\n"))), staged.Sha256);
        await staged.DisposeAsync();
        Assert.False(File.Exists(staged.Path));
    }

    [Fact]
    public async Task An_allowed_host_is_fetched_following_a_redirect_on_the_same_host()
    {
        _server.Redirect("old/report.txt", "/files/report.txt").Answer("files/report.txt", 200, Encoding.UTF8.GetBytes("Fetched words.\n"));
        var staging = Staging();

        var staged = await staging.StageAsync(Fetch(_server.Url("old/report.txt")), CancellationToken.None);

        Assert.Equal("Fetched words.\n", await File.ReadAllTextAsync(staged.Path));
        Assert.Equal(BlobFile("sources/doc-fetch/report.txt"), staged.Path);
        Assert.Equal(["/old/report.txt", "/files/report.txt"], _server.Requests);
        await staged.DisposeAsync();
        Assert.False(File.Exists(staged.Path));
    }

    [Fact]
    public async Task Fetching_is_off_without_allowed_hosts()
    {
        _server.Answer("report.txt", 200, "x"u8.ToArray());
        var staging = Staging(new() { ["Annotate:Worker:FetchHosts:0"] = null });

        var ex = await Assert.ThrowsAsync<AnnotationException>(() => staging.StageAsync(Fetch(_server.Url("report.txt")), CancellationToken.None));

        Assert.Equal(FailureReason.InvalidRequest, ex.Reason);
        Assert.Contains("Annotate:Worker:FetchHosts is empty", ex.Message);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task A_host_not_in_the_allow_list_is_not_contacted()
    {
        _server.Answer("report.txt", 200, "x"u8.ToArray());
        var staging = Staging();

        var ex = await Assert.ThrowsAsync<AnnotationException>(() => staging.StageAsync(Fetch(_server.Url("report.txt", host: "localhost")), CancellationToken.None));

        Assert.Equal(FailureReason.InvalidRequest, ex.Reason);
        Assert.Contains($"localhost:{_server.Port}", ex.Message);
        Assert.Contains("'report.txt'", ex.Message);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task A_redirect_to_another_host_is_refused()
    {
        _server.Redirect("report.txt", _server.Url("elsewhere.txt", host: "localhost")).Answer("elsewhere.txt", 200, "x"u8.ToArray());
        var staging = Staging(new() { ["Annotate:Worker:FetchHosts:1"] = "localhost" });

        var ex = await Assert.ThrowsAsync<AnnotationException>(() => staging.StageAsync(Fetch(_server.Url("report.txt")), CancellationToken.None));

        Assert.Equal(FailureReason.InvalidRequest, ex.Reason);
        Assert.Contains("redirected to localhost", ex.Message);
        Assert.Equal(["/report.txt"], _server.Requests);
    }

    [Fact]
    public async Task More_than_five_redirects_are_refused()
    {
        for (var i = 0; i < 7; i++)
        {
            _server.Redirect($"hop{i}", $"/hop{i + 1}");
        }
        var staging = Staging();

        var ex = await Assert.ThrowsAsync<AnnotationException>(() => staging.StageAsync(Fetch(_server.Url("hop0")), CancellationToken.None));

        Assert.Equal(FailureReason.InvalidRequest, ex.Reason);
        Assert.Contains("more than 5", ex.Message);
        Assert.Equal(6, _server.Requests.Count);
    }

    [Fact]
    public async Task A_declared_length_over_the_limit_fails_too_large_before_the_body_is_read()
    {
        _server.Answer("big.bin", 200, new byte[10], ("Content-Length", "1000"));
        var staging = Staging(new() { ["Annotate:Readers:MaxDocumentBytes"] = "100" });

        var ex = await Assert.ThrowsAsync<AnnotationException>(() => staging.StageAsync(Fetch(_server.Url("big.bin"), name: "big.bin"), CancellationToken.None));

        Assert.Equal(FailureReason.TooLarge, ex.Reason);
        Assert.Contains("'big.bin'", ex.Message);
        Assert.Contains("1,000 bytes", ex.Message);
    }

    [Fact]
    public async Task A_body_longer_than_the_limit_without_a_declared_length_fails_too_large()
    {
        _server.Chunked("stream.bin", 50_000);
        var staging = Staging(new() { ["Annotate:Readers:MaxDocumentBytes"] = "10000" });

        var ex = await Assert.ThrowsAsync<AnnotationException>(() => staging.StageAsync(Fetch(_server.Url("stream.bin"), name: "stream.bin"), CancellationToken.None));

        Assert.Equal(FailureReason.TooLarge, ex.Reason);
        Assert.Contains("Annotate:Readers:MaxDocumentBytes", ex.Message);
        Assert.False(Directory.Exists(Path.Combine(_root, "blobs", "doc-fetch")) && Directory.EnumerateFiles(Path.Combine(_root, "blobs", "doc-fetch")).Any());
    }

    [Theory]
    [InlineData(404)]
    [InlineData(410)]
    public async Task A_missing_document_fails_source_missing_for_good(int status)
    {
        _server.Answer("gone.txt", status);
        var staging = Staging();

        var ex = await Assert.ThrowsAsync<AnnotationException>(() => staging.StageAsync(Fetch(_server.Url("gone.txt")), CancellationToken.None));

        Assert.Equal(FailureReason.SourceMissing, ex.Reason);
        Assert.False(ex.Retryable);
        Assert.Contains($"127.0.0.1:{_server.Port}", ex.Message);
        Assert.DoesNotContain("gone.txt", ex.Message);
    }

    [Fact]
    public async Task A_server_error_is_retryable()
    {
        _server.Answer("busy.txt", 503);
        var staging = Staging();

        var ex = await Assert.ThrowsAsync<AnnotationException>(() => staging.StageAsync(Fetch(_server.Url("busy.txt")), CancellationToken.None));

        Assert.True(ex.Retryable);
        Assert.Contains("HTTP 503", ex.Message);
    }

    [Fact]
    public async Task A_refused_connection_is_retryable()
    {
        var closed = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        closed.Start();
        var port = ((System.Net.IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        var staging = Staging();

        var ex = await Assert.ThrowsAsync<AnnotationException>(() => staging.StageAsync(Fetch($"http://127.0.0.1:{port}/report.txt"), CancellationToken.None));

        Assert.True(ex.Retryable);
        Assert.Equal(FailureReason.SourceMissing, ex.Reason);
    }

    [Fact]
    public async Task A_server_that_does_not_answer_in_time_is_retryable()
    {
        _server.Silent("slow.txt");
        var staging = Staging(new() { ["Annotate:Worker:FetchTimeout"] = "00:00:00.300" });

        var ex = await Assert.ThrowsAsync<AnnotationException>(() => staging.StageAsync(Fetch(_server.Url("slow.txt")), CancellationToken.None));

        Assert.True(ex.Retryable);
        Assert.Contains("Annotate:Worker:FetchTimeout", ex.Message);
    }
}
