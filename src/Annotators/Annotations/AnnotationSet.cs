using System.Text.Json.Nodes;
using Annotate.Annotators.Documents;

namespace Annotate.Annotators.Annotations;

/// <summary>
/// Everything the annotators found about one document. Each annotator adds to its own section; every item
/// records which annotator produced it and where in the source it points. Serialised as <c>annotations.json</c>.
/// </summary>
public sealed class AnnotationSet
{
    /// <summary>Main language of the document.</summary>
    public LanguageAnnotation? Language { get; set; }

    /// <summary>Language of each block long enough to tell.</summary>
    public List<BlockLanguageAnnotation> BlockLanguages { get; } = [];

    /// <summary>Counts: pages, words, characters, reading time, tables, rows.</summary>
    public DocumentStatistics? Statistics { get; set; }

    /// <summary>Entities found by pattern (and, later, by the model), normalised.</summary>
    public List<EntityAnnotation> Entities { get; } = [];

    /// <summary>A profile of every spreadsheet or CSV column.</summary>
    public List<ColumnProfile> Columns { get; } = [];

    /// <summary>The semantic type of every table column (annotator <c>column-types</c>).</summary>
    public List<ColumnTypeAnnotation> ColumnTypes { get; } = [];

    /// <summary>Values of the profile's row fields for every spreadsheet row (model annotator <c>rows</c>).</summary>
    public RowAnnotations? Rows { get; set; }

    /// <summary>Label/value pairs with their normalised keys, and the issuer (annotator <c>key-values</c>).</summary>
    public KeyValueAnnotation? KeyValues { get; set; }

    /// <summary>Title, type, summary, keywords, named entities and dates from the model (annotator <c>metadata</c>).</summary>
    public MetadataAnnotation? Metadata { get; set; }

    /// <summary>Values of the profile's extraction schema, grounded in the text (annotator <c>extraction</c>).</summary>
    public ExtractionAnnotation? Extraction { get; set; }

    /// <summary>The content rewritten by the model (annotator <c>reformat</c>).</summary>
    public ReformatAnnotation? Reformat { get; set; }

    /// <summary>Question–answer pairs for fine-tuning (annotator <c>qa</c>).</summary>
    public QaAnnotations? QuestionAnswers { get; set; }

    /// <summary>The document type told without a model (annotator <c>document-type</c>).</summary>
    public DocumentTypeAnnotation? DocumentType { get; set; }

    /// <summary>Key phrases ranked by similarity to the document (annotator <c>keywords</c>).</summary>
    public List<KeywordAnnotation> Keywords { get; } = [];

    /// <summary>The most central sentences, in order (annotator <c>summary</c>).</summary>
    public ExtractiveSummary? Summary { get; set; }

    /// <summary>The earlier document of the same profile this one duplicates, exactly or nearly (annotator <c>duplicates</c>).</summary>
    public DuplicateAnnotation? DuplicateOf { get; set; }

    /// <summary>The document's chunks with their vectors, for <c>embeddings.jsonl</c> (annotator <c>embeddings</c>, when the profile asks for it); not in annotations.json.</summary>
    public ChunkEmbeddings? ChunkEmbeddings { get; set; }

    /// <summary>Notices from the readers and annotators (e.g. <c>no-text-layer</c>).</summary>
    public List<Notice> Notices { get; } = [];

    /// <summary>Which annotators ran, were skipped or failed, and how long each took.</summary>
    public List<AnnotatorRun> Runs { get; } = [];

    /// <summary>Sections added by annotators outside the built-in set, keyed by section name.</summary>
    public Dictionary<string, JsonNode?> Extensions { get; } = [];
}

/// <summary>A detected language.</summary>
/// <param name="Code">ISO 639-1 code, e.g. <c>en</c>.</param>
/// <param name="Name">English name, e.g. <c>English</c>.</param>
/// <param name="Confidence">0–1 confidence of the detector.</param>
/// <param name="Annotator">Name of the annotator that produced it.</param>
public sealed record LanguageAnnotation(string Code, string Name, double Confidence, string Annotator);

/// <summary>The language of one block.</summary>
public sealed record BlockLanguageAnnotation(int Block, string Code, double Confidence, SourceLocation Location, string Annotator);

