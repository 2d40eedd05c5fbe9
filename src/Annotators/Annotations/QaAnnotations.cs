using Annotate.Annotators.Documents;

namespace Annotate.Annotators.Annotations;

/// <summary>Question–answer pairs generated from the document's chunks, for fine-tuning data.</summary>
public sealed class QaAnnotations
{
    /// <summary>The pairs, in chunk order.</summary>
    public IReadOnlyList<QaPair> Pairs { get; init; } = [];

    /// <summary>Number of chunks the document was read in.</summary>
    public int Chunks { get; init; }

    /// <summary>What produced them.</summary>
    public required ModelProvenance Provenance { get; init; }

    /// <summary>Name of the annotator that produced them.</summary>
    public required string Annotator { get; init; }
}

/// <summary>A question answerable from one chunk alone, with its answer and where the chunk is.</summary>
/// <param name="Question">The question.</param>
/// <param name="Answer">The answer.</param>
/// <param name="Chunk">0-based index of the chunk it was generated from.</param>
/// <param name="Location">Where that chunk starts in the source.</param>
public sealed record QaPair(string Question, string Answer, int Chunk, SourceLocation Location);
