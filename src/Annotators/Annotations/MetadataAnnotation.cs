using Annotate.Annotators.Documents;

namespace Annotate.Annotators.Annotations;

/// <summary>What the model says the document is: title, type, summary, keywords, named entities and dated events.</summary>
public sealed class MetadataAnnotation
{
    /// <summary>Title the model gave the document (from the first chunk that named one).</summary>
    public string? Title { get; init; }

    /// <summary>Document type: one of the profile's taxonomy when it has one, the majority over the chunks.</summary>
    public string? DocumentType { get; init; }

    /// <summary>Summary of the whole document (of the chunk summaries when it was read in several chunks).</summary>
    public string? Summary { get; init; }

    /// <summary>Keywords, de-duplicated, at most the profile's <c>KeywordCount</c>.</summary>
    public IReadOnlyList<string> Keywords { get; init; } = [];

    /// <summary>Named entities, de-duplicated by type and name.</summary>
    public IReadOnlyList<NamedEntity> Entities { get; init; } = [];

    /// <summary>Dates with their role, de-duplicated.</summary>
    public IReadOnlyList<DatedEvent> Dates { get; init; } = [];

    /// <summary>Number of chunks the document was read in.</summary>
    public int Chunks { get; init; }

    /// <summary>What produced it.</summary>
    public required ModelProvenance Provenance { get; init; }

    /// <summary>Name of the annotator that produced it.</summary>
    public required string Annotator { get; init; }
}

/// <summary>A named entity the model found.</summary>
/// <param name="Name">The name as the model wrote it.</param>
/// <param name="Type"><c>person</c>, <c>organisation</c>, <c>place</c> or <c>product</c>.</param>
/// <param name="Location">Where the chunk it was found in starts.</param>
public sealed record NamedEntity(string Name, string Type, SourceLocation Location);

/// <summary>A date and what it is the date of.</summary>
/// <param name="Date">ISO-8601 date (<c>yyyy-MM-dd</c>).</param>
/// <param name="Role"><c>issued</c>, <c>due</c>, <c>signed</c>, <c>effective</c> or <c>other</c>.</param>
/// <param name="Location">Where the chunk it was found in starts.</param>
public sealed record DatedEvent(string Date, string Role, SourceLocation Location);
