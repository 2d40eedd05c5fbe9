using System.Text.Json;
using Annotate.Hosting.Blobs;
using Microsoft.Extensions.Options;

namespace Annotate.Gateway.Intake;

/// <summary>The report written beside a failed file as <c>&lt;name&gt;.error.json</c>.</summary>
public sealed record FailureReport(string DocumentId, string FileName, string Reason, string Message, bool Retryable, DateTimeOffset FailedAt);

/// <summary>
/// Keeps the files that could not be annotated, each with its report beside it. Every step can be repeated after a
/// crash or a redelivered event without a second copy: the report is written under a temporary name first (it names
/// the document), then the file is moved, then the report is renamed into place.
/// </summary>
public sealed class FailedFolder(IOptions<GatewayOptions> options, IBlobStore blobs, ILogger<FailedFolder> logger) : IDisposable
{
    private const string ReportSuffix = ".error.json";
    private const string PendingSuffix = ".error.json.tmp";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <inheritdoc />
    public void Dispose() => _gate.Dispose();

    /// <summary>Full path of the folder.</summary>
    public string Root { get; } = Path.GetFullPath(options.Value.Failed);

    /// <summary>
    /// Moves the blob <paramref name="blob"/> (when it still exists) out of the blob store into the folder with its report.
    /// Returns the path of the report. A report already written for this document (by an earlier, interrupted run) is reused.
    /// </summary>
    public Task<string> KeepAsync(string? blob, FailureReport report, CancellationToken cancellationToken) =>
        KeepAsync(blob, null, report, cancellationToken);

    /// <summary>
    /// As <see cref="KeepAsync(string?, FailureReport, CancellationToken)"/>; when <paramref name="blob"/> is not there
    /// (an upload keeps no copy of its own), a copy of the content-addressed <paramref name="content"/> is kept instead,
    /// which stays in the store for other documents with the same bytes.
    /// </summary>
    public async Task<string> KeepAsync(string? blob, string? content, FailureReport report, CancellationToken cancellationToken)
    {
        // The same event delivered twice at once must not write two reports.
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return await KeepLockedAsync(blob, content, report, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<string> KeepLockedAsync(string? blob, string? content, FailureReport report, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Root);
        var safeName = FileNames.Safe(report.FileName);
        if (Find(safeName, report.DocumentId) is { } earlier)
        {
            // An earlier run got as far as the report: finish what it started.
            var earlierTarget = earlier.EndsWith(PendingSuffix, StringComparison.Ordinal)
                ? earlier[..^PendingSuffix.Length]
                : earlier[..^ReportSuffix.Length];
            await MoveIfPresentAsync(blob, content, earlierTarget, cancellationToken);
            return Publish(earlier, earlierTarget);
        }
        var target = FileNames.Unique(Root, safeName);
        var pending = target + PendingSuffix;
        await using (var stream = new FileStream(pending, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            await JsonSerializer.SerializeAsync(stream, report, Json, cancellationToken);
            await stream.FlushAsync(cancellationToken);
            stream.Flush(flushToDisk: true);
        }
        await MoveIfPresentAsync(blob, content, target, cancellationToken);
        return Publish(pending, target);
    }

    /// <summary>
    /// The report already written for a document (a run that died after moving its file and before recording the
    /// failure leaves one), so the failure can be recorded with its real reason.
    /// </summary>
    public FailureReport? FindReport(string fileName, string documentId)
    {
        if (!Directory.Exists(Root) || Find(FileNames.Safe(fileName), documentId) is not { } path)
        {
            return null;
        }
        using var stream = File.OpenRead(path);
        return JsonSerializer.Deserialize<FailureReport>(stream, Json);
    }

    /// <summary>
    /// Takes the file kept for <paramref name="documentId"/> back out of the folder, with its report, for a re-drive:
    /// opens it for reading and deletes both names (the open stream still reads the bytes). Null when none is kept.
    /// </summary>
    public async Task<Stream?> TakeBackAsync(string fileName, string documentId, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (!Directory.Exists(Root) || Find(FileNames.Safe(fileName), documentId) is not { } report || !report.EndsWith(ReportSuffix, StringComparison.Ordinal))
            {
                return null;
            }
            var kept = report[..^ReportSuffix.Length];
            var info = new FileInfo(kept);
            if (!info.Exists || info.LinkTarget is not null)
            {
                return null;
            }
            var stream = new FileStream(kept, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
            File.Delete(kept);
            File.Delete(report);
            return stream;
        }
        finally
        {
            _gate.Release();
        }
    }

    private static string Publish(string report, string target)
    {
        var final = target + ReportSuffix;
        if (!string.Equals(report, final, StringComparison.Ordinal))
        {
            File.Move(report, final, overwrite: true);
        }
        return final;
    }

    private async Task MoveIfPresentAsync(string? blob, string? content, string target, CancellationToken cancellationToken)
    {
        if (blob is null && content is null)
        {
            return;
        }
        if (!File.Exists(target))
        {
            var own = blob is null ? null : await blobs.OpenReadAsync(blob, cancellationToken);
            await using var source = own ?? (content is null ? null : await blobs.OpenReadAsync(content, cancellationToken));
            if (source is null)
            {
                return;
            }
            // Copied under a temporary name and renamed, so a crash never leaves half a file under the real name.
            var partial = target + ".partial";
            await using (var copy = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                await source.CopyToAsync(copy, cancellationToken);
                copy.Flush(flushToDisk: true);
            }
            File.Move(partial, target, overwrite: false);
        }
        if (blob is not null)
        {
            await blobs.DeleteAsync(blob, cancellationToken);
        }
    }

    /// <summary>The report (final or pending) already written for <paramref name="documentId"/>, if any.</summary>
    private string? Find(string safeName, string documentId)
    {
        // Reports are named after the file (a.pdf.error.json, a (2).pdf.error.json): only those can be this document's.
        var stem = Path.GetFileNameWithoutExtension(safeName);
        foreach (var candidate in Directory.EnumerateFiles(Root, stem + "*.error.json*"))
        {
            if (!candidate.EndsWith(ReportSuffix, StringComparison.Ordinal) && !candidate.EndsWith(PendingSuffix, StringComparison.Ordinal))
            {
                continue;
            }
            try
            {
                using var stream = File.OpenRead(candidate);
                if (JsonSerializer.Deserialize<FailureReport>(stream, Json)?.DocumentId == documentId)
                {
                    return candidate;
                }
            }
            catch (JsonException) when (candidate.EndsWith(PendingSuffix, StringComparison.Ordinal))
            {
                // A report cut short by a crash: the file it describes was never moved (that happens only after the
                // report is complete), so it is dropped and written again.
                File.Delete(candidate);
            }
            catch (Exception ex) when (ex is JsonException or IOException)
            {
                // A report someone edited or truncated is not ours to reuse.
                logger.LogDebug(ex, "Skipping unreadable report {Report}", Path.GetFileName(candidate));
            }
        }
        return null;
    }
}
