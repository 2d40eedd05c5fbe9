namespace Annotate.Annotators.KeyValues;

/// <summary>The key a label stands for, how it was matched and how closely.</summary>
public sealed record KeyMatch(string Key, string Method, double Score);

/// <summary>
/// Maps labels to the keys of <see cref="KeyVocabulary"/>: a label that is one of a key's names (in canonical form)
/// takes it outright; others are left raw.
/// </summary>
public class KeyNormaliser
{
    /// <summary>The key of each label (null where none fits), in the order given.</summary>
    public virtual IReadOnlyList<KeyMatch?> Normalise(IReadOnlyList<string> labels, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(labels);
        return labels.Select(label => KeyVocabulary.ByLabel(label) is { } key ? new KeyMatch(key, Annotations.KeyValueItem.AliasMatch, 1.0) : null).ToList();
    }
}
