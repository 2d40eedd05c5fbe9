using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Annotate.Annotators.Annotations;
using Annotate.Annotators.Documents;

namespace Annotate.Annotators.Writers.Json;

// The shape of annotations.json, version 1.0. The types are the contract described by
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
    public required IReadOnlyList<Notice> Notices { get; init; }
    public required IReadOnlyList<AnnotatorRun> Annotators { get; init; }
    public required IReadOnlyDictionary<string, JsonNode?> Extensions { get; init; }
}

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
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true)]
[JsonSerializable(typeof(AnnotationsFile))]
internal sealed partial class AnnotationsJsonContext : JsonSerializerContext;
