using System.ComponentModel.DataAnnotations;

namespace Annotate.Annotators.KeyValues;

/// <summary>Settings of the key–value annotator (configuration section <c>Annotate:KeyValues</c>).</summary>
public sealed class KeyValueOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Annotate:KeyValues";

    /// <summary>
    /// Least cosine similarity between a label and a key's names or descriptions for the label to take that key;
    /// below it the label is kept raw. Default 0.65 (on the encoder shipped, English wordings of a key score 0.70–0.97 and unrelated labels up to about 0.5).
    /// </summary>
    [Range(0.0, 1.0)]
    public double KeyThreshold { get; set; } = 0.65;

    /// <summary>Most pairs reported for one document; past it the notice <c>key-values-truncated</c> says so. Default 1,000.</summary>
    [Range(1, 100_000)]
    public int MaxPairs { get; set; } = 1000;
}
