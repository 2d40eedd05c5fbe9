using System.IO.Compression;
using System.Text.Json;

namespace Annotate.Annotators.Evaluation;

/// <summary>
/// Reads references: a folder of JSON files (one per document), a zip of such files, or one JSON object mapping document
/// names to references. Every input is bounded (<see cref="EvaluationOptions"/>) and every error names the file it is
/// about, never a path of this machine.
/// </summary>
public sealed class ReferenceReader(EvaluationOptions options)
{
    /// <summary>The produced document type.</summary>
    public const string SectionDocumentType = "documentType";

    /// <summary>The produced title (model metadata): a text field.</summary>
    public const string SectionTitle = "title";

    /// <summary>The produced summary (the model's, else the extractive one): a text field.</summary>
    public const string SectionSummary = "summary";

    /// <summary>A field of the profile's extraction schema.</summary>
    public const string SectionFields = "fields";

    /// <summary>A key–value pair by its vocabulary key (or label), or the issuer.</summary>
    public const string SectionKeyValues = "keyValues";

    private const string ReferenceExtension = ".json";
    private const int MaxNameLength = 255;

    private static readonly JsonDocumentOptions JsonOptions = new() { MaxDepth = 16, CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>The references in the top level of <paramref name="folder"/>: every <c>*.json</c> file.</summary>
    public IReadOnlyList<DocumentReference> ReadFolder(string folder)
    {
        if (!Directory.Exists(folder))
        {
            throw new EvaluationException($"The references folder '{folder}' does not exist.");
        }
        var files = new List<(string Source, byte[] Bytes)>();
        foreach (var path in Directory.EnumerateFiles(folder, "*", SearchOption.TopDirectoryOnly).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(path);
            if (!name.EndsWith(ReferenceExtension, StringComparison.OrdinalIgnoreCase) || name.StartsWith('.'))
            {
                continue;
            }
            var file = new FileInfo(path);
            if (file.LinkTarget is not null)
            {
                throw new EvaluationException($"Reference '{Shown(name)}' is a symbolic link; references must be regular files.");
            }
            CheckCount(files.Count + 1);
            CheckSize(name, file.Length);
            files.Add((name, File.ReadAllBytes(path)));
        }
        return Parse(files);
    }

    /// <summary>The references in a zip: every <c>*.json</c> entry at its top level (folders are refused, as are names with <c>..</c>).</summary>
    public IReadOnlyList<DocumentReference> ReadZip(Stream zip)
    {
        var files = new List<(string Source, byte[] Bytes)>();
        ZipArchive archive;
        try
        {
            archive = new ZipArchive(zip, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException ex)
        {
            throw new EvaluationException($"The references are not a readable zip: {ex.Message}", ex);
        }
        using (archive)
        {
            foreach (var entry in archive.Entries)
            {
                if (entry.FullName.EndsWith('/') && entry.Length == 0)
                {
                    continue;
                }
                if (!IsFileName(entry.FullName))
                {
                    throw new EvaluationException($"Zip entry '{Shown(entry.FullName)}' is not a plain file name: references sit at the top of the zip, without folders or '..'.");
                }
                if (!entry.FullName.EndsWith(ReferenceExtension, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }
                CheckCount(files.Count + 1);
                // The declared size is checked first and the inflated bytes counted as read: a zip cannot lie its way past the limit.
                CheckSize(entry.FullName, entry.Length);
                using var stream = entry.Open();
                files.Add((entry.FullName, ReadBounded(stream, entry.FullName)));
            }
        }
        return Parse(files);
    }

    /// <summary>The references of one JSON object whose properties are document names and whose values are references.</summary>
    public IReadOnlyList<DocumentReference> ReadObject(ReadOnlySpan<byte> json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray(), JsonOptions with { MaxDepth = JsonOptions.MaxDepth + 2 });
        }
        catch (JsonException ex)
        {
            throw new EvaluationException($"The references are not valid JSON: {ex.Message}", ex);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("references", out var wrapped))
            {
                root = wrapped;
            }
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new EvaluationException("The references must be a JSON object of document name → reference (optionally inside \"references\").");
            }
            var references = new List<DocumentReference>();
            foreach (var property in root.EnumerateObject())
            {
                CheckCount(references.Count + 1);
                CheckSize(property.Name, property.Value.GetRawText().Length);
                references.Add(Parse(property.Name, property.Value, defaultDocument: property.Name));
            }
            return Distinct(references);
        }
    }

    private IReadOnlyList<DocumentReference> Parse(List<(string Source, byte[] Bytes)> files)
    {
        var references = new List<DocumentReference>(files.Count);
        foreach (var (source, bytes) in files)
        {
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(bytes, JsonOptions);
            }
            catch (JsonException ex)
            {
                throw new EvaluationException($"Reference '{Shown(source)}' is not valid JSON: {ex.Message}", ex);
            }
            using (document)
            {
                references.Add(Parse(source, document.RootElement, defaultDocument: source[..^ReferenceExtension.Length]));
            }
        }
        return Distinct(references);
    }

    private DocumentReference Parse(string source, JsonElement root, string defaultDocument)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Bad(source, "must be a JSON object");
        }
        var document = defaultDocument;
        var values = new List<ExpectedValue>();
        var answers = new List<ExpectedAnswer>();
        foreach (var property in root.EnumerateObject())
        {
            switch (property.Name)
            {
                case "document":
                    document = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : throw Bad(source, "'document' must be a string");
                    break;
                case SectionDocumentType:
                    AddScalar(source, values, SectionDocumentType, SectionDocumentType, "", property.Value, FieldKind.Name);
                    break;
                case SectionTitle or SectionSummary:
                    AddScalar(source, values, property.Name, property.Name, "", property.Value, FieldKind.Text);
                    break;
                case SectionFields or SectionKeyValues:
                    if (property.Value.ValueKind != JsonValueKind.Object)
                    {
                        throw Bad(source, $"'{property.Name}' must be an object of name → expected value");
                    }
                    foreach (var field in property.Value.EnumerateObject())
                    {
                        if (field.Name.Length is 0 or > MaxNameLength)
                        {
                            throw Bad(source, $"a name in '{property.Name}' is empty or longer than {MaxNameLength} characters");
                        }
                        AddScalar(source, values, $"{property.Name}.{field.Name}", property.Name, field.Name, field.Value, null);
                    }
                    break;
                case "qa":
                    ReadAnswers(source, property.Value, answers);
                    break;
                default:
                    throw Bad(source, $"has an unknown member '{Shown(property.Name)}' (known: document, documentType, title, summary, fields, keyValues, qa)");
            }
            if (values.Count + answers.Count > options.MaxValuesPerReference)
            {
                throw Bad(source, $"holds more than {options.MaxValuesPerReference} values ({EvaluationOptions.Section}:MaxValuesPerReference)");
            }
        }
        if (!IsFileName(document))
        {
            throw Bad(source, $"names the document '{Shown(document)}', which is not a plain file name (no folders, no '..', no control characters)");
        }
        return new DocumentReference(document, source, values, answers);
    }

    private static void AddScalar(string source, List<ExpectedValue> values, string field, string section, string name, JsonElement value, FieldKind? fixedKind)
    {
        FieldKind? kind = fixedKind;
        var element = value;
        if (value.ValueKind == JsonValueKind.Object)
        {
            if (!value.TryGetProperty("value", out element))
            {
                throw Bad(source, $"'{Shown(field)}' is an object without 'value'");
            }
            foreach (var member in value.EnumerateObject())
            {
                if (member.Name == "kind")
                {
                    if (member.Value.ValueKind != JsonValueKind.String || !Enum.TryParse<FieldKind>(member.Value.GetString(), ignoreCase: true, out var named)
                        || !Enum.IsDefined(named) || char.IsDigit(member.Value.GetString()![0]))
                    {
                        throw Bad(source, $"'{Shown(field)}' has an unknown kind {member.Value.GetRawText()} (known: auto, number, amount, date, name, text)");
                    }
                    kind = named;
                }
                else if (member.Name != "value")
                {
                    throw Bad(source, $"'{Shown(field)}' has an unknown member '{Shown(member.Name)}' (known: value, kind)");
                }
            }
        }
        string text;
        switch (element.ValueKind)
        {
            case JsonValueKind.Null:
                // Nothing expected: not compared.
                return;
            case JsonValueKind.String:
                text = element.GetString()!;
                break;
            case JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False:
                text = element.GetRawText();
                break;
            default:
                throw Bad(source, $"'{Shown(field)}' must be a string, number, boolean, null or {{\"value\": …, \"kind\": …}}");
        }
        var resolved = kind is null or FieldKind.Auto ? ValueNormaliser.Infer(text) : kind.Value;
        values.Add(new ExpectedValue(field, section, name, text, resolved));
    }

    private static void ReadAnswers(string source, JsonElement qa, List<ExpectedAnswer> answers)
    {
        if (qa.ValueKind != JsonValueKind.Array)
        {
            throw Bad(source, "'qa' must be an array of {\"question\": …, \"answer\": …}");
        }
        foreach (var pair in qa.EnumerateArray())
        {
            if (pair.ValueKind != JsonValueKind.Object
                || !pair.TryGetProperty("question", out var question) || question.ValueKind != JsonValueKind.String
                || !pair.TryGetProperty("answer", out var answer) || answer.ValueKind != JsonValueKind.String)
            {
                throw Bad(source, "every item of 'qa' must be {\"question\": \"…\", \"answer\": \"…\"}");
            }
            answers.Add(new ExpectedAnswer(question.GetString()!, answer.GetString()!));
        }
    }

    private static List<DocumentReference> Distinct(List<DocumentReference> references)
    {
        var seen = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var reference in references)
        {
            if (!seen.TryAdd(reference.Document, reference.Source))
            {
                throw new EvaluationException(
                    $"References '{Shown(seen[reference.Document])}' and '{Shown(reference.Source)}' are both for the document '{Shown(reference.Document)}'.");
            }
        }
        return references;
    }

    private byte[] ReadBounded(Stream stream, string source)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            buffer.Write(chunk, 0, read);
            CheckSize(source, buffer.Length);
        }
        return buffer.ToArray();
    }

    private void CheckSize(string source, long bytes)
    {
        if (bytes > options.MaxReferenceBytes)
        {
            throw new EvaluationException(
                $"Reference '{Shown(source)}' is over the limit of {options.MaxReferenceBytes:N0} bytes for one reference ({EvaluationOptions.Section}:MaxReferenceBytes).");
        }
    }

    private void CheckCount(int count)
    {
        if (count > options.MaxReferences)
        {
            throw new EvaluationException($"More than {options.MaxReferences:N0} references ({EvaluationOptions.Section}:MaxReferences).");
        }
    }

    /// <summary>True for a name that is one file name: no separators, not <c>.</c> or <c>..</c>, no control characters, not too long.</summary>
    internal static bool IsFileName(string name) =>
        name.Length is > 0 and <= MaxNameLength && name is not "." and not ".."
        && !name.Any(c => c is '/' or '\\' || char.IsControl(c) || c == '\uFFFD');

    private static EvaluationException Bad(string source, string problem) => new($"Reference '{Shown(source)}' {problem}.");

    /// <summary>A name as it may appear in a message: control characters escaped, cut to a readable length.</summary>
    internal static string Shown(string name)
    {
        var cut = name.Length > 120 ? name[..120] + "…" : name;
        return string.Concat(cut.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
    }
}
