using Annotate.Annotators.Models.Download;
using Annotate.Annotators.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.Tests.Models.Download;

public sealed class ModelDownloaderTests : IAsyncLifetime, IDisposable
{
    private const string ModelSha256 = "270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d";
    private const string FileName = "stories260K.gguf";

    private readonly byte[] _model = File.ReadAllBytes(TestFiles.Model);
    private readonly LoopbackFileServer _server = new();
    private readonly TempDir _dir = new();
    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };

    public ModelDownloaderTests() => _server.Serve(FileName, _model);

    private string Folder => _dir.Path;

    private ModelCatalogEntry Entry(string? sha256 = ModelSha256, long? size = null) => new()
    {
        Name = "stories",
        Url = _server.Url(FileName),
        Sha256 = sha256,
        SizeBytes = size ?? _model.Length,
        License = "MIT",
    };

    private ModelDownloader Downloader(ModelCatalogEntry? entry = null, int retries = 3) => new(
        _http,
        new ModelCatalog([entry ?? Entry()]),
        Options.Create(new ModelDownloadOptions { MaxRetryAttempts = retries, RetryDelay = TimeSpan.FromMilliseconds(1), ProgressInterval = TimeSpan.Zero }),
        TimeProvider.System,
        NullLogger<ModelDownloader>.Instance);

    [Fact]
    public async Task A_catalogue_model_is_downloaded_with_progress_and_a_verified_sha256()
    {
        var progress = new RecordingProgress();

        var path = await Downloader().PullAsync("STORIES", Folder, progress, CancellationToken.None);

        Assert.Equal(Path.Combine(Folder, FileName), path);
        Assert.Equal(ModelSha256, await ModelDownloader.ComputeSha256Async(path, CancellationToken.None));
        Assert.False(File.Exists(path + ".part"));
        Assert.StartsWith(ModelSha256 + "  " + FileName, File.ReadAllText(path + ".sha256"));

        Assert.True(progress.Reports.Count >= 2, "expected a first and a final report");
        Assert.All(progress.Reports, r => Assert.Equal(_model.Length, r.TotalBytes));
        Assert.Equal(progress.Reports.Select(r => r.BytesDone).Order(), progress.Reports.Select(r => r.BytesDone));
        Assert.Equal(_model.Length, progress.Reports[^1].BytesDone);
        Assert.True(progress.Reports[^1].IsComplete);
        Assert.Single(_server.Requests);
        Assert.Null(_server.Requests.Single().RangeFrom);
    }

    [Fact]
    public async Task A_cut_connection_is_retried_with_a_range_request_and_resumes()
    {
        _server.CutConnection(bytes: 300_000);

        var path = await Downloader(retries: 3).PullAsync("stories", Folder, null, CancellationToken.None);

        var requests = _server.Requests.ToArray();
        Assert.Equal(2, requests.Length);
        Assert.Null(requests[0].RangeFrom);
        Assert.Equal(300_000, requests[1].RangeFrom);
        Assert.Equal(ModelSha256, await ModelDownloader.ComputeSha256Async(path, CancellationToken.None));
    }

    [Fact]
    public async Task A_second_pull_resumes_the_part_left_by_a_failed_one()
    {
        _server.CutConnection(bytes: 500_000);
        var downloader = Downloader(retries: 0);

        var first = await Assert.ThrowsAsync<ModelDownloadException>(() => downloader.PullAsync("stories", Folder, null, CancellationToken.None));
        Assert.True(first.IsTransient);
        Assert.Contains("run the pull again to resume", first.Message);
        Assert.False(File.Exists(Path.Combine(Folder, FileName)));
        Assert.Equal(500_000, new FileInfo(Path.Combine(Folder, FileName + ".part")).Length);

        var progress = new RecordingProgress();
        var path = await downloader.PullAsync("stories", Folder, progress, CancellationToken.None);

        Assert.Equal(500_000, _server.Requests.Last().RangeFrom);
        Assert.Equal(500_000, progress.Reports[0].BytesDone);
        Assert.Equal(ModelSha256, await ModelDownloader.ComputeSha256Async(path, CancellationToken.None));
        Assert.False(File.Exists(path + ".part"));
    }

    [Fact]
    public async Task A_server_that_ignores_the_range_restarts_the_download_from_zero()
    {
        _server.IgnoreRange = true;
        // A part that does not match the file: appending to it would break the hash.
        File.WriteAllBytes(Path.Combine(Folder, FileName + ".part"), new byte[1000]);

        var path = await Downloader().PullAsync("stories", Folder, null, CancellationToken.None);

        Assert.Equal(1000, _server.Requests.Single().RangeFrom);
        Assert.Equal(ModelSha256, await ModelDownloader.ComputeSha256Async(path, CancellationToken.None));
    }

    [Fact]
    public async Task A_wrong_checksum_is_rejected_and_leaves_no_file()
    {
        var wrong = new string('0', 64);

        var error = await Assert.ThrowsAsync<ModelDownloadException>(
            () => Downloader(Entry(sha256: wrong)).PullAsync("stories", Folder, null, CancellationToken.None));

        Assert.StartsWith($"sha256 mismatch for {FileName}: expected {wrong}, got {ModelSha256}", error.Message);
        Assert.False(error.IsTransient);
        Assert.Empty(Directory.GetFiles(Folder));
    }

    [Fact]
    public async Task A_damaged_part_fails_the_checksum_of_the_resumed_file_and_is_deleted()
    {
        var part = _model[..400_000].ToArray();
        part[123] ^= 0xFF;
        File.WriteAllBytes(Path.Combine(Folder, FileName + ".part"), part);

        var error = await Assert.ThrowsAsync<ModelDownloadException>(
            () => Downloader().PullAsync("stories", Folder, null, CancellationToken.None));

        Assert.Equal(400_000, _server.Requests.Single().RangeFrom);
        Assert.StartsWith($"sha256 mismatch for {FileName}", error.Message);
        Assert.Empty(Directory.GetFiles(Folder));
    }

    [Fact]
    public async Task An_unknown_name_fails_with_the_catalogue_names()
    {
        var error = await Assert.ThrowsAsync<ModelDownloadException>(
            () => Downloader().PullAsync("gpt-17", Folder, null, CancellationToken.None));

        Assert.Contains("Unknown model 'gpt-17'", error.Message);
        Assert.Contains("stories", error.Message);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task A_404_fails_at_once_with_the_url_and_status()
    {
        var missing = _server.Url("missing.gguf");

        var error = await Assert.ThrowsAsync<ModelDownloadException>(
            () => Downloader().PullAsync(missing, Folder, null, CancellationToken.None));

        Assert.Contains($"{missing} answered 404", error.Message);
        Assert.False(error.IsTransient);
        Assert.Single(_server.Requests);
        Assert.Empty(Directory.GetFiles(Folder));
    }

    [Fact]
    public async Task A_busy_server_is_retried_until_it_answers()
    {
        _server.Unavailable(times: 2);

        var path = await Downloader(retries: 3).PullAsync("stories", Folder, null, CancellationToken.None);

        Assert.Equal(3, _server.Requests.Count);
        Assert.Equal(ModelSha256, await ModelDownloader.ComputeSha256Async(path, CancellationToken.None));
    }

    [Fact]
    public async Task A_size_different_from_the_catalogue_is_refused_before_downloading()
    {
        var error = await Assert.ThrowsAsync<ModelDownloadException>(
            () => Downloader(Entry(size: 4242)).PullAsync("stories", Folder, null, CancellationToken.None));

        Assert.Contains($"offers {_model.Length} bytes", error.Message);
        Assert.Contains("expects 4242", error.Message);
        Assert.Empty(Directory.GetFiles(Folder));
    }

    [Fact]
    public async Task A_file_already_present_with_the_right_hash_is_not_downloaded_again()
    {
        File.WriteAllBytes(Path.Combine(Folder, FileName), _model);
        var progress = new RecordingProgress();

        var path = await Downloader().PullAsync("stories", Folder, progress, CancellationToken.None);

        Assert.Equal(Path.Combine(Folder, FileName), path);
        Assert.Empty(_server.Requests);
        Assert.True(progress.Reports.Single().IsComplete);
    }

    [Fact]
    public async Task A_present_file_with_the_wrong_hash_is_replaced()
    {
        File.WriteAllBytes(Path.Combine(Folder, FileName), new byte[10]);

        var path = await Downloader().PullAsync("stories", Folder, null, CancellationToken.None);

        Assert.Single(_server.Requests);
        Assert.Equal(ModelSha256, await ModelDownloader.ComputeSha256Async(path, CancellationToken.None));
    }

    [Fact]
    public async Task A_url_without_a_known_hash_is_downloaded_and_its_hash_recorded_beside_it()
    {
        var path = await Downloader().PullAsync(_server.Url(FileName), Folder, null, CancellationToken.None);

        Assert.Equal(Path.Combine(Folder, FileName), path);
        Assert.Equal($"{ModelSha256}  {FileName}\n", File.ReadAllText(path + ".sha256"));

        // The record then serves as the reference: a second pull finds the file complete.
        await Downloader().PullAsync(_server.Url(FileName), Folder, null, CancellationToken.None);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task Cancelling_keeps_the_part_for_a_later_resume()
    {
        using var cancel = new CancellationTokenSource();
        var progress = new RecordingProgress(onReport: r =>
        {
            if (r.BytesDone > 0)
            {
                cancel.Cancel();
            }
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => Downloader().PullAsync("stories", Folder, progress, cancel.Token));

        Assert.False(File.Exists(Path.Combine(Folder, FileName)));
        Assert.True(new FileInfo(Path.Combine(Folder, FileName + ".part")).Length > 0);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose()
    {
        _http.Dispose();
        _dir.Dispose();
    }

    /// <summary>Collects reports synchronously (Progress&lt;T&gt; would post them later on the thread pool).</summary>
    private sealed class RecordingProgress(Action<DownloadProgress>? onReport = null) : IProgress<DownloadProgress>
    {
        public List<DownloadProgress> Reports { get; } = [];

        public void Report(DownloadProgress value)
        {
            lock (Reports)
            {
                Reports.Add(value);
            }
            onReport?.Invoke(value);
        }
    }
}
