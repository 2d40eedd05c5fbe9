using System.Text.Json.Nodes;
using Annotate.Annotators.Documents;

namespace Annotate.Annotators.Annotations;

/// <summary>The values of the profile's extraction schema, merged over the chunks, each leaf checked against the text.</summary>
public sealed class ExtractionAnnotation
{
    /// <summary>The merged values, shaped by the profile's extraction schema.</summary>
    public required JsonObject Values { get; init; }

    /// <summary>Every non-null leaf of <see cref="Values"/> with the result of grounding it in the document.</summary>
    public IReadOnlyList<ExtractedField> Fields { get; init; } = [];

    /// <summary>Number of chunks the document was read in.</summary>
    public int Chunks { get; init; }

    /// <summary>What produced it.</summary>
    public required ModelProvenance Provenance { get; init; }

    /// <summary>Name of the annotator that produced it.</summary>
    public required string Annotator { get; init; }
}

/// <summary>One extracted leaf value and whether it occurs in the document.</summary>
public sealed record ExtractedField
{
    /// <summary>Grounded: the value occurs in the document.</summary>
    public const string GroundedStatus = "grounded";

    /// <summary>Ungrounded: the value was not found in the document and may be invented.</summary>
    public const string UngroundedStatus = "ungrounded";

    /// <summary>Unverifiable: a value (a boolean) that text search cannot confirm.</summary>
    public const string UnverifiableStatus = "unverifiable";

    /// <summary>JSON Pointer of the leaf in <see cref="ExtractionAnnotation.Values"/>, e.g. <c>/lineItems/0/amount</c>.</summary>
    public required string Path { get; init; }

    /// <summary>The value as extracted.</summary>
    public required JsonNode Value { get; init; }

    /// <summary>True when the value (normalised) was found in the document's text.</summary>
    public bool Grounded { get; init; }

    /// <summary><c>grounded</c>, <c>ungrounded</c> or <c>unverifiable</c>.</summary>
    public required string Status { get; init; }

    /// <summary>Where the value was found, when grounded.</summary>
    public SourceLocation? Location { get; init; }

    /// <summary>The text as it occurs in the source, when grounded.</summary>
    public string? Text { get; init; }

    /// <summary>
    /// How the value was found when no model filled it: <c>key-value:&lt;key&gt;</c> (a label/value pair of that key),
    /// <c>issuer:&lt;method&gt;</c> or <c>entity:&lt;type&gt;</c>; null for values the model extracted.
    /// </summary>
    public string? FoundBy { get; init; }
}
