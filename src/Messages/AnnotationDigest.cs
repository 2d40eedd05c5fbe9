namespace Annotate.Messages;

/// <summary>A short digest of what annotation found, for dashboards and routing; the full result is in <c>annotations.json</c>.</summary>
public sealed record AnnotationDigest
{
    /// <summary>Detected format: <c>pdf</c>, <c>xlsx</c>, <c>csv</c>, <c>docx</c>, <c>text</c> or <c>markdown</c>.</summary>
    public required string Format { get; init; }

    /// <summary>Title from the document's properties or first heading, if any.</summary>
    public string? Title { get; init; }

    /// <summary>ISO 639-1 code of the document's main language, if detected.</summary>
    public string? Language { get; init; }

    /// <summary>Number of pages (PDF) or sheets (workbook), when the format has them.</summary>
    public int? Pages { get; init; }

    /// <summary>Number of words.</summary>
    public long Words { get; init; }

    /// <summary>Number of tables.</summary>
    public int Tables { get; init; }

    /// <summary>Number of data rows across all tables.</summary>
    public long Rows { get; init; }

    /// <summary>Count of entities found, by type (<c>email</c>, <c>date</c>, <c>money</c>…).</summary>
    public IReadOnlyDictionary<string, int> Entities { get; init; } = new Dictionary<string, int>();

    /// <summary>Codes of notices raised, e.g. <c>no-text-layer</c> or <c>model-not-configured</c>.</summary>
    public IReadOnlyList<string> Notices { get; init; } = [];
}
