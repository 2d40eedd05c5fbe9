using Annotate.Annotators.Pipeline;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.Profiles;

/// <summary>The profiles configured under <c>Annotate:Profiles</c>, plus the built-in default.</summary>
public sealed class ProfileCatalog(IOptions<ProfileOptions> options)
{
    /// <summary>Finds a profile by name (case-insensitive); the default when <paramref name="name"/> is empty.</summary>
    public AnnotationProfile Get(string? name)
    {
        name = string.IsNullOrWhiteSpace(name) ? AnnotationProfile.DefaultName : name.Trim();
        foreach (var (key, profile) in options.Value.Profiles)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                profile.Name = key;
                return profile;
            }
        }
        if (string.Equals(name, AnnotationProfile.DefaultName, StringComparison.OrdinalIgnoreCase))
        {
            return new AnnotationProfile();
        }
        throw new AnnotationException(FailureReason.InvalidRequest,
            $"Unknown profile '{name}'; configured profiles: {string.Join(", ", Names)}.");
    }

    /// <summary>Names of all profiles.</summary>
    public IReadOnlyList<string> Names =>
        options.Value.Profiles.Keys.Append(AnnotationProfile.DefaultName).Distinct(StringComparer.OrdinalIgnoreCase).Order().ToList();
}

/// <summary>Profile configuration (section <c>Annotate</c>, key <c>Profiles</c>).</summary>
public sealed class ProfileOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Annotate";

    /// <summary>Profiles by name.</summary>
    public Dictionary<string, AnnotationProfile> Profiles { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}
