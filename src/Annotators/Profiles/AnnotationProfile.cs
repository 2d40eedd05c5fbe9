namespace Annotate.Annotators.Profiles;

/// <summary>
/// A named set of choices for annotating a kind of document: which annotators run and, for the model
/// annotators, the taxonomy, schemas and targets. Configured under <c>Annotate:Profiles:{name}</c>.
/// </summary>
public sealed class AnnotationProfile
{
    /// <summary>Name of the default profile.</summary>
    public const string DefaultName = "default";

    /// <summary>Profile name (the configuration key).</summary>
    public string Name { get; set; } = DefaultName;

    /// <summary>Human description shown in the README and dashboard.</summary>
    public string? Description { get; set; }

    /// <summary>Annotators to run, by name; all registered annotators when empty.</summary>
    public List<string> Annotators { get; set; } = [];

    /// <summary>Whether the named annotator runs under this profile.</summary>
    public bool Runs(string annotator) =>
        Annotators.Count == 0 || Annotators.Contains(annotator, StringComparer.OrdinalIgnoreCase);
}
