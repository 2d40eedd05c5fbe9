using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace Annotate.Annotators.Models.Download;

/// <summary>
/// Downloads GGUF models into the models folder: to <c>&lt;file&gt;.part</c> first, resuming an existing part with a
/// <c>Range</c> request, retrying transient failures, verifying size and SHA-256, and renaming on success. The HTTP
/// client should have no overall timeout (<see cref="Timeout.InfiniteTimeSpan"/>): this class bounds connecting and
/// each read itself, so multi-GB downloads are not cut at an arbitrary total time.
/// </summary>
public sealed class ModelDownloader
{
    private const int BufferSize = 1 << 16;

    private readonly HttpClient _http;
    private readonly ModelCatalog _catalog;
    private readonly ModelDownloadOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ModelDownloader> _logger;
    private readonly ResiliencePipeline _retry;

    /// <summary>Creates the downloader.</summary>
    public ModelDownloader(HttpClient httpClient, ModelCatalog catalog, IOptions<ModelDownloadOptions> options, TimeProvider timeProvider, ILogger<ModelDownloader> logger)
    {
        _http = httpClient;
        _catalog = catalog;
        _options = options.Value;
        _time = timeProvider;
        _logger = logger;
        _retry = BuildRetryPipeline();
    }

    /// <summary>The catalogue names are resolved against.</summary>
    public ModelCatalog Catalog => _catalog;

