using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Profiles;

namespace Annotate.Annotators.Models.Tasks.Rows;

/// <summary>
/// The wording and answer schema of the row task for one profile. The system text depends only on the profile, so every
/// group of rows of every document under that profile shares the model's cached prefix; the schema depends only on the
/// profile and the group size, so the grammar compiler sees a handful of schemas rather than one per group.
/// </summary>
internal sealed class RowPrompt
{
    /// <summary>Bumped whenever the wording or the answer shape changes; recorded in the provenance.</summary>
    public const string Version = "rows-1";

    /// <summary>Tokens allowed for the chat format around the system and user text (role markers, BOS).</summary>
    public const int FormatOverheadTokens = 32;

    private const string Ellipsis = "…";

    private readonly IReadOnlyList<RowField> _fields;
    private readonly ConcurrentDictionary<int, JsonNode> _schemas = new();

    public RowPrompt(AnnotationProfile profile)
    {
        _fields = Validate(profile);
        System = BuildSystem(profile, _fields);
    }

    /// <summary>The fields, in column order.</summary>
    public IReadOnlyList<RowField> Fields => _fields;

    /// <summary>The system text: the task, the profile's instructions and the field definitions.</summary>
    public string System { get; }

    /// <summary>Answer schema for a group of <paramref name="count"/> rows: <c>{"rows": {"1": {fields}, …, "count": {fields}}}</c>.</summary>
    public JsonNode Schema(int count) => _schemas.GetOrAdd(count, BuildSchema).DeepClone();

    /// <summary>The first line of every user turn: which table, and its column names.</summary>
    public static string TableHeader(TableBlock table, int maxCellCharacters)
    {
        var name = table.Name ?? table.Location.Sheet ?? "table";
        var where = table.Location.Sheet is { } sheet && sheet != name ? $" on sheet '{sheet}'" : string.Empty;
        return $"Table '{name}'{where}. Columns: {string.Join(" | ", table.Columns.Select(c => Compact(c, maxCellCharacters)))}\n";
    }

    /// <summary>Tokens the position prefix (<c>12. </c>) adds to a line.</summary>
    public const int PositionTokens = 3;

    /// <summary>One row as a compact line without its position: its sheet row number and its cells.</summary>
    public static string RowLine(TableRow row, int maxCellCharacters)
    {
        var text = new StringBuilder();
        text.Append("row ").Append(row.Number.ToString(CultureInfo.InvariantCulture)).Append(": ");
        for (var c = 0; c < row.Cells.Count; c++)
        {
            if (c > 0)
            {
                text.Append(" | ");
            }
            var cell = row.Cells[c];
            text.Append(Compact(cell.IsEmpty ? string.Empty : cell.Display ?? cell.Text, maxCellCharacters));
        }
        return text.Append('\n').ToString();
    }

    /// <summary>The line cut to <paramref name="characters"/> characters, marked as cut.</summary>
    public static string Truncate(string line, int characters) =>
        line[..Math.Clamp(characters, 0, line.Length)].TrimEnd('\n') + " " + Ellipsis + " (cut)\n";

    /// <summary>
    /// Most tokens the answer for <paramref name="count"/> rows takes: the JSON skeleton as the tokenizer counts it, plus
    /// one token per character of every string field (a tiny vocabulary spends one per character; larger ones fewer) and
    /// one token of white space per member.
    /// </summary>
    public int OutputTokens(int count, Func<string, int> countTokens)
    {
        var skeleton = new StringBuilder("{\"rows\":{");
        var perRowStrings = 0;
        for (var i = 1; i <= count; i++)
        {
            if (i > 1)
            {
                skeleton.Append(',');
            }
            skeleton.Append('"').Append(i.ToString(CultureInfo.InvariantCulture)).Append("\":{");
            for (var f = 0; f < _fields.Count; f++)
            {
                var field = _fields[f];
                if (f > 0)
                {
                    skeleton.Append(',');
                }
                skeleton.Append(JsonSerializer.Serialize(field.Name)).Append(':');
                if (IsLabel(field))
                {
                    // The longest label, quoted as the grammar writes it.
                    skeleton.Append(JsonSerializer.Serialize(field.Labels.MaxBy(l => l.Length)));
                }
                else
                {
                    skeleton.Append("\"\"");
                    if (i == 1)
                    {
                        perRowStrings += field.MaxLength;
                    }
                }
            }
            skeleton.Append('}');
        }
        skeleton.Append("}}");
        var whitespace = 2 + (count * (_fields.Count + 1));
        return countTokens(skeleton.ToString()) + (count * perRowStrings) + whitespace;
    }

    /// <summary>The user turn: the table header and the group's lines, numbered from 1 (the answer's keys).</summary>
    public static string User(string header, IEnumerable<string> lines)
    {
        var text = new StringBuilder(header);
        var position = 0;
        foreach (var line in lines)
        {
            text.Append((++position).ToString(CultureInfo.InvariantCulture)).Append(". ").Append(line);
        }
        return text.ToString();
    }

