using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Annotate.Annotators.Semantic;
using Annotate.Hosting.Blobs;

namespace Annotate.Worker.Storage;

/// <summary>
/// The document vector index in the blob store every worker shares: one small blob per document,
/// <c>results/vectors/&lt;profile&gt;/&lt;day&gt;/&lt;hour&gt;/&lt;time&gt;-&lt;document id&gt;.json</c> (UTC). Workers only
/// ever add blobs, never rewrite one, so two workers recording at once cannot lose each other's entries; the time in the
/// key orders them without reading them, and entries already read are kept in memory (they never change). An hour's
/// folder is listed at each document while workers may still write to it and once after (<see cref="Settled"/>), so a
/// document's check costs the entries of the last hour, not the store's history. Entries of the earlier flat layout
/// (<c>results/vectors/&lt;profile&gt;/&lt;time&gt;-&lt;id&gt;.json</c>) are compared with after all the hours. Two
/// near-duplicates that arrive within the same moment may each be written after the other looked: neither is then marked.
/// </summary>
public sealed class BlobDocumentVectorIndex(IBlobStore blobs) : IDocumentVectorIndex
{
    /// <summary>Most earlier entries compared with, the most recent first.</summary>
    public const int MaxCompared = 20_000;

    /// <summary>
    /// How long after an hour's end its folder is still listed at each document: entries are keyed by the writing worker's
    /// clock, so one whose clock is behind by less than this still writes into an hour the others have not closed.
    /// </summary>
    public static readonly TimeSpan Settled = TimeSpan.FromMinutes(10);

    private const string Prefix = BlobKeys.Results + "/vectors/";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly ConcurrentDictionary<string, IndexedDocument> _read = new(StringComparer.Ordinal);
    // What folders no worker writes to any more hold, by folder, in order, listed once: the keys of settled hours' entries
    // (and the flat layout's), the hours of settled days.
    private readonly ConcurrentDictionary<string, string[]> _settledKeys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string[]> _settledHours = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public async Task<IReadOnlyList<IndexedDocument>> AddAndReadEarlierAsync(string profile, IndexedDocument document, CancellationToken cancellationToken)
    {
        var folder = Prefix + ProfileSegment(profile) + "/";
        var added = document.Added.ToUniversalTime();
        var own = folder + HourFolder(added) + added.UtcTicks.ToString("D19", CultureInfo.InvariantCulture) + "-" + DocumentSegment(document.DocumentId) + ".json";
        var entry = new Entry(document.DocumentId, document.Sha256, document.Added, Convert.ToBase64String(MemoryMarshal.AsBytes(document.Vector.AsSpan())));
        using (var content = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(entry, Json)))
        {
            await blobs.PutAsync(own, content, cancellationToken).ConfigureAwait(false);
        }
        _read[own] = document;

        // The most recent first: days, their hours, then the flat layout's entries (whose keys sort before every day's).
        var earlier = new List<IndexedDocument>();
        var days = await ListedAsync(null, folder, blobs.ListFoldersAsync(folder, cancellationToken)).ConfigureAwait(false);
        foreach (var day in days.OrderDescending(StringComparer.Ordinal))
        {
            if (!DateTimeOffset.TryParseExact(day, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var dayStart))
            {
                continue;
            }
            var dayFolder = folder + day + "/";
            var hours = await ListedAsync(dayStart.AddDays(1) + Settled <= added ? _settledHours : null, dayFolder,
                blobs.ListFoldersAsync(dayFolder, cancellationToken)).ConfigureAwait(false);
            foreach (var hour in hours.Where(IsHour).OrderDescending(StringComparer.Ordinal))
            {
                var hourFolder = dayFolder + hour + "/";
                var hourEnd = dayStart.AddHours(int.Parse(hour, CultureInfo.InvariantCulture) + 1);
                var keys = await ListedAsync(hourEnd + Settled <= added ? _settledKeys : null, hourFolder,
                    Entries(hourFolder, flat: false, cancellationToken)).ConfigureAwait(false);
                if (!await CollectAsync(keys, own, document.DocumentId, earlier, cancellationToken).ConfigureAwait(false))
                {
                    Forget(keys[0]);
                    return earlier;
                }
            }
        }
        // Written before the hours' folders: never written again, so listed once.
        var flat = await ListedAsync(_settledKeys, folder, Entries(folder, flat: true, cancellationToken)).ConfigureAwait(false);
        await CollectAsync(flat, own, document.DocumentId, earlier, cancellationToken).ConfigureAwait(false);
        return earlier;
    }

    /// <summary>
    /// Adds the entries of <paramref name="keys"/> (in order) that came before <paramref name="own"/>, the most recent
    /// first, up to <see cref="MaxCompared"/>; false once that many are collected.
    /// </summary>
    private async Task<bool> CollectAsync(string[] keys, string own, string documentId, List<IndexedDocument> earlier, CancellationToken cancellationToken)
    {
        for (var i = keys.Length - 1; i >= 0; i--)
        {
            if (earlier.Count >= MaxCompared)
            {
                return false;
            }
            if (string.CompareOrdinal(keys[i], own) < 0 && await ReadAsync(keys[i], cancellationToken).ConfigureAwait(false) is { } found && found.DocumentId != documentId)
            {
                earlier.Add(found);
            }
        }
        return earlier.Count < MaxCompared;
    }

    /// <summary>Entries older than the window compared with are never read again: the caches hold the window, not the history.</summary>
    private void Forget(string oldest)
    {
        if (_read.Count <= MaxCompared)
        {
            return;
        }
        foreach (var key in _read.Keys)
        {
            if (string.CompareOrdinal(key, oldest) < 0)
            {
                _read.TryRemove(key, out _);
            }
        }
        foreach (var (folder, keys) in _settledKeys)
        {
            if (keys.Length > 0 && string.CompareOrdinal(keys[^1], oldest) < 0)
            {
                _settledKeys.TryRemove(folder, out _);
            }
        }
    }

    /// <summary>
    /// What <paramref name="listing"/> gives for <paramref name="prefix"/>, in order; with a <paramref name="settled"/>
    /// cache (a folder no worker writes to any more), what it holds, else listed and kept there.
    /// </summary>
    private static async Task<string[]> ListedAsync(ConcurrentDictionary<string, string[]>? settled, string prefix, IAsyncEnumerable<string> listing)
    {
        if (settled is not null && settled.TryGetValue(prefix, out var known))
        {
            return known;
        }
        var names = new List<string>();
        await foreach (var name in listing.ConfigureAwait(false))
        {
            names.Add(name);
        }
        var result = names.Order(StringComparer.Ordinal).ToArray();
        if (settled is not null)
        {
            settled[prefix] = result;
        }
        return result;
    }

    /// <summary>The keys of the entries under <paramref name="prefix"/> (<paramref name="flat"/>: only those right in it).</summary>
    private async IAsyncEnumerable<string> Entries(string prefix, bool flat, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var item in blobs.ListAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            if (item.Key.EndsWith(".json", StringComparison.Ordinal) && (!flat || item.Key.IndexOf('/', prefix.Length) < 0))
            {
                yield return item.Key;
            }
        }
    }

    /// <summary>The folder of an entry added at <paramref name="added"/> (UTC): <c>yyyy-MM-dd/HH/</c>.</summary>
    private static string HourFolder(DateTimeOffset added) => added.ToString("yyyy-MM-dd'/'HH'/'", CultureInfo.InvariantCulture);

    private static bool IsHour(string name) =>
        name.Length == 2 && char.IsAsciiDigit(name[0]) && char.IsAsciiDigit(name[1]) && string.CompareOrdinal(name, "24") < 0;

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
