namespace Annotate.Annotators.Builtin;

/// <summary>An entity found in a piece of text by <see cref="EntityRecognizer"/>.</summary>
/// <param name="Type">Entity type: <c>email</c>, <c>url</c>, <c>phone</c>, <c>date</c>, <c>money</c>, <c>percentage</c>, <c>iban</c> or <c>vat-id</c>.</param>
/// <param name="Index">Offset of the match in the text.</param>
/// <param name="Length">Length of the match.</param>
/// <param name="Text">The text as it occurs.</param>
/// <param name="Value">The normalised value.</param>
/// <param name="Currency">ISO 4217 currency of a money amount.</param>
public sealed record EntityMatch(string Type, int Index, int Length, string Text, string Value, string? Currency = null)
{
    /// <summary>Offset just past the match.</summary>
    public int End => Index + Length;
}
