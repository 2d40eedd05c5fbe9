using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Annotate.Annotators.Annotations;
using Annotate.Annotators.Documents;

namespace Annotate.Annotators.Writers.Json;

// The shape of annotations.json, version 1.1 (1.1 adds the optional model sections metadata, extraction, reformat, rows and qa). The types are the contract described by
// Schemas/annotations.schema.json: change both together, and bump the schema version for anything but additions.

internal sealed record AnnotationsFile
{
    [JsonPropertyName("$schema")]
    public required string Schema { get; init; }
    public required string SchemaVersion { get; init; }
    public required string DocumentId { get; init; }
    public required DateTimeOffset GeneratedAt { get; init; }
    public required GeneratorInfo Generator { get; init; }
    public required SourceInfo Source { get; init; }
    public required DocumentProperties Properties { get; init; }
    public required IReadOnlyList<OutlineEntry> Outline { get; init; }
    public required IReadOnlyList<SheetInfo> Sheets { get; init; }
    public required IReadOnlyList<BlockInfo> Blocks { get; init; }

    // Written even when null: "no language could be told" is an answer, not a missing section.
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public LanguageAnnotation? Language { get; init; }
    public required IReadOnlyList<BlockLanguageAnnotation> BlockLanguages { get; init; }
    public DocumentStatistics? Statistics { get; init; }
    public required IReadOnlyList<EntityAnnotation> Entities { get; init; }
    public required IReadOnlyList<ColumnProfile> Columns { get; init; }
    public KeyValueAnnotation? KeyValues { get; init; }
    public MetadataAnnotation? Metadata { get; init; }
    public ExtractionAnnotation? Extraction { get; init; }
    public ReformatSection? Reformat { get; init; }
    public RowsSection? Rows { get; init; }
    public QaSection? Qa { get; init; }
    public DocumentTypeAnnotation? DocumentType { get; init; }
    public IReadOnlyList<KeywordAnnotation>? Keywords { get; init; }
    public ExtractiveSummary? Summary { get; init; }
    public DuplicateAnnotation? DuplicateOf { get; init; }
    public IReadOnlyList<ColumnTypeAnnotation>? ColumnTypes { get; init; }
    // The document this one was found inside (an e-mail it was attached to, an archive it was an entry of).
    public ParentInfo? Parent { get; init; }
    // The files found inside this document, each a document of its own where documentId is given.
    public IReadOnlyList<PartInfo>? Parts { get; init; }
    public required IReadOnlyList<Notice> Notices { get; init; }
    public required IReadOnlyList<AnnotatorRun> Annotators { get; init; }
    public required IReadOnlyDictionary<string, JsonNode?> Extensions { get; init; }
}

internal sealed record ParentInfo(string DocumentId);

internal sealed record PartInfo(int Index, string Name, string Path, long SizeBytes, string Sha256, string? DocumentId);

internal sealed record GeneratorInfo(string Name, string Version);

internal sealed record SourceInfo(string FileName, string Format, long SizeBytes, string? Sha256);

internal sealed record BlockInfo
{
    public required int Index { get; init; }
    public required string Kind { get; init; }
    public required SourceLocation Location { get; init; }
    public int? Level { get; init; }
    public string? Name { get; init; }
    public bool? HasHeaderRow { get; init; }
    public long? Rows { get; init; }
    public int? Columns { get; init; }
    // Null for the body: header, footer, textBox, footnote, endnote or comment.
    public string? Role { get; init; }
    // A note's label, as its reference carries it in the text ([^label]).
    public string? Label { get; init; }
}

// The reformatted content itself is its own output file; annotations.json says what and where.
internal sealed record ReformatSection(string Target, string FileName, int? RecordCount, int? Characters, int Chunks, ModelProvenance Provenance, string Annotator);

internal sealed record RowsSection(IReadOnlyList<string> Fields, IReadOnlyList<RowsTable> Tables, ModelProvenance Provenance, string Annotator);

internal sealed record RowsTable(string? Sheet, string? Table, int Block, IReadOnlyList<RowValues> Rows)
{
    public string? WorkbookSheet { get; init; }
    public int? WorkbookColumn { get; init; }
    public string? Csv { get; init; }
}

internal sealed record RowValues(long Row, IReadOnlyDictionary<string, string?> Values)
{
    public long? CsvRecord { get; init; }
}

internal sealed record QaSection(int PairCount, int Chunks, IReadOnlyList<QaPair> Pairs, ModelProvenance Provenance, string Annotator);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true)]
[JsonSerializable(typeof(AnnotationsFile))]
internal sealed partial class AnnotationsJsonContext : JsonSerializerContext;
