using System.Text.Json;

namespace Annotate.Annotators.Evaluation;

/// <summary>What one document's <c>annotations.json</c> holds that an evaluation compares: read once, kept as plain values.</summary>
public sealed record ProducedDocument
{
    /// <summary>The document's id (its output folder's name).</summary>
    public required string DocumentId { get; init; }

    /// <summary>The file name the document was submitted under; references are matched by it.</summary>
    public required string Name { get; init; }

    /// <summary>When annotations.json was written; of two results for one name the later is evaluated.</summary>
    public DateTimeOffset? GeneratedAt { get; init; }

    /// <summary>The model's type (<c>metadata.documentType</c>), else the embedded annotator's label (<c>documentType.label</c>).</summary>
    public string? DocumentType { get; init; }

    /// <summary>The model's title (<c>metadata.title</c>).</summary>
    public string? Title { get; init; }

    /// <summary>The model's summary (<c>metadata.summary</c>), else the extractive one (<c>summary.text</c>).</summary>
    public string? Summary { get; init; }

    /// <summary>Extracted leaves by JSON Pointer (<c>extraction.fields</c>, and scalar leaves of <c>extraction.values</c> not listed there).</summary>
    public IReadOnlyDictionary<string, ProducedValue> Fields { get; init; } = new Dictionary<string, ProducedValue>();

    /// <summary>Key–value pairs in the order found, and the issuer as the key <c>issuer</c> when no pair has that key.</summary>
    public IReadOnlyList<ProducedPair> KeyValues { get; init; } = [];

    /// <summary>Question–answer pairs (<c>qa.pairs</c>).</summary>
    public IReadOnlyList<ExpectedAnswer> QuestionAnswers { get; init; } = [];

    /// <summary>Reads the parts an evaluation compares from an <c>annotations.json</c>; <paramref name="source"/> names it in errors.</summary>
    public static async Task<ProducedDocument> ReadAsync(Stream stream, string source, long maxBytes, CancellationToken cancellationToken)
    {
        using var bounded = new MemoryStream();
        var buffer = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            bounded.Write(buffer, 0, read);
            if (bounded.Length > maxBytes)
            {
                throw new EvaluationException($"'{ReferenceReader.Shown(source)}' is over the limit of {maxBytes:N0} bytes ({EvaluationOptions.Section}:MaxAnnotationsBytes).");
            }
        }
        try
        {
            using var document = JsonDocument.Parse(bounded.GetBuffer().AsMemory(0, (int)bounded.Length), new JsonDocumentOptions { MaxDepth = 256 });
            return Read(document.RootElement, source);
        }
        catch (JsonException ex)
        {
            throw new EvaluationException($"'{ReferenceReader.Shown(source)}' is not valid JSON: {ex.Message}", ex);
        }
        catch (InvalidOperationException ex)
        {
            throw new EvaluationException($"'{ReferenceReader.Shown(source)}' is not an annotations.json: {ex.Message}", ex);
        }
    }

    private static ProducedDocument Read(JsonElement root, string source)
    {
        if (root.ValueKind != JsonValueKind.Object || String(root, "documentId") is not { } id
            || !root.TryGetProperty("source", out var file) || String(file, "fileName") is not { } name)
        {
            throw new EvaluationException($"'{ReferenceReader.Shown(source)}' is not an annotations.json: it has no documentId or source.fileName.");
        }
        root.TryGetProperty("metadata", out var metadata);
        var fields = new Dictionary<string, ProducedValue>(StringComparer.Ordinal);
        if (root.TryGetProperty("extraction", out var extraction) && extraction.ValueKind == JsonValueKind.Object)
        {
            if (extraction.TryGetProperty("fields", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (var field in list.EnumerateArray())
                {
                    if (String(field, "path") is { } path && field.TryGetProperty("value", out var value) && Scalar(value) is { } text)
                    {
                        var grounded = field.TryGetProperty("grounded", out var g) && g.ValueKind is JsonValueKind.True or JsonValueKind.False
                            ? g.GetBoolean()
                            : field.TryGetProperty("location", out _);
                        fields.TryAdd(path, new ProducedValue(text, grounded));
                    }
                }
            }
            if (extraction.TryGetProperty("values", out var values))
            {
                AddLeaves(values, "", fields, depth: 0);
            }
        }
        var pairs = new List<ProducedPair>();
        if (root.TryGetProperty("keyValues", out var keyValues) && keyValues.ValueKind == JsonValueKind.Object)
        {
            if (keyValues.TryGetProperty("pairs", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (var pair in list.EnumerateArray())
                {
                    if (String(pair, "value") is { } value)
                    {
                        pairs.Add(new ProducedPair(String(pair, "key"), String(pair, "label") ?? "", new ProducedValue(value, pair.TryGetProperty("location", out _))));
                    }
                }
            }
            if (keyValues.TryGetProperty("issuer", out var issuer) && String(issuer, "name") is { } issuerName)
            {
                pairs.Add(new ProducedPair("issuer", "issuer", new ProducedValue(issuerName, issuer.TryGetProperty("location", out _))));
            }
        }
        var answers = new List<ExpectedAnswer>();
        if (root.TryGetProperty("qa", out var qa) && qa.ValueKind == JsonValueKind.Object && qa.TryGetProperty("pairs", out var qaPairs) && qaPairs.ValueKind == JsonValueKind.Array)
        {
            foreach (var pair in qaPairs.EnumerateArray())
            {
                if (String(pair, "question") is { } question && String(pair, "answer") is { } answer)
                {
                    answers.Add(new ExpectedAnswer(question, answer));
                }
            }
        }
        return new ProducedDocument
        {
            DocumentId = id,
            Name = name,
            GeneratedAt = root.TryGetProperty("generatedAt", out var at) && at.ValueKind == JsonValueKind.String && at.TryGetDateTimeOffset(out var when) ? when : null,
            DocumentType = String(metadata, "documentType") ?? (root.TryGetProperty("documentType", out var type) ? String(type, "label") : null),
            Title = String(metadata, "title"),
            Summary = String(metadata, "summary") ?? (root.TryGetProperty("summary", out var summary) ? String(summary, "text") : null),
            Fields = fields,
            KeyValues = pairs,
            QuestionAnswers = answers,
        };
    }

    // Scalar leaves of extraction.values not in extraction.fields (whose grounding is then unknown).
    private static void AddLeaves(JsonElement node, string pointer, Dictionary<string, ProducedValue> fields, int depth)
    {
        if (depth > 64)
        {
            return;
        }
        switch (node.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in node.EnumerateObject())
                {
                    AddLeaves(property.Value, pointer + "/" + property.Name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal), fields, depth + 1);
                }
                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in node.EnumerateArray())
                {
                    AddLeaves(item, $"{pointer}/{index++}", fields, depth + 1);
                }
                break;
            default:
                if (pointer.Length > 0 && Scalar(node) is { } text)
                {
                    fields.TryAdd(pointer, new ProducedValue(text, null));
                }
                break;
        }
    }

    private static string? Scalar(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        _ => null,
    };

    private static string? String(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

/// <summary>A produced value and whether annotations.json records it as found in the source (null: not recorded).</summary>
public sealed record ProducedValue(string Text, bool? Grounded);

/// <summary>A produced key–value pair.</summary>
public sealed record ProducedPair(string? Key, string Label, ProducedValue Value);
