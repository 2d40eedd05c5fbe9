using System.Text.Json;
using System.Text.Json.Nodes;
using Annotate.Annotators.Profiles;
using Annotate.Gateway.Storage;
using Annotate.Hosting.Blobs;

namespace Annotate.Gateway.Review;

/// <summary>
/// Reviews through the blob store: <c>outputs/&lt;id&gt;/annotations.reviewed.json</c> beside the outputs (a new review
/// replaces the last, and the originals always come from the model's <c>annotations.json</c>), and an index entry
/// <c>results/reviews/p-&lt;profile&gt;/&lt;id&gt;.json</c> per profile, which the data-set export lists without opening.
/// </summary>
public sealed class ReviewStore(IBlobStore blobs, ProfileCatalog profiles, TimeProvider time)
{
    /// <summary>Name of the reviewed annotations among a document's outputs.</summary>
    public const string FileName = "annotations.reviewed.json";

    /// <summary>Most row fields one review sets: as many rows as the row annotator annotates by default.</summary>
    public const int MaxRowCorrections = 10_000;

    // Excel's limit for the text of one cell; the reviewed workbook holds every value.
    private const int MaxRowValueCharacters = 32_767;

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
        var annotations = await ReadAnnotationsAsync(record, cancellationToken)
            ?? throw new ReviewException($"The annotations of '{record.FileName}' are no longer in the outbox.");
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
        var rows = ReviewRows(record, RowAnnotationsIndex.Of(annotations), request.Rows ?? []);
        var review = new ReviewedAnnotations(record.Id, record.FileName, record.Profile, reviewer, time.GetUtcNow(), fields, metadata, values, rows);
        await PutJsonAsync(prefix + FileName, review, cancellationToken);
        await PutJsonAsync(IndexKey(record.Profile, record.Id), new ReviewIndexEntry(record.Id, record.Profile), cancellationToken);
        return review;
    }

    /// <summary>The model's <c>annotations.json</c> of <paramref name="record"/>, or null when it is not in the outbox.</summary>
    public async Task<JsonNode?> ReadAnnotationsAsync(DocumentRecord record, CancellationToken cancellationToken)
    {
        if (OutputPrefix(record) is not { } prefix)
        {
            return null;
        }
        await using var stream = await blobs.OpenReadAsync(prefix + "annotations.json", cancellationToken);
        return stream is null ? null : await JsonNode.ParseAsync(stream, cancellationToken: cancellationToken);
    }

    /// <summary>The ids of reviewed documents annotated with <paramref name="profile"/> (null: the default profile), from the keys alone.</summary>
    public async IAsyncEnumerable<string> ReviewedAsync(string? profile, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var folder = IndexKey(profile, string.Empty);
        await foreach (var item in blobs.ListAsync(folder, cancellationToken))
        {
            var name = item.Key[folder.Length..];
            if (!name.Contains('/', StringComparison.Ordinal) && name.EndsWith(".json", StringComparison.Ordinal))
            {
                yield return name[..^".json".Length];
            }
        }
    }

    // One folder per profile, so a profile's reviews are listed without opening any entry. Profile names are case-insensitive.
    private static string IndexKey(string? profile, string id) =>
        IndexPrefix + "p-" + Uri.EscapeDataString((profile ?? "default").Trim().ToLowerInvariant()) + "/" + (id.Length == 0 ? string.Empty : id + ".json");

    private List<ReviewedRowValue>? ReviewRows(DocumentRecord record, RowAnnotationsIndex? index, List<RowCorrection> corrections)
    {
        if (corrections.Count == 0)
        {
            return null;
        }
        if (corrections.Count > MaxRowCorrections)
        {
            throw new ReviewException($"A review of '{record.FileName}' sets at most {MaxRowCorrections:N0} row fields; this one sets {corrections.Count:N0}.");
        }
        if (index is null || index.Tables.Count == 0)
        {
            throw new ReviewException($"'{record.FileName}' has no row annotations to correct.");
        }
        var profile = profiles.Contains(record.Profile) ? profiles.Get(record.Profile) : null;
        var seen = new HashSet<(int, long, string)>();
        var reviewed = new List<ReviewedRowValue>(corrections.Count);
        foreach (var correction in corrections)
        {
            var field = correction?.Field;
            if (correction is null || field is null || !index.Fields.Contains(field, StringComparer.Ordinal))
            {
                throw new ReviewException($"'{record.FileName}' has no row field '{Shorten(field ?? "")}': its row fields are {string.Join(", ", index.Fields)}.");
            }
            if (!index.Tables.TryGetValue(correction.Block, out var table))
            {
                throw new ReviewException($"'{record.FileName}' has no annotated table at block {correction.Block}.");
            }
            if (!table.Rows.TryGetValue(correction.Row, out var row))
            {
                throw new ReviewException($"Row {correction.Row} of table '{Shorten(table.Table ?? table.Sheet ?? "data")}' of '{record.FileName}' has no row annotations.");
            }
            var value = correction.Value;
            if (value is { Length: > MaxRowValueCharacters })
            {
                throw new ReviewException($"The value of row field '{field}' of row {correction.Row} is {value.Length:N0} characters; a cell holds at most {MaxRowValueCharacters:N0}.");
            }
            if (profile?.RowFields.FirstOrDefault(f => string.Equals(f.Name, field, StringComparison.Ordinal)) is { } definition
                && string.Equals(definition.Kind, "label", StringComparison.OrdinalIgnoreCase) && value is not null
                && !definition.Labels.Contains(value, StringComparer.Ordinal))
            {
                throw new ReviewException($"'{Shorten(value)}' is not a label of row field '{field}': use {string.Join(", ", definition.Labels)}.");
            }
            if (!seen.Add((correction.Block, correction.Row, field)))
            {
                throw new ReviewException($"Row field '{field}' of row {correction.Row} is set twice.");
            }
            var original = row.Values.GetValueOrDefault(field);
            reviewed.Add(new ReviewedRowValue(correction.Block, table.Sheet, table.Table, correction.Row, field, value, original, !string.Equals(original, value, StringComparison.Ordinal)));
        }
        return reviewed;
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
