using Annotate.Annotators.Documents;

namespace Annotate.Annotators.KeyValues;

/// <summary>A label and its value as the layout shows them, before the label is normalised to a key.</summary>
/// <param name="Label">The label as written, without its trailing colon.</param>
/// <param name="Value">The value as written.</param>
/// <param name="Layout">How they stand to each other: one of <see cref="PairLayouts"/>.</param>
/// <param name="LabelLocation">Where the label is.</param>
/// <param name="ValueLocation">Where the value is.</param>
internal sealed record FoundPair(string Label, string Value, string Layout, SourceLocation LabelLocation, SourceLocation ValueLocation);

/// <summary>How a label and its value stand to each other.</summary>
public static class PairLayouts
{
    /// <summary>On one line, the value after the label (<c>Invoice number: 100482</c>).</summary>
    public const string Inline = "inline";
    /// <summary>On one line of a page, the value set apart to the right of the label.</summary>
    public const string Beside = "beside";
    /// <summary>The value on the line below the label.</summary>
    public const string Below = "below";
    /// <summary>The label in a table cell, the value in the next cell to its right.</summary>
    public const string CellRight = "cell-right";
    /// <summary>The label in a table cell, the value in the cell below it.</summary>
    public const string CellBelow = "cell-below";
}