/// <summary>Counts over the whole document.</summary>
public sealed record DocumentStatistics
{
    /// <summary>Pages (PDF) or null.</summary>
    public int? Pages { get; init; }
    /// <summary>Sheets (workbooks) or null.</summary>
    public int? Sheets { get; init; }
    /// <summary>Blocks in the document model.</summary>
    public int Blocks { get; init; }
    /// <summary>Words in running text and cells.</summary>
    public long Words { get; init; }
    /// <summary>Characters (excluding line breaks).</summary>
    public long Characters { get; init; }
    /// <summary>Estimated reading time in minutes at 230 words per minute, rounded up (0 for no words).</summary>
    public int ReadingTimeMinutes { get; init; }
    /// <summary>Tables.</summary>
    public int Tables { get; init; }
    /// <summary>Data rows across all tables.</summary>
    public long Rows { get; init; }
    /// <summary>Name of the annotator that produced it.</summary>
    public required string Annotator { get; init; }
}

/// <summary>An entity: the text as found, its normalised value and where it is.</summary>
public sealed record EntityAnnotation
{
    /// <summary>Entity type: <c>email</c>, <c>url</c>, <c>phone</c>, <c>date</c>, <c>money</c>, <c>percentage</c>, <c>iban</c>, <c>vat-id</c>….</summary>
    public required string Type { get; init; }
    /// <summary>The text exactly as it occurs in the source.</summary>
    public required string Text { get; init; }
    /// <summary>The normalised value: ISO-8601 for dates, a plain decimal for amounts, E.164 for phones, upper-case without spaces for IBANs.</summary>
    public required string Value { get; init; }
    /// <summary>ISO 4217 currency code of a money amount.</summary>
    public string? Currency { get; init; }
    /// <summary>Where it was found.</summary>
    public required SourceLocation Location { get; init; }
    /// <summary>Name of the annotator that produced it.</summary>
    public required string Annotator { get; init; }
}

/// <summary>A profile of one column of a table.</summary>
public sealed record ColumnProfile
{
    /// <summary>Sheet name (null for CSV).</summary>
    public string? Sheet { get; init; }
    /// <summary>Table name (Excel table or sheet).</summary>
    public string? Table { get; init; }
    /// <summary>0-based index of the column in its table.</summary>
    public int Index { get; init; }
    /// <summary>Header text.</summary>
    public required string Header { get; init; }
    /// <summary>A1-style range of the column's data cells.</summary>
    public string? Range { get; init; }
    /// <summary>Inferred type: <c>empty</c>, <c>text</c>, <c>integer</c>, <c>number</c>, <c>date</c>, <c>boolean</c> or <c>mixed</c>.</summary>
    public required string InferredType { get; init; }
    /// <summary>Number of data cells (rows).</summary>
    public long Count { get; init; }
    /// <summary>Share of empty cells, 0–1.</summary>
    public double EmptyRatio { get; init; }
    /// <summary>Distinct non-empty values (exact up to 10,000, estimated beyond).</summary>
    public long DistinctCount { get; init; }
    /// <summary>True when <see cref="DistinctCount"/> is an estimate.</summary>
    public bool DistinctIsEstimate { get; init; }
    /// <summary>Smallest number or earliest date, as text (invariant, ISO-8601 for dates).</summary>
    public string? Min { get; init; }
    /// <summary>Largest number or latest date, as text.</summary>
    public string? Max { get; init; }
    /// <summary>Up to five example values.</summary>
    public IReadOnlyList<string> Examples { get; init; } = [];
    /// <summary>Kinds of personal data the column holds: <c>email</c>, <c>phone</c>, <c>iban</c>.</summary>
    public IReadOnlyList<string> PersonalData { get; init; } = [];
    /// <summary>The column's semantic type (details in <see cref="AnnotationSet.ColumnTypes"/>), when <c>column-types</c> ran.</summary>
    public string? SemanticType { get; init; }
    /// <summary>Name of the annotator that produced it.</summary>
    public required string Annotator { get; init; }
}

/// <summary>What became of one annotator on one document.</summary>
/// <param name="Name">Annotator name.</param>
/// <param name="Status"><c>ran</c>, <c>skipped</c> or <c>failed</c>.</param>
/// <param name="Reason">Why it was skipped or failed.</param>
/// <param name="DurationMs">Time it took.</param>
public sealed record AnnotatorRun(string Name, string Status, string? Reason, double DurationMs);
