using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Annotate.Annotators.Semantic;
using Annotate.Hosting.Blobs;

namespace Annotate.Worker.Storage;

/// <summary>
/// The document vector index in the blob store every worker shares: one small blob per document,
/// <c>results/vectors/&lt;profile&gt;/&lt;time&gt;-&lt;document id&gt;.json</c>. Workers only ever add blobs, never
/// rewrite one, so two workers recording at once cannot lose each other's entries; the time in the key orders them
/// without reading them, and entries already read are kept in memory (they never change). Two near-duplicates that
/// arrive within the same moment may each be written after the other looked: neither is then marked.
/// </summary>
public sealed class BlobDocumentVectorIndex(IBlobStore blobs) : IDocumentVectorIndex
{
    /// <summary>Most earlier entries compared with, the most recent first.</summary>
    public const int MaxCompared = 20_000;

    private const string Prefix = BlobKeys.Results + "/vectors/";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly ConcurrentDictionary<string, IndexedDocument> _read = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public async Task<IReadOnlyList<IndexedDocument>> AddAndReadEarlierAsync(string profile, IndexedDocument document, CancellationToken cancellationToken)
    {
        var folder = Prefix + ProfileSegment(profile) + "/";
        var own = folder + document.Added.UtcTicks.ToString("D19", CultureInfo.InvariantCulture) + "-" + DocumentSegment(document.DocumentId) + ".json";
        var entry = new Entry(document.DocumentId, document.Sha256, document.Added, Convert.ToBase64String(MemoryMarshal.AsBytes(document.Vector.AsSpan())));
        using (var content = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(entry, Json)))
        {
            await blobs.PutAsync(own, content, cancellationToken).ConfigureAwait(false);
        }
        _read[own] = document;

        var keys = new List<string>();
        await foreach (var item in blobs.ListAsync(folder, cancellationToken).ConfigureAwait(false))
        {
            if (string.CompareOrdinal(item.Key, own) < 0)
            {
                keys.Add(item.Key);
            }
        }
        keys.Sort(StringComparer.Ordinal);
        var earlier = new List<IndexedDocument>();
        for (var i = keys.Count - 1; i >= 0 && earlier.Count < MaxCompared; i--)
        {
            if (await ReadAsync(keys[i], cancellationToken).ConfigureAwait(false) is { } found && found.DocumentId != document.DocumentId)
            {
                earlier.Add(found);
            }
        }
        // Entries older than the window compared with are never read again: the cache holds the window, not the history.
        if (keys.Count > MaxCompared && _read.Count > MaxCompared)
        {
            var oldest = keys[keys.Count - MaxCompared];
            foreach (var key in _read.Keys)
            {
                if (key.StartsWith(folder, StringComparison.Ordinal) && string.CompareOrdinal(key, oldest) < 0)
                {
                    _read.TryRemove(key, out _);
                }
            }
        }
        return earlier;
    }

    private async Task<IndexedDocument?> ReadAsync(string key, CancellationToken cancellationToken)
    {
        if (_read.TryGetValue(key, out var cached))
        {
            return cached;
        }
        await using var stream = await blobs.OpenReadAsync(key, cancellationToken).ConfigureAwait(false);
        if (stream is null)
        {
            return null;
        }
        try
        {
            var entry = await JsonSerializer.DeserializeAsync<Entry>(stream, Json, cancellationToken).ConfigureAwait(false);
            if (entry is null)
            {
                return null;
            }
            var document = new IndexedDocument(entry.DocumentId, entry.Sha256, MemoryMarshal.Cast<byte, float>(Convert.FromBase64String(entry.Vector)).ToArray(), entry.Added);
            return _read[key] = document;
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            // A damaged entry (a write cut short) only means one document is not compared with.
            return null;
        }
    }

    // Profile names are configuration keys and document ids come from other systems: a key segment gets a readable
    // form when it is one, else a hash.
    private static string ProfileSegment(string profile) => Segment(profile.ToLowerInvariant());

    private static string DocumentSegment(string documentId) => Segment(documentId);

    private static string Segment(string value) =>
        value.Length is > 0 and <= 100 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') && value.Trim('.').Length > 0
            ? value
            : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)))[..32];

    private sealed record Entry(string DocumentId, string? Sha256, DateTimeOffset Added, string Vector);
}
