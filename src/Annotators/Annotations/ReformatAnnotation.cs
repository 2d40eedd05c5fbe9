using System.Text.Json.Nodes;

namespace Annotate.Annotators.Annotations;

/// <summary>The content rewritten by the model as Markdown, JSON records or CSV records.</summary>
public sealed class ReformatAnnotation
{
    /// <summary>Target <c>markdown</c>.</summary>
    public const string Markdown = "markdown";

    /// <summary>Target <c>json-records</c>.</summary>
    public const string JsonRecords = "json-records";

    /// <summary>Target <c>csv</c>.</summary>
    public const string Csv = "csv";

    /// <summary><c>markdown</c>, <c>json-records</c> or <c>csv</c>.</summary>
    public required string Target { get; init; }

    /// <summary>The Markdown text (target <c>markdown</c>).</summary>
    public string? MarkdownText { get; init; }

    /// <summary>The records (targets <c>json-records</c> and <c>csv</c>), in document order.</summary>
    public IReadOnlyList<JsonObject> Records { get; init; } = [];

    /// <summary>CSV columns: the record schema's properties, in declaration order.</summary>
    public IReadOnlyList<string> Columns { get; init; } = [];

    /// <summary>Number of chunks the document was read in.</summary>
    public int Chunks { get; init; }

    /// <summary>What produced it.</summary>
    public required ModelProvenance Provenance { get; init; }

    /// <summary>Name of the annotator that produced it.</summary>
    public required string Annotator { get; init; }

    /// <summary>File the reformat writer writes for <paramref name="target"/>: <c>reformatted.md</c>, <c>records.json</c> or <c>records.csv</c>.</summary>
    public static string FileNameFor(string target) => target switch
    {
        Markdown => "reformatted.md",
        JsonRecords => "records.json",
        Csv => "records.csv",
        _ => throw new ArgumentOutOfRangeException(nameof(target), target, "Reformat target must be markdown, json-records or csv."),
    };
}
