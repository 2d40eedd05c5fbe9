using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Annotate.Annotators.Annotations;
using Annotate.Annotators.Builtin;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Models.Tasks;

namespace Annotate.Annotators.KeyValues;

/// <summary>
/// Fills the top-level fields of a profile's extraction schema from label/value pairs when no model runs: each field's
/// name (and description) is normalised to a key like a label, takes the first pair of that key whose value fits the
/// field's type (a number, a date, an enum member, a string within its length), and is located where that value is.
/// </summary>
internal static partial class SchemaFiller
{
    /// <summary>Layouts in the order they are trusted: a label with its value on one line before a value in the cell below.</summary>
    private static readonly string[] LayoutOrder = [PairLayouts.Inline, PairLayouts.Beside, PairLayouts.CellRight, PairLayouts.Below, PairLayouts.CellBelow];

    public static (JsonObject Values, List<ExtractedField> Fields) Fill(
        JsonNode schema, IReadOnlyList<KeyValueItem> pairs, IssuerAnnotation? issuer, IReadOnlyList<EntityAnnotation> entities,
        KeyNormaliser normaliser, EntityRecognizer recognizer, CancellationToken cancellationToken)
    {
        var values = new JsonObject();
        var fields = new List<ExtractedField>();
        if (schema["properties"] is not JsonObject properties)
        {
            return (values, fields);
        }
        var names = properties.Select(p => p.Key).ToList();
        var keys = normaliser.NormaliseFields(names.Select(n => FieldLabel(n, properties[n])).ToList(), cancellationToken);
        var ordered = pairs.OrderBy(p => Array.IndexOf(LayoutOrder, p.Layout)).ToList();
        for (var i = 0; i < names.Count; i++)
        {
            var name = names[i];
            if (properties[name] is not JsonObject field || keys[i] is not { } key)
            {
                continue;
            }
            var filled = key.Key switch
            {
                KeyVocabulary.Issuer when issuer is not null && Convert(field, issuer.Name, recognizer) is { } value =>
                    (value, issuer.Name, issuer.Location, "issuer:" + issuer.Method),
                KeyVocabulary.Currency when ordered.All(p => p.Key != KeyVocabulary.Currency) => Currency(field, ordered, entities),
                _ => ordered.Where(p => p.Key == key.Key)
                    .Select(p => Convert(field, p.Value, recognizer) is { } value ? (value, p.Value, p.Location, "key-value:" + key.Key) : default)
                    .FirstOrDefault(f => f.Item1 is not null),
            };
            if (filled.Item1 is null)
            {
                continue;
            }
            values[name] = filled.Item1;
            fields.Add(new ExtractedField
            {
                Path = "/" + name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal),
                Value = filled.Item1.DeepClone(),
                Grounded = true,
                Status = ExtractedField.GroundedStatus,
                Location = filled.Item3,
                Text = filled.Item2,
                FoundBy = filled.Item4,
            });
        }
        return (values, fields);
    }

    /// <summary>A field's name as words (<c>invoiceNumber</c> → <c>invoice Number</c>), which is how it is matched to a key.</summary>
    internal static string FieldLabel(string name, JsonNode? field)
    {
        var words = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (i > 0 && char.IsUpper(c) && char.IsLower(name[i - 1]))
            {
                words.Append(' ');
            }
            words.Append(c is '_' or '-' ? ' ' : c);
        }
        // The description helps only where the name alone is not a key's name.
        return KeyVocabulary.ByLabel(words.ToString()) is null && field?["description"] is JsonValue d && d.TryGetValue<string>(out var text) && text.Length <= 200
            ? words + ": " + text
            : words.ToString();
    }

    /// <summary>The value as the field's type wants it, or null when it does not fit.</summary>
    private static JsonNode? Convert(JsonObject field, string text, EntityRecognizer recognizer)
    {
        var types = Types(field);
        var isDate = field["format"] is JsonValue f && f.TryGetValue<string>(out var format) && format is "date" or "date-time";
        if (types.Contains("number") || types.Contains("integer"))
        {
            var number = Number(text, recognizer);
            if (number is { } n && (types.Contains("number") || (n == Math.Round(n) && n is >= long.MinValue and <= long.MaxValue)))
            {
                return types.Contains("number") ? JsonValue.Create(n) : JsonValue.Create(decimal.ToInt64(n));
            }
            if (!types.Contains("string"))
            {
                return null;
            }
        }
        if (!types.Contains("string"))
        {
            return null;
        }
        if (isDate)
        {
            return recognizer.Find(text).FirstOrDefault(e => e.Type == EntityTypes.Date) is { } date ? JsonValue.Create(date.Value[..Math.Min(10, date.Value.Length)]) : null;
        }
        if (field["enum"] is JsonArray allowed)
        {
            return allowed.Select(AsString).FirstOrDefault(a => string.Equals(a, text, StringComparison.OrdinalIgnoreCase)) is { } member ? JsonValue.Create(member) : null;
        }
        var max = field["maxLength"] is JsonValue m && m.TryGetValue<int>(out var length) ? length : int.MaxValue;
        return text.Length <= max ? JsonValue.Create(text) : null;
    }

    private static HashSet<string> Types(JsonObject field) => field["type"] switch
    {
        JsonValue single when single.TryGetValue<string>(out var t) => [t],
        JsonArray many => many.Select(t => AsString(t) ?? "").ToHashSet(StringComparer.Ordinal),
        _ => ["string"],
    };

    /// <summary>A schema member that should be a string, or null when the user's schema put something else there.</summary>
    private static string? AsString(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    /// <summary>The amount or number a value states: the money the recognizer reads, else the one number in it.</summary>
    private static decimal? Number(string text, EntityRecognizer recognizer)
    {
        if (recognizer.Find(text).FirstOrDefault(e => e.Type == EntityTypes.Money) is { } money
            && decimal.TryParse(money.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var amount))
        {
            return amount;
        }
        var numbers = NumberText().Matches(text);
        if (numbers.Count != 1)
        {
            return null;
        }
        // "1,190" reads as 1.19 or 1190; on a business document the grouped reading is the likely one.
        var readings = Grounding.NumberReadings(numbers[0].Value);
        return readings.Count > 0 ? readings[^1] : null;
    }

    private static (JsonNode?, string, SourceLocation, string) Currency(JsonObject field, List<KeyValueItem> pairs, IReadOnlyList<EntityAnnotation> entities)
    {
        // The currency of the total, else of the first amount the document states.
        var total = pairs.FirstOrDefault(p => p.Key == KeyVocabulary.Total);
        var money = entities.Where(e => e.Type == EntityTypes.Money && e.Currency is not null)
            .OrderByDescending(e => total is not null && total.Value.Contains(e.Text, StringComparison.Ordinal))
            .FirstOrDefault();
        if (money is null || !Types(field).Contains("string"))
        {
            return default;
        }
        return (JsonValue.Create(money.Currency), money.Text, money.Location, "entity:" + EntityTypes.Money);
    }

    [GeneratedRegex(@"[-\u2212]?\d[\d.,'\u00A0\u202F ]*\d|\d", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex NumberText();
}
