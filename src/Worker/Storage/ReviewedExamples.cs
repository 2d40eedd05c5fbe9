using System.Text.Json;
using Annotate.Annotators.Annotations;
using Annotate.Hosting.Blobs;

namespace Annotate.Worker.Storage;

/// <summary>
/// Reads a profile's reviewed examples (few-shot) named by <see cref="Messages.AnnotateDocument.ExamplesKey"/> from the
/// blob store the gateway writes them to. Examples only ever help: a key outside the examples' folder, a missing,
/// oversized or unreadable blob means none, never a failed document.
/// </summary>
public sealed class ReviewedExamples(IBlobStore blobs, ILogger<ReviewedExamples> logger)
{
    /// <summary>The largest examples blob read; the gateway keeps a few examples of a few thousand characters each.</summary>
    public const int MaxBytes = 1024 * 1024;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The examples at <paramref name="key"/>, newest first; null when there are none to use.</summary>
    public async Task<IReadOnlyList<ReviewedExample>?> ReadAsync(string? key, CancellationToken cancellationToken)
    {
        if (key is null)
        {
            return null;
        }
        // Only the examples' folder: a command must not make a worker show the model another blob (another tenant's outputs).
        if (!key.StartsWith(BlobKeys.ExamplesPrefix, StringComparison.Ordinal) || !BlobKeys.IsValid(key))
        {
            logger.LogWarning("Ignored the examples key {Key}: it is not in {Prefix}", key, BlobKeys.ExamplesPrefix);
            return null;
        }
        try
        {
            await using var stream = await blobs.OpenReadAsync(key, cancellationToken);
            if (stream is null)
            {
                return null;
            }
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > MaxBytes)
                {
                    logger.LogWarning("Ignored the examples at {Key}: over {Max} bytes", key, MaxBytes);
                    return null;
                }
                buffer.Write(chunk, 0, read);
            }
            buffer.Position = 0;
            var examples = await JsonSerializer.DeserializeAsync<List<ReviewedExample?>>(buffer, Json, cancellationToken);
            return examples?.OfType<ReviewedExample>().Where(e => !string.IsNullOrWhiteSpace(e.Input)).ToList();
        }
        catch (JsonException ex)
        {
            logger.LogWarning(ex, "Ignored the examples at {Key}: not a JSON array of examples", key);
            return null;
        }
    }
}