    /// <summary>
    /// Pulls a catalogue model by name (case-insensitive) or any GGUF by http(s) URL into <paramref name="modelsFolder"/>
    /// and returns the full path of the file. Throws <see cref="ModelDownloadException"/> with a clear reason.
    /// </summary>
    public Task<string> PullAsync(string nameOrUrl, string modelsFolder, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
        => PullAsync(_catalog.Resolve(nameOrUrl), modelsFolder, progress, cancellationToken);

    /// <summary>Pulls <paramref name="entry"/> into <paramref name="modelsFolder"/> and returns the full path of the file.</summary>
    public async Task<string> PullAsync(ModelCatalogEntry entry, string modelsFolder, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        var folder = Path.GetFullPath(modelsFolder);
        Directory.CreateDirectory(folder);
        var fileName = entry.FileName;
        var finalPath = Path.Combine(folder, fileName);
        var partPath = finalPath + ".part";

        if (File.Exists(finalPath) && await IsAlreadyPresentAsync(entry, finalPath, progress, cancellationToken).ConfigureAwait(false))
        {
            return finalPath;
        }

        var target = new Target(entry, fileName, partPath);
        DownloadResult result;
        try
        {
            result = await _retry.ExecuteAsync(
                static async (state, token) => await state.Self.DownloadOnceAsync(state.Target, state.Progress, token).ConfigureAwait(false),
                (Self: this, Target: target, Progress: progress),
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not ModelDownloadException and not OperationCanceledException && IsTransient(ex))
        {
            throw new ModelDownloadException(
                $"Download of {fileName} from {entry.Url} failed after {_options.MaxRetryAttempts + 1} attempt(s): {ex.Message}. {ResumeHint(partPath)}",
                isTransient: true, ex);
        }
        catch (ModelDownloadException ex) when (ex.IsTransient)
        {
            throw new ModelDownloadException(
                $"{ex.Message} Gave up after {_options.MaxRetryAttempts + 1} attempt(s). {ResumeHint(partPath)}", isTransient: true, ex);
        }

        if (entry.Sha256 is { } expected && !string.Equals(expected, result.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            // A resumed part may have been damaged; starting over is the only fix, so the next pull must not reuse it.
            TryDelete(partPath);
            throw new ModelDownloadException(
                $"sha256 mismatch for {fileName}: expected {expected}, got {result.Sha256}. The download was deleted; run the pull again, " +
                "and if it fails the same way the file at the URL is not the one the catalogue describes.");
        }

        File.Move(partPath, finalPath, overwrite: true);
        await WriteHashRecordAsync(finalPath, result.Sha256, cancellationToken).ConfigureAwait(false);
        if (entry.Sha256 is null)
        {
            _logger.LogWarning(
                "No published sha256 for {File}, so it was not verified; its sha256 is {Sha256} (recorded in {Record})",
                fileName, result.Sha256, finalPath + ".sha256");
        }
        else
        {
            _logger.LogInformation("Downloaded {File} ({Bytes} bytes), sha256 verified", fileName, result.Length);
        }
        return finalPath;
    }

    private static string ResumeHint(string partPath) => File.Exists(partPath)
        ? $"The partial file {partPath} is kept; run the pull again to resume."
        : "Run the pull again later.";

    /// <summary>Lowercase hex SHA-256 of a file.</summary>
    public static async Task<string> ComputeSha256Async(string path, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await HashFileAsync(hash, path, cancellationToken).ConfigureAwait(false);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private async Task<bool> IsAlreadyPresentAsync(ModelCatalogEntry entry, string finalPath, IProgress<DownloadProgress>? progress, CancellationToken ct)
    {
        var length = new FileInfo(finalPath).Length;
        var actual = await ComputeSha256Async(finalPath, ct).ConfigureAwait(false);
        // Without a published hash, the record written after our own download is the reference.
        var expected = entry.Sha256 ?? await ReadHashRecordAsync(finalPath, ct).ConfigureAwait(false);
        if (expected is null || string.Equals(expected, actual, StringComparison.OrdinalIgnoreCase))
        {
            if (expected is null)
            {
                await WriteHashRecordAsync(finalPath, actual, ct).ConfigureAwait(false);
            }
            _logger.LogInformation("{File} is already in {Folder} (sha256 {Sha256}); nothing to download", Path.GetFileName(finalPath), Path.GetDirectoryName(finalPath), actual);
            progress?.Report(new DownloadProgress(length, length, 0));
            return true;
        }
        _logger.LogWarning("{File} exists but its sha256 is {Actual}, not {Expected}; downloading it again", finalPath, actual, expected);
        return false;
    }

    private async Task<DownloadResult> DownloadOnceAsync(Target target, IProgress<DownloadProgress>? progress, CancellationToken ct)
    {
        var entry = target.Entry;
        var existing = File.Exists(target.PartPath) ? new FileInfo(target.PartPath).Length : 0;
        if (entry.SizeBytes is { } expectedSize && existing > expectedSize)
        {
            _logger.LogWarning("{Part} is larger than {File} should be; starting over", target.PartPath, target.FileName);
            TryDelete(target.PartPath);
            existing = 0;
        }
        if (entry.SizeBytes is { } size && existing == size)
        {
            // A previous run got every byte but stopped before the rename: only the hash is left to check.
            return await HashPartAsync(target.PartPath, ct).ConfigureAwait(false);
        }

        using var timer = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timer.Token);
        using var request = new HttpRequestMessage(HttpMethod.Get, entry.Url);
        if (existing > 0)
        {
            request.Headers.Range = new RangeHeaderValue(existing, null);
        }

        timer.CancelAfter(_options.ResponseTimeout);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new ModelDownloadException($"{entry.Url} did not answer within {_options.ResponseTimeout.TotalSeconds:0} s.", isTransient: true);
        }

        using (response)
        {
            long offset;
            long? total;
            switch (response.StatusCode)
            {
                case HttpStatusCode.PartialContent when response.Content.Headers.ContentRange is { From: { } from } range && from == existing:
                    offset = existing;
                    total = range.Length ?? (response.Content.Headers.ContentLength is { } rest ? existing + rest : null);
                    _logger.LogInformation("Resuming {File} at byte {Offset}", target.FileName, offset);
                    break;
                case HttpStatusCode.PartialContent:
                    // Another range than the one asked for: the part cannot be trusted to line up.
                    TryDelete(target.PartPath);
                    throw new ModelDownloadException($"{entry.Url} answered a different byte range than asked for {target.FileName}; starting over.", isTransient: true);
                case HttpStatusCode.OK:
                    // No range support (or no part yet): the whole file, from the start.
                    offset = 0;
                    total = response.Content.Headers.ContentLength;
                    if (existing > 0)
                    {
                        _logger.LogInformation("The server does not resume {File}; downloading it from the start", target.FileName);
                    }
                    break;
                case HttpStatusCode.RequestedRangeNotSatisfiable:
                    if (response.Content.Headers.ContentRange?.Length is { } whole && whole == existing)
                    {
                        return await HashPartAsync(target.PartPath, ct).ConfigureAwait(false);
                    }
                    TryDelete(target.PartPath);
                    throw new ModelDownloadException($"{entry.Url} cannot resume {target.FileName} at byte {existing}; starting over.", isTransient: true);
                default:
                    throw StatusError(entry.Url, response.StatusCode, response.ReasonPhrase);
            }

            if (entry.SizeBytes is { } catalogSize && total is { } serverSize && serverSize != catalogSize)
            {
                TryDelete(target.PartPath);
                throw new ModelDownloadException(
                    $"{entry.Url} offers {serverSize} bytes for {target.FileName}, but the catalogue expects {catalogSize}; the file at the URL has changed. Not downloading it.");
            }
            total ??= entry.SizeBytes;

            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var file = new FileStream(target.PartPath, offset > 0 ? FileMode.Open : FileMode.Create, FileAccess.ReadWrite, FileShare.Read, BufferSize, FileOptions.Asynchronous);
            await using (file.ConfigureAwait(false))
            {
                if (offset > 0)
                {
                    // The hash covers the resumed bytes too: hash what is on disk before appending.
                    await HashStreamAsync(hash, file, ct).ConfigureAwait(false);
                    file.Seek(offset, SeekOrigin.Begin);
                    file.SetLength(offset);
                }
                var done = await CopyBodyAsync(response, file, hash, offset, total, timer, progress, entry.Url, linked.Token, ct).ConfigureAwait(false);
                await file.FlushAsync(ct).ConfigureAwait(false);
                file.Flush(flushToDisk: true);

                if (total is { } expectedTotal && done != expectedTotal)
                {
                    throw new ModelDownloadException($"The transfer of {target.FileName} ended at byte {done} of {expectedTotal}.", isTransient: true);
                }
                return new DownloadResult(Convert.ToHexStringLower(hash.GetHashAndReset()), done);
            }
        }
    }

    private async Task<long> CopyBodyAsync(
        HttpResponseMessage response, FileStream file, IncrementalHash hash, long offset, long? total,
        CancellationTokenSource timer, IProgress<DownloadProgress>? progress, string url, CancellationToken readToken, CancellationToken ct)
    {
        var started = _time.GetTimestamp();
        var lastReport = started;
        var done = offset;
        progress?.Report(new DownloadProgress(done, total, 0));

        var buffer = new byte[BufferSize];
        var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        await using (body.ConfigureAwait(false))
        {
            while (true)
            {
                int read;
                timer.CancelAfter(_options.ReadIdleTimeout);
                try
                {
                    read = await body.ReadAsync(buffer, readToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    throw new ModelDownloadException($"No data from {url} for {_options.ReadIdleTimeout.TotalSeconds:0} s at byte {done}.", isTransient: true);
                }
                if (read == 0)
                {
                    break;
                }
                await file.WriteAsync(buffer.AsMemory(0, read), ct).ConfigureAwait(false);
                hash.AppendData(buffer, 0, read);
                done += read;

                var now = _time.GetTimestamp();
                if (progress is not null && _time.GetElapsedTime(lastReport, now) >= _options.ProgressInterval)
                {
                    lastReport = now;
                    progress.Report(new DownloadProgress(done, total, Rate(done - offset, started, now)));
                }
            }
        }
        progress?.Report(new DownloadProgress(done, total ?? done, Rate(done - offset, started, _time.GetTimestamp())));
        return done;
    }

    private double Rate(long bytes, long started, long now)
    {
        var seconds = _time.GetElapsedTime(started, now).TotalSeconds;
        return seconds > 0 ? bytes / seconds : 0;
    }

    private static async Task<DownloadResult> HashPartAsync(string partPath, CancellationToken ct)
        => new(await ComputeSha256Async(partPath, ct).ConfigureAwait(false), new FileInfo(partPath).Length);

    private static async Task HashFileAsync(IncrementalHash hash, string path, CancellationToken ct)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (stream.ConfigureAwait(false))
        {
            await HashStreamAsync(hash, stream, ct).ConfigureAwait(false);
        }
    }

    private static async Task HashStreamAsync(IncrementalHash hash, Stream stream, CancellationToken ct)
    {
        var buffer = new byte[BufferSize];
        int read;
        while ((read = await stream.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
        {
            hash.AppendData(buffer, 0, read);
        }
    }

    private static async Task<string?> ReadHashRecordAsync(string finalPath, CancellationToken ct)
    {
        var record = finalPath + ".sha256";
        if (!File.Exists(record))
        {
            return null;
        }
        var text = await File.ReadAllTextAsync(record, ct).ConfigureAwait(false);
        var first = text.Split([' ', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        return first is { Length: 64 } ? first.ToLowerInvariant() : null;
    }

    // sha256sum format, so `sha256sum -c <file>.sha256` checks the file from the models folder.
    private static Task WriteHashRecordAsync(string finalPath, string sha256, CancellationToken ct)
        => File.WriteAllTextAsync(finalPath + ".sha256", $"{sha256}  {Path.GetFileName(finalPath)}\n", ct);

    private static ModelDownloadException StatusError(string url, HttpStatusCode status, string? reason)
    {
        var code = (int)status;
        var text = $"{url} answered {code} {reason}".TrimEnd();
        return status switch
        {
            HttpStatusCode.NotFound or HttpStatusCode.Gone => new ModelDownloadException($"{text}: no such file. Check the name or URL."),
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => new ModelDownloadException(
                $"{text}: the file needs an account or accepted licence (gated repository); download it in a browser and put it in the models folder."),
            HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests => new ModelDownloadException($"{text}.", isTransient: true),
            _ when code >= 500 => new ModelDownloadException($"{text}.", isTransient: true),
            _ => new ModelDownloadException($"{text}."),
        };
    }

    private static bool IsTransient(Exception ex) => ex switch
    {
        ModelDownloadException download => download.IsTransient,
        // Connection refused/reset, DNS hiccups, TLS failures before any status: worth another try.
        HttpRequestException { StatusCode: null } => true,
        // The body ended early or the connection dropped mid-transfer.
        HttpIOException => true,
        _ => false,
    };

    private ResiliencePipeline BuildRetryPipeline()
    {
        if (_options.MaxRetryAttempts <= 0)
        {
            return ResiliencePipeline.Empty;
        }
        return new ResiliencePipelineBuilder { TimeProvider = _time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(IsTransient),
                MaxRetryAttempts = _options.MaxRetryAttempts,
                Delay = _options.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                MaxDelay = TimeSpan.FromMinutes(1),
                OnRetry = args =>
                {
                    _logger.LogWarning(
                        "Model download interrupted ({Reason}); retry {Attempt} of {Max} in {Delay:0.0} s resumes where it stopped",
                        args.Outcome.Exception?.Message, args.AttemptNumber + 1, _options.MaxRetryAttempts, args.RetryDelay.TotalSeconds);
                    return default;
                },
            })
            .Build();
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Left behind: the next attempt overwrites or re-validates it.
        }
        catch (UnauthorizedAccessException)
        {
            // Same as above.
        }
    }

    private sealed record Target(ModelCatalogEntry Entry, string FileName, string PartPath);

    private sealed record DownloadResult(string Sha256, long Length);
}
