using System.ComponentModel.DataAnnotations;

namespace Annotate.Annotators.Semantic;

/// <summary>Settings of the annotators that compare text with the embedded sentence encoder (configuration section <c>Annotate:Semantic</c>).</summary>
public sealed class SemanticOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Annotate:Semantic";

    /// <summary>Best document-type score below which the type is <c>unknown</c>. Default 0.3.</summary>
    [Range(0.0, 1.0)]
    public double DocumentTypeThreshold { get; set; } = 0.3;

    /// <summary>Characters from the start of the document compared with the type descriptions. Default 2,000.</summary>
    [Range(100, 100_000)]
    public int DocumentTypeCharacters { get; set; } = 2_000;

    /// <summary>Sentences read for the keywords; a longer document is judged by its first ones. Default 150.</summary>
    [Range(1, 10_000)]
    public int MaxSentences { get; set; } = 150;

    /// <summary>
    /// Sentences read for the summary, from the start: a whole book, past it the rest is not read. Default 20,000
    /// (a 500-page manual has about 15,000).
    /// </summary>
    [Range(1, 1_000_000)]
    public int SummaryReadSentences { get; set; } = 20_000;

    /// <summary>
    /// Sentences the summary compares with the sentence encoder. A document with more has them chosen first by the
    /// words they share with all of it (TF-IDF centrality), in milliseconds where the encoder takes milliseconds a
    /// sentence. Default 32.
    /// </summary>
    [Range(1, 10_000)]
    public int SummaryCandidates { get; set; } = 32;

    /// <summary>
    /// Run <c>keywords</c> under profiles that name no annotators (all of them). Off by default: encoding the candidate
    /// phrases takes most of the time of a document without a model (docs/BENCHMARKS.md); a profile that names
    /// <c>keywords</c> in its <c>Annotators</c> runs it either way. Default false.
    /// </summary>
    public bool KeywordsByDefault { get; set; }

    /// <summary>Candidate phrases encoded for the keywords, the most frequent first. Default 120.</summary>
    [Range(1, 10_000)]
    public int MaxKeywordCandidates { get; set; } = 120;

    /// <summary>0–1: how much the keyword choice favours phrases unlike those already chosen (maximal marginal relevance). Default 0.3.</summary>
    [Range(0.0, 1.0)]
    public double KeywordDiversity { get; set; } = 0.3;

    /// <summary>Two summary sentences more similar than this say the same: the less central one is left out. Default 0.85.</summary>
    [Range(0.0, 1.0)]
    public double SummaryRedundancy { get; set; } = 0.85;

    /// <summary>Similarity above which a document is a near-duplicate of an earlier one of its profile. Default 0.95.</summary>
    [Range(0.0, 1.0)]
    public double NearDuplicateThreshold { get; set; } = 0.95;

    /// <summary>Characters from the start of a document (tables included) its duplicate vector is made of. Default 4,000.</summary>
    [Range(100, 1_000_000)]
    public int NearDuplicateCharacters { get; set; } = 4_000;

    /// <summary>Rows of each table whose values <c>column-types</c> reads (the first ones); the rest are not read for it. Default 100.</summary>
    [Range(1, 10_000)]
    public int ColumnTypeSampleRows { get; set; } = 100;

    /// <summary>Columns of a document <c>column-types</c> types; past it the notice <c>column-types-truncated</c> says so. Default 1,000.</summary>
    [Range(1, 100_000)]
    public int MaxTypedColumns { get; set; } = 1_000;

    /// <summary>Best column-type score below which a column's type is <c>other</c>. Default 0.35.</summary>
    [Range(0.0, 1.0)]
    public double ColumnTypeThreshold { get; set; } = 0.35;

    /// <summary>Most chunks written to <c>embeddings.jsonl</c> per document; past it the notice <c>embeddings-truncated</c> says so. Default 2,000.</summary>
    [Range(1, 1_000_000)]
    public int MaxEmbeddingChunks { get; set; } = 2_000;
}
