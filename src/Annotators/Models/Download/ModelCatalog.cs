using System.Text.Json;
using System.Text.Json.Serialization;

namespace Annotate.Annotators.Models.Download;

/// <summary>
/// The models <c>models pull</c> knows by name. <see cref="BuiltIn"/> reads the catalogue embedded in the assembly
/// (<c>Models/Download/catalog.json</c>); tests and hosts may build their own from entries.
/// </summary>
public sealed class ModelCatalog
{
    /// <summary>Manifest name of the embedded catalogue.</summary>
    internal const string ResourceName = "Annotate.Annotators.Models.Download.catalog.json";

    private static readonly Lazy<ModelCatalog> BuiltInCatalog = new(LoadBuiltIn);

    private readonly Dictionary<string, ModelCatalogEntry> _byName;

    /// <summary>Creates a catalogue from <paramref name="entries"/>; names must be unique (ignoring case).</summary>
    public ModelCatalog(IEnumerable<ModelCatalogEntry> entries)
    {
        Entries = [.. entries];
        _byName = new Dictionary<string, ModelCatalogEntry>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in Entries)
        {
            Validate(entry);
            if (!_byName.TryAdd(entry.Name, entry))
            {
                throw new ArgumentException($"The model catalogue names '{entry.Name}' twice.", nameof(entries));
            }
        }
    }

    /// <summary>The catalogue shipped with Annotate.</summary>
    public static ModelCatalog BuiltIn => BuiltInCatalog.Value;

    /// <summary>Every entry, in catalogue order.</summary>
    public IReadOnlyList<ModelCatalogEntry> Entries { get; }

    /// <summary>The entry called <paramref name="name"/> (case-insensitive), or null.</summary>
    public ModelCatalogEntry? Find(string name) => _byName.GetValueOrDefault(name.Trim());

    /// <summary>
    /// A catalogue entry by name, or an ad-hoc entry (no known hash or size) for an http(s) URL. Fails with the list of
    /// catalogue names when <paramref name="nameOrUrl"/> is neither.
    /// </summary>
    public ModelCatalogEntry Resolve(string nameOrUrl)
    {
        if (string.IsNullOrWhiteSpace(nameOrUrl))
        {
            throw new ModelDownloadException("No model given. " + NamesHint());
        }
        if (Find(nameOrUrl) is { } entry)
        {
            return entry;
        }
        if (Uri.TryCreate(nameOrUrl.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp))
        {
            var url = uri.AbsoluteUri;
            return new ModelCatalogEntry { Name = ModelCatalogEntry.FileNameFromUrl(url), Url = url };
        }
        throw new ModelDownloadException($"Unknown model '{nameOrUrl}'. " + NamesHint());
    }

    private string NamesHint() =>
        Entries.Count == 0
            ? "The catalogue is empty; pass the http(s) URL of a GGUF file."
            : $"Catalogue names: {string.Join(", ", Entries.Select(e => e.Name))}. Or pass the http(s) URL of a GGUF file.";

    private static void Validate(ModelCatalogEntry entry)
    {
        if (string.IsNullOrWhiteSpace(entry.Name))
        {
            throw new ArgumentException("A model catalogue entry has no name.");
        }
        if (!Uri.TryCreate(entry.Url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException($"Model '{entry.Name}': '{entry.Url}' is not an http(s) URL.");
        }
        if (entry.Sha256 is { } hash && (hash.Length != 64 || !hash.All(char.IsAsciiHexDigitLower)))
        {
            throw new ArgumentException($"Model '{entry.Name}': sha256 must be 64 lowercase hex digits or null.");
        }
        if (entry.SizeBytes is <= 0)
        {
            throw new ArgumentException($"Model '{entry.Name}': sizeBytes must be positive or null.");
        }
        _ = entry.FileName;
    }

    private static ModelCatalog LoadBuiltIn()
    {
        using var stream = typeof(ModelCatalog).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Embedded resource {ResourceName} is missing from the build.");
        var file = JsonSerializer.Deserialize<CatalogFile>(stream, JsonOptions)
            ?? throw new InvalidOperationException($"Embedded resource {ResourceName} is empty.");
        return new ModelCatalog(file.Models);
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    private sealed record CatalogFile(IReadOnlyList<ModelCatalogEntry> Models);
}
