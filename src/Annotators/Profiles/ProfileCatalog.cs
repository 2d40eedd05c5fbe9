using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Annotate.Annotators.Pipeline;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.Profiles;

/// <summary>
/// The profiles Annotate knows: the built-in ones (<c>Profiles/BuiltIn/profiles.json</c>) and those configured under
/// <c>Annotate:Profiles</c>, which add to or replace them by name.
/// </summary>
public sealed class ProfileCatalog
{
    private const string ResourcePrefix = "Annotate.Annotators.Profiles.BuiltIn.";
    private readonly Dictionary<string, AnnotationProfile> _profiles = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Builds the catalogue from the built-in profiles and the configured ones.</summary>
    public ProfileCatalog(IOptions<ProfileOptions> options)
    {
        foreach (var (name, profile) in BuiltIn())
        {
            _profiles[name] = profile;
        }
        foreach (var (name, profile) in options.Value.Profiles)
        {
            profile.Name = name;
            _profiles[name] = profile;
        }
        if (!_profiles.ContainsKey(AnnotationProfile.DefaultName))
        {
            _profiles[AnnotationProfile.DefaultName] = new AnnotationProfile();
        }
    }

    /// <summary>Names of all profiles, sorted.</summary>
    public IReadOnlyList<string> Names => _profiles.Keys.Order(StringComparer.OrdinalIgnoreCase).ToList();

    /// <summary>Finds a profile by name (case-insensitive); the default when <paramref name="name"/> is empty.</summary>
    public AnnotationProfile Get(string? name)
    {
        name = string.IsNullOrWhiteSpace(name) ? AnnotationProfile.DefaultName : name.Trim();
        return _profiles.TryGetValue(name, out var profile)
            ? profile
            : throw new AnnotationException(FailureReason.InvalidRequest,
                $"Unknown profile '{name}'; configured profiles: {string.Join(", ", Names)}.");
    }

    /// <summary>True when a profile of that name exists.</summary>
    public bool Contains(string? name) => name is not null && _profiles.ContainsKey(name.Trim());

    /// <summary>
    /// The profile an inbox sub-folder stands for: its own name, or its name without a plural 's'
    /// (<c>invoices/</c> → <c>invoice</c>); null when none matches.
    /// </summary>
    public string? ForFolder(string folder)
    {
        if (Contains(folder))
        {
            return _profiles[folder].Name;
        }
        var singular = folder.EndsWith('s') ? folder[..^1] : folder;
        return Contains(singular) ? _profiles[singular].Name : null;
    }

    /// <summary>
    /// Loads a JSON Schema a profile refers to: inline JSON, <c>builtin:&lt;file&gt;</c> or a file path.
    /// Throws <c>invalid-request</c> when it cannot be read.
    /// </summary>
    public static JsonNode LoadSchema(string reference)
    {
        try
        {
            var text = reference.TrimStart();
            if (text.StartsWith('{'))
            {
                return JsonNode.Parse(text)!;
            }
            if (text.StartsWith("builtin:", StringComparison.OrdinalIgnoreCase))
            {
                using var stream = typeof(ProfileCatalog).Assembly.GetManifestResourceStream(ResourcePrefix + text["builtin:".Length..])
                    ?? throw new FileNotFoundException($"No built-in schema '{text}'.");
                return JsonNode.Parse(stream)!;
            }
            return JsonNode.Parse(File.ReadAllText(text))!;
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
        {
            throw new AnnotationException(FailureReason.InvalidRequest, $"The profile's schema '{reference}' cannot be read: {ex.Message}", inner: ex);
        }
    }

    private static Dictionary<string, AnnotationProfile> BuiltIn()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(ResourcePrefix + "profiles.json")!;
        var profiles = JsonSerializer.Deserialize<Dictionary<string, AnnotationProfile>>(stream) ?? [];
        foreach (var (name, profile) in profiles)
        {
            profile.Name = name;
        }
        return profiles;
    }
}

/// <summary>Profile configuration (section <c>Annotate</c>, key <c>Profiles</c>).</summary>
public sealed class ProfileOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Annotate";

    /// <summary>Profiles by name.</summary>
    public Dictionary<string, AnnotationProfile> Profiles { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}
