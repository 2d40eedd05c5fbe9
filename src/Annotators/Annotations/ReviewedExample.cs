using System.Text.Json.Nodes;

namespace Annotate.Annotators.Annotations;

/// <summary>
/// A reviewed document shown to the model as a few-shot example: the start of its text and the answers a person
/// accepted or corrected. The gateway keeps a profile's newest ones in one blob; the worker hands them to the model tasks.
/// </summary>
public sealed record ReviewedExample
{
    /// <summary>The start of the document's text (its <c>content.md</c>).</summary>
    public required string Input { get; init; }

    /// <summary>The reviewed metadata (<c>title</c>, <c>documentType</c>, <c>summary</c>, <c>keywords</c>), when the document had any.</summary>
    public JsonObject? Metadata { get; init; }

    /// <summary>The reviewed extracted values in the shape of the profile's schema, when the profile extracts any.</summary>
    public JsonObject? Values { get; init; }
}
