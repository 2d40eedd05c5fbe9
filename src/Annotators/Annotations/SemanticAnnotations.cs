using Annotate.Annotators.Documents;

namespace Annotate.Annotators.Annotations;

/// <summary>The document type told by comparing the document with descriptions of each type (annotator <c>document-type</c>).</summary>
public sealed record DocumentTypeAnnotation
{
    /// <summary>The best label, or <c>unknown</c> when its score is below <see cref="Threshold"/>.</summary>
    public required string Label { get; init; }
    /// <summary>Cosine similarity of the best label, 0–1.</summary>
    public double Score { get; init; }
    /// <summary>Every label of the taxonomy with its score, best first.</summary>
    public required IReadOnlyList<LabelScore> Scores { get; init; }
    /// <summary>The score the best label needed to be named.</summary>
    public double Threshold { get; init; }
    /// <summary>Where the text that was compared starts (it runs for <see cref="Characters"/> characters of block text).</summary>
    public required SourceLocation Location { get; init; }
    /// <summary>Characters of the document compared.</summary>
    public int Characters { get; init; }
    /// <summary>Name of the annotator that produced it.</summary>
    public required string Annotator { get; init; }
}

/// <summary>A label and its similarity to the document.</summary>
public sealed record LabelScore(string Label, double Score);

/// <summary>A key phrase of the document and where it first occurs (annotator <c>keywords</c>).</summary>
/// <param name="Phrase">The phrase as written at its first occurrence.</param>
/// <param name="Score">Cosine similarity of the phrase to the whole document.</param>
/// <param name="Occurrences">How often the phrase occurs (case-insensitively) in the text read.</param>
/// <param name="Location">Its first occurrence: block, offset and length.</param>
/// <param name="Annotator">Name of the annotator that produced it.</param>
public sealed record KeywordAnnotation(string Phrase, double Score, int Occurrences, SourceLocation Location, string Annotator);

/// <summary>An extractive summary: the document's most central sentences, in their original order (annotator <c>summary</c>).</summary>
public sealed record ExtractiveSummary
{
    /// <summary>The sentences joined by spaces, a line break or indent inside one (wrapped text) read as a space.</summary>
    public required string Text { get; init; }
    /// <summary>Words in <see cref="Text"/>.</summary>
    public int Words { get; init; }
    /// <summary>The chosen sentences, each with where it is.</summary>
    public required IReadOnlyList<SummarySentence> Sentences { get; init; }
    /// <summary>Sentences of four words or more read from the document.</summary>
    public int SentencesRead { get; init; }
    /// <summary>
    /// Sentences compared with the sentence encoder, the choice made from: all those read, or of a longer document the
    /// most central by their words.
    /// </summary>
    public int SentencesCompared { get; init; }
    /// <summary>Name of the annotator that produced it.</summary>
    public required string Annotator { get; init; }
}

/// <summary>One sentence of an extractive summary.</summary>
/// <param name="Text">The sentence exactly as in the source.</param>
/// <param name="Score">Cosine similarity to the centroid of the sentences compared.</param>
/// <param name="Location">Block, offset and length of the sentence.</param>
public sealed record SummarySentence(string Text, double Score, SourceLocation Location);

/// <summary>An earlier document this one duplicates (annotator <c>duplicates</c>).</summary>
public sealed record DuplicateAnnotation
{
    /// <summary><c>exact</c> (the same bytes) or <c>near</c> (text more similar than <see cref="Threshold"/>).</summary>
    public required string Kind { get; init; }
    /// <summary>Id of the earlier document.</summary>
    public required string DocumentId { get; init; }
    /// <summary>Cosine similarity of the two documents' text (1 for the same bytes).</summary>
    public double Similarity { get; init; }
    /// <summary>The similarity a near-duplicate needs.</summary>
    public double Threshold { get; init; }
    /// <summary>Documents of the profile compared with.</summary>
    public int Compared { get; init; }
    /// <summary>Where the text that was compared starts; null when the document has no text.</summary>
    public SourceLocation? Location { get; init; }
    /// <summary>Name of the annotator that produced it.</summary>
    public required string Annotator { get; init; }
}

/// <summary>The semantic type of one table column, told from its header and a sample of its values (annotator <c>column-types</c>).</summary>
public sealed record ColumnTypeAnnotation
{
    /// <summary>Sheet name (null for CSV).</summary>
    public string? Sheet { get; init; }
    /// <summary>Table name (Excel table or sheet).</summary>
    public string? Table { get; init; }
    /// <summary>0-based index of the table's block in the document.</summary>
    public int Block { get; init; }
    /// <summary>0-based index of the column in its table (as in <c>columns</c>).</summary>
    public int Index { get; init; }
    /// <summary>Header text.</summary>
    public required string Header { get; init; }
    /// <summary>
    /// <c>person-name</c>, <c>company</c>, <c>address</c>, <c>email</c>, <c>phone</c>, <c>date</c>, <c>amount</c>, <c>quantity</c>,
    /// <c>product-code</c>, <c>category</c>, <c>free-text</c>, <c>identifier</c>, <c>percentage</c>, <c>url</c>, <c>country</c> or <c>other</c>.
    /// </summary>
    public required string Type { get; init; }
    /// <summary>0–1: the header's and the values' evidence combined (0.4 header, 0.6 values).</summary>
    public double Score { get; init; }
    /// <summary>How it was found: <c>header</c>, <c>values</c> or <c>header+values</c>, whichever gave evidence for the type.</summary>
    public required string Method { get; init; }
    /// <summary><c>name</c> when the header names the type (a word such as <c>Preis</c>), <c>meaning</c> when its embedding is close to the type's description; null without a header row.</summary>
    public string? HeaderMatch { get; init; }
    /// <summary>0–1, what the header says for the type.</summary>
    public double HeaderScore { get; init; }
    /// <summary>0–1, how well the sampled values fit the type's shape.</summary>
    public double ValueScore { get; init; }
    /// <summary>Non-empty values sampled.</summary>
    public int Sampled { get; init; }
    /// <summary>The runners-up with their scores, best first (at most three).</summary>
    public IReadOnlyList<LabelScore> Alternatives { get; init; } = [];
    /// <summary>The column's data cells that were sampled, A1-style.</summary>
    public SourceLocation? Location { get; init; }
    /// <summary>Name of the annotator that produced it.</summary>
    public required string Annotator { get; init; }
}

/// <summary>The document cut into chunks that fit the sentence encoder, each with its vector (annotator <c>embeddings</c>); written to <c>embeddings.jsonl</c>.</summary>
public sealed record ChunkEmbeddings
{
    /// <summary>The chunks in reading order.</summary>
    public required IReadOnlyList<EmbeddedChunk> Chunks { get; init; }
    /// <summary>True when the document had more chunks than were embedded.</summary>
    public bool Truncated { get; init; }
    /// <summary>Name of the annotator that produced it.</summary>
    public required string Annotator { get; init; }
}

/// <summary>One chunk: text exactly as in the source (a table chunk: its header and rows, cells separated by tabs), where it is, and its vector.</summary>
/// <param name="Text">The text embedded.</param>
/// <param name="Location">Block with offset and length, or sheet with the cell range of the rows.</param>
/// <param name="Tokens">Word pieces the encoder read.</param>
/// <param name="Vector">The L2-normalised embedding.</param>
public sealed record EmbeddedChunk(string Text, SourceLocation Location, int Tokens, float[] Vector);