    /// <summary>True when the field's values come from its labels.</summary>
    public static bool IsLabel(RowField field) => string.Equals(field.Kind, "label", StringComparison.OrdinalIgnoreCase);

    private static string Compact(string text, int maxCharacters)
    {
        // One row per line: line breaks and tabs inside cells would break the layout the model reads.
        var flat = string.Join(' ', text.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return flat.Length <= maxCharacters ? flat : flat[..(maxCharacters - 1)] + Ellipsis;
    }

    private JsonNode BuildSchema(int count)
    {
        var properties = new JsonObject();
        var required = new JsonArray();
        for (var i = 1; i <= count; i++)
        {
            var key = i.ToString(CultureInfo.InvariantCulture);
            properties[key] = RowSchema();
            required.Add(key);
        }
        return new JsonObject
        {
            ["type"] = "object",
            ["properties"] = new JsonObject
            {
                // Required keys in order make the grammar write exactly one answer per row, in the order shown:
                // no row can be skipped or answered twice.
                ["rows"] = new JsonObject
                {
                    ["type"] = "object",
                    ["properties"] = properties,
                    ["required"] = required,
                    ["additionalProperties"] = false,
                },
            },
            ["required"] = new JsonArray("rows"),
            ["additionalProperties"] = false,
        };
    }

    private JsonObject RowSchema()
    {
        var properties = new JsonObject();
        var required = new JsonArray();
        foreach (var field in _fields)
        {
            properties[field.Name] = IsLabel(field)
                ? new JsonObject { ["enum"] = new JsonArray(field.Labels.Select(l => (JsonNode?)JsonValue.Create(l)).ToArray()) }
                : new JsonObject { ["type"] = "string", ["maxLength"] = field.MaxLength };
            required.Add(field.Name);
        }
        return new JsonObject
        {
            ["type"] = "object",
            ["properties"] = properties,
            ["required"] = required,
            ["additionalProperties"] = false,
        };
    }

    private static string BuildSystem(AnnotationProfile profile, IReadOnlyList<RowField> fields)
    {
        // Short on purpose: it is sent with every group, and every token here is one fewer for rows.
        var text = new StringBuilder("Annotate each row of a spreadsheet table. A row is given as 'N. row R: cell | cell …'.\n");
        if (!string.IsNullOrWhiteSpace(profile.Instructions))
        {
            text.Append(profile.Instructions.Trim()).Append('\n');
        }
        text.Append("Fields:\n");
        foreach (var field in fields)
        {
            text.Append("- ").Append(field.Name).Append(": ");
            text.Append(IsLabel(field)
                ? string.Join(", ", field.Labels)
                : string.Create(CultureInfo.InvariantCulture, $"{(string.Equals(field.Kind, "value", StringComparison.OrdinalIgnoreCase) ? "value" : "note")}, at most {field.MaxLength} characters, may be empty"));
            text.Append('.');
            if (!string.IsNullOrWhiteSpace(field.Instruction))
            {
                text.Append(' ').Append(field.Instruction.Trim());
            }
            text.Append('\n');
        }
        text.Append("Answer with JSON: {\"rows\": {\"N\": {fields}}} for every N.");
        return text.ToString();
    }

    private static List<RowField> Validate(AnnotationProfile profile)
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var field in profile.RowFields)
        {
            string? problem = null;
            if (string.IsNullOrWhiteSpace(field.Name))
            {
                problem = "a row field has no Name";
            }
            else if (!names.Add(field.Name))
            {
                problem = $"row field '{field.Name}' is defined twice";
            }
            else if (field.Kind?.ToLowerInvariant() is not ("label" or "value" or "note"))
            {
                problem = $"row field '{field.Name}' has Kind '{field.Kind}'; use label, value or note";
            }
            else if (IsLabel(field) && field.Labels.All(string.IsNullOrWhiteSpace))
            {
                problem = $"label field '{field.Name}' has no Labels";
            }
            else if (!IsLabel(field) && field.MaxLength < 1)
            {
                problem = $"row field '{field.Name}' has MaxLength {field.MaxLength}; it must be at least 1";
            }
            if (problem is not null)
            {
                throw new AnnotationException(FailureReason.InvalidRequest, $"Profile '{profile.Name}' cannot be used for row annotations: {problem}.");
            }
        }
        return profile.RowFields
            .Select(f => IsLabel(f)
                ? new RowField { Name = f.Name, Kind = "label", Labels = f.Labels.Where(l => !string.IsNullOrWhiteSpace(l)).Distinct(StringComparer.Ordinal).ToList(), Instruction = f.Instruction, MaxLength = f.MaxLength }
                : f)
            .ToList();
    }
}
