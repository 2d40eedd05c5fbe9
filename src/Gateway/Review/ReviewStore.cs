using System.Text.Json;
using System.Text.Json.Nodes;
using Annotate.Gateway.Storage;
using Annotate.Hosting.Blobs;

namespace Annotate.Gateway.Review;

/// <summary>
/// Reviews through the blob store: <c>outputs/&lt;id&gt;/annotations.reviewed.json</c> beside the outputs (a new review
/// replaces the last, and the originals always come from the model's <c>annotations.json</c>), and an index entry
/// <c>results/reviews/&lt;id&gt;.json</c> naming the profile, which the data-set export reads.
/// </summary>
public sealed class ReviewStore(IBlobStore blobs, TimeProvider time)
{
    /// <summary>Name of the reviewed annotations among a document's outputs.</summary>
    public const string FileName = "annotations.reviewed.json";

    private const string IndexPrefix = BlobKeys.Results + "/reviews/";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };
    private static readonly string[] MetadataKeys = ["title", "documentType", "summary", "keywords"];

    /// <summary>The latest review of <paramref name="record"/>, or null when it has none.</summary>
    public async Task<ReviewedAnnotations?> FindAsync(DocumentRecord record, CancellationToken cancellationToken)
    {
        if (OutputPrefix(record) is not { } prefix)
        {
            return null;
        }
        await using var stream = await blobs.OpenReadAsync(prefix + FileName, cancellationToken);
        return stream is null ? null : await JsonSerializer.DeserializeAsync<ReviewedAnnotations>(stream, Json, cancellationToken);
    }

    /// <summary>
    /// Reviews <paramref name="record"/>: the corrections in <paramref name="request"/> over the model's annotations.
    /// Throws <see cref="ReviewException"/> for a name the annotations do not have.
    /// </summary>
    public async Task<ReviewedAnnotations> SaveAsync(DocumentRecord record, ReviewRequest request, CancellationToken cancellationToken)
    {
        var reviewer = request.Reviewer?.Trim();
        if (string.IsNullOrEmpty(reviewer) || reviewer.Length > 100 || reviewer.Any(char.IsControl))
        {
            throw new ReviewException("Say who reviews: 'reviewer' is 1–100 characters.");
        }
        var prefix = OutputPrefix(record) ?? throw new ReviewException($"'{record.FileName}' has no outputs to review.");
        JsonNode? annotations;
        await using (var stream = await blobs.OpenReadAsync(prefix + "annotations.json", cancellationToken)
            ?? throw new ReviewException($"The annotations of '{record.FileName}' are no longer in the outbox."))
        {
            annotations = await JsonNode.ParseAsync(stream, cancellationToken: cancellationToken);
        }
        var corrections = request.Fields ?? [];
        var fields = new List<ReviewedValue>();
        var values = annotations?["extraction"]?["values"]?.DeepClone() as JsonObject;
        foreach (var field in annotations?["extraction"]?["fields"]?.AsArray() ?? [])
        {
            var path = (string?)field?["path"];
            if (path is null)
            {
                continue;
            }
            var original = field!["value"]?.DeepClone();
            if (corrections.Remove(path, out var corrected))
            {
                fields.Add(new ReviewedValue(path, corrected?.DeepClone(), original, !JsonNode.DeepEquals(original, corrected)));
                if (values is not null)
                {
                    JsonPaths.Set(values, path, corrected?.DeepClone());
                }
            }
            else
            {
                fields.Add(new ReviewedValue(path, original?.DeepClone(), original, Changed: false));
            }
        }
        if (corrections.Count > 0)
        {
            throw new ReviewException($"'{record.FileName}' has no extracted field {string.Join(", ", corrections.Keys.Take(5).Select(k => $"'{Shorten(k)}'"))}.");
        }
        var metadataCorrections = request.Metadata ?? [];
        if (metadataCorrections.Keys.FirstOrDefault(k => !MetadataKeys.Contains(k, StringComparer.Ordinal)) is { } unknown)
        {
            throw new ReviewException($"'{Shorten(unknown)}' is not metadata a review can correct: use {string.Join(", ", MetadataKeys)}.");
        }
        var metadata = new List<ReviewedValue>();
        foreach (var key in MetadataKeys)
        {
            var original = annotations?["metadata"]?[key]?.DeepClone();
            if (metadataCorrections.TryGetValue(key, out var corrected))
            {
                metadata.Add(new ReviewedValue(key, corrected?.DeepClone(), original, !JsonNode.DeepEquals(original, corrected)));
            }
            else if (original is not null)
            {
                metadata.Add(new ReviewedValue(key, original.DeepClone(), original, Changed: false));
            }
        }
        var review = new ReviewedAnnotations(record.Id, record.FileName, record.Profile, reviewer, time.GetUtcNow(), fields, metadata, values);
        await PutJsonAsync(prefix + FileName, review, cancellationToken);
        await PutJsonAsync(IndexPrefix + record.Id + ".json", new ReviewIndexEntry(record.Id, record.Profile), cancellationToken);
        return review;
    }

    /// <summary>The ids of reviewed documents annotated with <paramref name="profile"/> (null: the default profile).</summary>
    public async IAsyncEnumerable<string> ReviewedAsync(string? profile, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var item in blobs.ListAsync(IndexPrefix, cancellationToken))
        {
            await using var stream = await blobs.OpenReadAsync(item.Key, cancellationToken);
            if (stream is null)
            {
                continue;
            }
            var entry = await JsonSerializer.DeserializeAsync<ReviewIndexEntry>(stream, Json, cancellationToken);
            if (entry is not null && string.Equals(entry.Profile ?? "default", profile ?? "default", StringComparison.OrdinalIgnoreCase))
            {
                yield return entry.DocumentId;
            }
        }
    }

    private async Task PutJsonAsync<T>(string key, T value, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await JsonSerializer.SerializeAsync(buffer, value, Json, cancellationToken);
        buffer.Position = 0;
        await blobs.PutAsync(key, buffer, cancellationToken);
    }

    private static string? OutputPrefix(DocumentRecord record) =>
        record.State == DocumentState.Completed && BlobReference.KeyOf(record.OutputUri) is { } prefix && prefix.EndsWith('/') ? prefix : null;

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "…";

    private sealed record ReviewIndexEntry(string DocumentId, string? Profile);
}

/// <summary>A review that cannot be saved, with the reason for the reviewer.</summary>
public sealed class ReviewException(string message) : Exception(message);
