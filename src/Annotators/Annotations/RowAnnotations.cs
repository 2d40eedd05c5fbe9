namespace Annotate.Annotators.Annotations;

/// <summary>Values the model gave each spreadsheet row for the profile's row fields; written back as new columns.</summary>
public sealed class RowAnnotations
{
    /// <summary>The fields, in column order (the profile's <c>RowFields</c> names).</summary>
    public required IReadOnlyList<string> Fields { get; init; }

    /// <summary>What produced the values.</summary>
    public required ModelProvenance Provenance { get; init; }

    /// <summary>One entry per annotated table.</summary>
    public List<TableRowAnnotations> Tables { get; } = [];

    /// <summary>Name of the annotator that produced them.</summary>
    public required string Annotator { get; init; }
}

/// <summary>Row values for one table, keyed by the row's sheet row number.</summary>
public sealed class TableRowAnnotations
{
    /// <summary>Sheet name (null for CSV).</summary>
    public string? Sheet { get; init; }

    /// <summary>Table name (Excel table or sheet).</summary>
    public string? Table { get; init; }

    /// <summary>0-based index of the table's block in the document.</summary>
    public int Block { get; init; }

    /// <summary>Values by sheet row number (<see cref="Documents.TableRow.Number"/>), then by field name.</summary>
    public Dictionary<long, Dictionary<string, string?>> Rows { get; } = [];

    /// <summary>Sheet of annotated.xlsx holding the row fields, set by the workbook writer once it placed them.</summary>
    public string? WorkbookSheet { get; set; }

    /// <summary>1-based column of annotated.xlsx holding the first row field (the others follow), set with <see cref="WorkbookSheet"/>.</summary>
    public int? WorkbookColumn { get; set; }

    /// <summary>Name of the CSV output holding the table (row fields as its last columns), set by the CSV writer.</summary>
    public string? CsvFile { get; set; }

    /// <summary>0-based data record in <see cref="CsvFile"/> of each annotated row, by row number; what a reviewed CSV is corrected by.</summary>
    public Dictionary<long, long> CsvRecords { get; } = [];
}

/// <summary>What produced a model output: the model file, the profile and the prompt version.</summary>
/// <param name="Model">Model name.</param>
/// <param name="ModelSha256">Lowercase hex SHA-256 of the GGUF file.</param>
/// <param name="Profile">Profile name.</param>
/// <param name="ProfileFingerprint">The profile's fingerprint (see <see cref="Profiles.AnnotationProfile.Fingerprint"/>).</param>
/// <param name="PromptVersion">Version of the task's prompt, bumped whenever its wording changes.</param>
public sealed record ModelProvenance(string Model, string ModelSha256, string Profile, string ProfileFingerprint, string PromptVersion);
