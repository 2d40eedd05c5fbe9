using System.ComponentModel.DataAnnotations;

namespace Annotate.Annotators.Models.Tasks.Rows;

/// <summary>Limits of the per-row model annotator (configuration section <c>Annotate:Rows</c>).</summary>
public sealed class RowAnnotatorOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Annotate:Rows";

    /// <summary>
    /// Most rows annotated per document, across all its tables; the rest are left without values and a
    /// <c>rows-limit</c> notice says so. Every row costs model time, so a million-row sheet is capped. Default 10,000.
    /// </summary>
    [Range(1, 1_048_576)]
    public int MaxRows { get; set; } = 10_000;

    /// <summary>Longest cell text shown to the model, in characters; longer cells are cut with an ellipsis. Default 200.</summary>
    [Range(8, 32_767)]
    public int MaxCellCharacters { get; set; } = 200;
}
