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

    /// <summary>Most reviewed examples kept per profile (a prompt shows at most this many).</summary>
    public const int MaxExamples = 10;

    // The start of a reviewed document's text kept as an example's input; prompts cut it further to fit.
    private const int MaxExampleCharacters = 2_000;
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
        await AddExampleAsync(record, prefix, review, cancellationToken);
        return review;
    }

    /// <summary>
    /// Puts the review first among the profile's reviewed examples (few-shot; <see cref="BlobKeys.ExamplesOf"/>), the
    /// newest <see cref="MaxExamples"/> kept, one per document. Kept whether or not the profile uses them yet, so turning
    /// <see cref="AnnotationProfile.FewShotExamples"/> on uses the reviews made before.
    /// </summary>
    private async Task AddExampleAsync(DocumentRecord record, string prefix, ReviewedAnnotations review, CancellationToken cancellationToken)
    {
        string input;
        await using (var content = await blobs.OpenReadAsync(prefix + "content.md", cancellationToken))
        {
            if (content is null)
            {
                return;
            }
            using var reader = new StreamReader(content);
            var buffer = new char[MaxExampleCharacters];
            input = new string(buffer, 0, await reader.ReadBlockAsync(buffer, cancellationToken)).Trim();
        }
        var metadata = new JsonObject(review.Metadata.Where(m => m.Value is not null).Select(m => KeyValuePair.Create(m.Name, m.Value?.DeepClone())));
        var key = BlobKeys.ExamplesOf(record.Profile);
        List<ExampleEntry> examples = [];
        await using (var stream = await blobs.OpenReadAsync(key, cancellationToken))
        {
            if (stream is not null)
            {
                try
                {
                    examples = await JsonSerializer.DeserializeAsync<List<ExampleEntry>>(stream, Json, cancellationToken) ?? [];
                }
                catch (JsonException)
                {
                    // An unreadable list is started again rather than blocking reviews.
                }
            }
        }
        examples.RemoveAll(e => e is null || e.DocumentId == record.Id);
        examples.Insert(0, new ExampleEntry(record.Id, review.ReviewedAt)
        {
            Input = input,
            Metadata = metadata.Count > 0 ? metadata : null,
            Values = review.Values?.DeepClone() as JsonObject,
        });
        await PutJsonAsync(key, examples.Take(MaxExamples).ToList(), cancellationToken);
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

    /// <summary>An example as stored: what the worker reads (<see cref="Annotators.Annotations.ReviewedExample"/>) and which review it came from.</summary>
    private sealed record ExampleEntry(string DocumentId, DateTimeOffset ReviewedAt)
    {
        public string Input { get; init; } = string.Empty;
        public JsonObject? Metadata { get; init; }
        public JsonObject? Values { get; init; }
    }
}

/// <summary>A review that cannot be saved, with the reason for the reviewer.</summary>
public sealed class ReviewException(string message) : Exception(message);
