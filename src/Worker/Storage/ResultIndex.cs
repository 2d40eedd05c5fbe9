using System.Text.Json;
using Annotate.Hosting.Blobs;
using Annotate.Messages;

namespace Annotate.Worker.Storage;

/// <summary>
/// The workers' records of finished work, kept in the blob store so every worker sees them:
/// <c>results/documents/&lt;id&gt;.json</c> holds the final event of a document (a command delivered again finds it and
/// does nothing), <c>results/content/&lt;sha256&gt;/&lt;profile&gt;-&lt;model&gt;.json</c> the event of the first document
/// with those bytes, profile settings and model (later ones reuse its outputs).
/// </summary>
public sealed class ResultIndex(IBlobStore blobs)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The outcome recorded for a document: its Completed or Failed event, or null when it has none.</summary>
    public async Task<Outcome?> FindOutcomeAsync(string documentId, CancellationToken cancellationToken) =>
        await ReadAsync<Outcome>(OutcomeKey(documentId), cancellationToken) is { } outcome && (outcome.Annotated ?? (object?)outcome.Failed) is not null
            ? outcome
            : null;

    /// <summary>Records that a document finished (after its event is published).</summary>
    public Task RememberOutcomeAsync(string documentId, Outcome outcome, CancellationToken cancellationToken) =>
        WriteAsync(OutcomeKey(documentId), outcome, cancellationToken);

    /// <summary>The earlier annotation of the same bytes with the same profile settings and model, if any.</summary>
    public Task<DocumentAnnotated?> FindAnnotatedAsync(string sha256, string? profileFingerprint, string? modelSha256, CancellationToken cancellationToken) =>
        ReadAsync<DocumentAnnotated>(ContentKey(sha256, profileFingerprint, modelSha256), cancellationToken);

    /// <summary>Records the annotation of these bytes, so the same content is not annotated again.</summary>
    public Task RememberAnnotatedAsync(string sha256, DocumentAnnotated annotated, CancellationToken cancellationToken) =>
        WriteAsync(ContentKey(sha256, annotated.ProfileFingerprint, annotated.ModelSha256), annotated, cancellationToken);

    private static string OutcomeKey(string documentId) => $"{BlobKeys.Results}/documents/{documentId}.json";

    private static string ContentKey(string sha256, string? profileFingerprint, string? modelSha256) =>
        $"{BlobKeys.Results}/content/{sha256}/{profileFingerprint ?? "no-profile"}-{modelSha256 ?? "no-model"}.json";

    private async Task<T?> ReadAsync<T>(string key, CancellationToken cancellationToken) where T : class
    {
        await using var stream = await blobs.OpenReadAsync(key, cancellationToken);
        if (stream is null)
        {
            return null;
        }
        try
        {
            return await JsonSerializer.DeserializeAsync<T>(stream, Json, cancellationToken);
        }
        catch (JsonException)
        {
            // A record cut short or edited by hand is as good as none: the work is done again.
            return null;
        }
    }

    private async Task WriteAsync<T>(string key, T value, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await JsonSerializer.SerializeAsync(buffer, value, Json, cancellationToken);
        buffer.Position = 0;
        await blobs.PutAsync(key, buffer, cancellationToken);
    }
}

/// <summary>How a document ended, as the worker published it: exactly one of the two events.</summary>
public sealed record Outcome(DocumentAnnotated? Annotated, DocumentAnnotationFailed? Failed);
