using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Annotate.Annotators.Profiles;

/// <summary>
/// A named set of choices for annotating a kind of document: which annotators run and, for the model
/// annotators, the taxonomy, schemas and targets. Built-in profiles ship in <c>Profiles/BuiltIn/profiles.json</c>;
/// configuration under <c>Annotate:Profiles:{name}</c> adds profiles or replaces built-in ones.
/// </summary>
public sealed class AnnotationProfile
{
    /// <summary>Name of the default profile.</summary>
    public const string DefaultName = "default";

    /// <summary>Profile name (the configuration key).</summary>
    public string Name { get; set; } = DefaultName;

    /// <summary>Human description shown in the README and dashboard.</summary>
    public string? Description { get; set; }

    /// <summary>Annotators to run, by name; all registered annotators when empty.</summary>
    public List<string> Annotators { get; set; } = [];

    /// <summary>Extra guidance for the model about this kind of document, added to every model prompt.</summary>
    public string? Instructions { get; set; }

    /// <summary>Document types the metadata annotator chooses from (e.g. invoice, contract, CV); free text when empty.</summary>
    public List<string> Taxonomy { get; set; } = [];

    /// <summary>
    /// Descriptions of document types for the <c>document-type</c> annotator, by label: text written the way such a
    /// document reads. Labels of <see cref="Taxonomy"/> without one use the built-in description, or their own name.
    /// </summary>
    public Dictionary<string, string> DocumentTypes { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Longest summary, in words. Default 80.</summary>
    public int SummaryMaxWords { get; set; } = 80;

    /// <summary>Most keywords kept. Default 8.</summary>
    public int KeywordCount { get; set; } = 8;

    /// <summary>
    /// How many reviewed documents of this profile the model's metadata and extraction prompts show as examples
    /// (few-shot), newest first, within a quarter of the model context; at most 10. Default 0: off.
    /// </summary>
    public int FewShotExamples { get; set; }

    /// <summary>
    /// JSON Schema of the values to extract: inline JSON text, a path to a <c>.json</c> file, or
    /// <c>builtin:&lt;name&gt;.schema.json</c> for a schema shipped with Annotate. No extraction when empty.
    /// </summary>
    public string? ExtractionSchema { get; set; }

    /// <summary>How the content is rewritten by the model.</summary>
    public ReformatSettings Reformat { get; set; } = new();

    /// <summary>Fields the model fills for every spreadsheet row, written back as new columns.</summary>
    public List<RowField> RowFields { get; set; } = [];

    /// <summary>Rows sent to the model in one prompt. Default 8.</summary>
    public int RowsPerPrompt { get; set; } = 8;

    /// <summary>Question–answer pairs generated from each chunk for fine-tuning data; 0 (the default) turns it off.</summary>
    public int QaPairsPerChunk { get; set; }

    /// <summary>
    /// OCR of scanned pages and image files for this profile's documents; null (the default) keeps the global
    /// <c>Annotate:Ocr</c> settings, and a property left unset keeps its global value.
    /// </summary>
    public Ocr.ProfileOcrSettings? Ocr { get; set; }

    /// <summary>
    /// Write <c>embeddings.jsonl</c>: the document cut into chunks that fit the embedded encoder, each with its text,
    /// location and vector, for a search index. Default false (a profile naming <c>embeddings</c> in
    /// <see cref="Annotators"/> turns it on too).
    /// </summary>
    public bool ChunkEmbeddings { get; set; }

    /// <summary>Whether the named annotator runs under this profile.</summary>
    public bool Runs(string annotator) =>
        Annotators.Count == 0 || Annotators.Contains(annotator, StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// A short hash of everything that shapes the results (not the description), so a user can re-annotate only
    /// documents whose profile changed.
    /// </summary>
    public string Fingerprint()
    {
        var canonical = JsonSerializer.Serialize(new
        {
            Name = Name.ToLowerInvariant(),
            Annotators = Annotators.Select(a => a.ToLowerInvariant()).Order(StringComparer.Ordinal),
            Instructions,
            Taxonomy,
            DocumentTypes = DocumentTypes.OrderBy(d => d.Key, StringComparer.OrdinalIgnoreCase).Select(d => new[] { d.Key, d.Value }),
            SummaryMaxWords,
            KeywordCount,
            ExtractionSchema,
            Reformat.Target,
            Reformat.RecordSchema,
            RowFields = RowFields.Select(f => new { f.Name, f.Kind, f.Labels, f.Instruction, f.MaxLength }),
            RowsPerPrompt,
            QaPairsPerChunk,
        });
        if (Ocr is not null)
        {
            // Only when set, so profiles without OCR settings keep the fingerprints their results were stored under.
            canonical += JsonSerializer.Serialize(new { Ocr.Enabled, Ocr.Languages, Ocr.Dpi, Ocr.PageTimeout, Ocr.MaxPages });
        }
        // Added only when on, so the fingerprints of profiles written before the setting existed stay what they were.
        if (ChunkEmbeddings)
        {
            canonical += "|chunk-embeddings";
        }
        // The number of reviewed examples the prompts show shapes what the model writes; added only when on, as above.
        if (FewShotExamples > 0)
        {
            canonical += "|few-shot:" + FewShotExamples.ToString(CultureInfo.InvariantCulture);
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))[..16];
    }
}

/// <summary>How the model rewrites a document's content.</summary>
public sealed class ReformatSettings
{
    /// <summary><c>none</c> (default), <c>markdown</c>, <c>json-records</c> or <c>csv</c>.</summary>
    public string Target { get; set; } = "none";

    /// <summary>For <c>json-records</c> and <c>csv</c>: JSON Schema of one record (inline, a file, or <c>builtin:</c>).</summary>
    public string? RecordSchema { get; set; }
}

/// <summary>One field the model fills for each spreadsheet row.</summary>
public sealed class RowField
{
    /// <summary>Column header of the new column.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary><c>label</c> (one of <see cref="Labels"/>), <c>value</c> (a normalised value) or <c>note</c> (a short note).</summary>
    public string Kind { get; set; } = "label";

    /// <summary>Allowed labels for <c>label</c> fields.</summary>
    public List<string> Labels { get; set; } = [];

    /// <summary>What the model should put in the field.</summary>
    public string? Instruction { get; set; }

    /// <summary>Longest value in characters. Default 80.</summary>
    public int MaxLength { get; set; } = 80;
}
