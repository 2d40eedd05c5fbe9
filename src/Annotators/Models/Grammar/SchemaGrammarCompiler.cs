using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Annotate.Annotators.Models.Grammar;

/// <summary>One compilation of a schema into GBNF rules; see <see cref="JsonSchemaGrammar"/> for what is supported.</summary>
internal sealed class SchemaGrammarCompiler
{
    // Keywords that only describe; they never change which values are valid.
    private static readonly HashSet<string> Annotations = new(StringComparer.Ordinal)
    {
        "$schema", "$id", "$comment", "$anchor", "$defs", "definitions", "title", "description", "default", "examples",
        "deprecated", "readOnly", "writeOnly", "contentMediaType", "contentEncoding",
    };

    private static readonly HashSet<string> Supported = new(StringComparer.Ordinal)
    {
        "type", "enum", "const", "anyOf", "oneOf", "$ref",
        "properties", "required", "additionalProperties",
        "items", "minItems", "maxItems", "uniqueItems",
        "minLength", "maxLength", "format", "pattern",
    };

    private static readonly string[] KnownTypes = ["object", "array", "string", "number", "integer", "boolean", "null"];

    // Literals keep non-ASCII text as is: the model writes "é", not "\u00E9".
    private static readonly JsonSerializerOptions LiteralJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly JsonNode _root;
    private readonly GrammarOptions _options;
    private readonly List<string> _order = [];
    private readonly Dictionary<string, string> _rules = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _ruleByBody = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _ruleByExpansion = new(StringComparer.Ordinal);
    private readonly List<string> _refStack = [];

    public SchemaGrammarCompiler(JsonNode root, GrammarOptions options)
    {
        _root = root;
        _options = options;
    }

    public string Compile()
    {
        // Reserve "root" so no other rule takes the name, then fill it in.
        _order.Add(JsonSchemaGrammar.RootRule);
        _rules[JsonSchemaGrammar.RootRule] = "";
        _order.Add("ws");
        _rules["ws"] = _options.MaxWhitespace == 0 ? "\"\"" : $"[ \\t\\n]{{0,{_options.MaxWhitespace}}}";
        _refStack.Add("#");
        _rules[JsonSchemaGrammar.RootRule] = Value(_root, "#", "value")
            ?? throw new ArgumentException($"The schema is recursive without a way out: no value fits within {_options.MaxRecursionDepth} levels of recursion (Annotate:Model:Grammar:MaxRecursionDepth).", "schema");

        var gbnf = new StringBuilder();
        foreach (var name in _order)
        {
            gbnf.Append(name).Append(" ::= ").Append(_rules[name]).Append('\n');
        }
        return gbnf.ToString();
    }

    /// <summary>
    /// A GBNF expression matching the JSON values <paramref name="schema"/> accepts, without surrounding whitespace; null
    /// when no value fits because every way through needs recursion deeper than allowed.
    /// </summary>
    private string? Value(JsonNode? schema, string path, string hint)
    {
        switch (schema)
        {
            case JsonValue value when value.GetValueKind() == JsonValueKind.True:
                return AnyValue();
            case JsonValue value when value.GetValueKind() == JsonValueKind.False:
                throw new ArgumentException($"The schema at {path} is 'false', which no value satisfies.", nameof(schema));
            case JsonObject obj:
                return ObjectSchema(obj, path, hint);
            default:
                throw new ArgumentException($"The schema at {path} must be an object or a boolean, not {Describe(schema)}.", nameof(schema));
        }
    }

    private string? ObjectSchema(JsonObject schema, string path, string hint)
    {
        foreach (var keyword in schema.Select(p => p.Key))
        {
            if (!Supported.Contains(keyword) && !Annotations.Contains(keyword))
            {
                throw Unsupported(keyword, path);
            }
        }
        var constraining = schema.Select(p => p.Key).Where(k => !Annotations.Contains(k)).ToList();

        if (schema["$ref"] is { } reference)
        {
            RequireAlone("$ref", constraining, path);
            return Reference(reference, path);
        }
        foreach (var combinator in new[] { "anyOf", "oneOf" })
        {
            if (schema[combinator] is { } alternatives)
            {
                RequireAlone(combinator, constraining, path);
                if (alternatives is not JsonArray { Count: > 0 } list)
                {
                    throw new ArgumentException($"'{combinator}' at {path} must be a non-empty array of schemas.", nameof(schema));
                }
                return Alternatives(list.Select((alt, i) => Value(alt, $"{path}/{combinator}/{i}", $"{hint}-{i}")));
            }
        }

        var types = Types(schema, path);
        if (schema["const"] is var constant && schema.ContainsKey("const"))
        {
            return Literal(constant, types, path, "const");
        }
        if (schema.ContainsKey("enum"))
        {
            if (schema["enum"] is not JsonArray { Count: > 0 } values)
            {
                throw new ArgumentException($"'enum' at {path} must be a non-empty array.", nameof(schema));
            }
            return Alternatives(values.Select(v => Literal(v, types, path, "enum")).Distinct(StringComparer.Ordinal))!;
        }
        if (types.Count == 0)
        {
            return AnyValue();
        }
        return Alternatives(types.Select(type => type switch
        {
            "object" => ObjectValue(schema, path, hint),
            "array" => ArrayValue(schema, path, hint),
            "string" => StringValue(schema, path),
            "number" => Rule("number", """ "-"? ( "0" | [1-9] [0-9]{0,14} ) ( "." [0-9]{1,6} )? """.Trim()),
            "integer" => Rule("integer", """ "-"? ( "0" | [1-9] [0-9]{0,14} ) """.Trim()),
            "boolean" => Rule("boolean", "\"true\" | \"false\""),
            _ => "\"null\"",
        }));
    }

    /// <summary>The types the schema allows; inferred from the keywords when <c>type</c> is absent, empty for "any value".</summary>
    private static List<string> Types(JsonObject schema, string path)
    {
        var declared = schema["type"];
        if (declared is null)
        {
            if (schema.ContainsKey("properties") || schema.ContainsKey("required"))
            {
                return ["object"];
            }
            if (schema.ContainsKey("items") || schema.ContainsKey("minItems") || schema.ContainsKey("maxItems"))
            {
                return ["array"];
            }
            if (schema.ContainsKey("minLength") || schema.ContainsKey("maxLength") || schema.ContainsKey("format") || schema.ContainsKey("pattern"))
            {
                return ["string"];
            }
            return [];
        }
        var names = declared switch
        {
            JsonValue v when v.GetValueKind() == JsonValueKind.String => [v.GetValue<string>()],
            JsonArray { Count: > 0 } a when a.All(t => t?.GetValueKind() == JsonValueKind.String) => a.Select(t => t!.GetValue<string>()).ToList(),
            _ => throw new ArgumentException($"'type' at {path} must be a type name or a non-empty array of type names.", nameof(schema)),
        };
        foreach (var name in names.Where(n => !KnownTypes.Contains(n)))
        {
            throw new ArgumentException($"'type' at {path} names unknown type '{name}'.", nameof(schema));
        }
        // "number" already admits every integer; writing both would make the grammar ambiguous for no gain.
        if (names.Contains("number"))
        {
            names.Remove("integer");
        }
        return names.Distinct(StringComparer.Ordinal).ToList();
    }

    private string? ObjectValue(JsonObject schema, string path, string hint)
    {
        var properties = schema["properties"] switch
        {
            null => new List<KeyValuePair<string, JsonNode?>>(),
            JsonObject p => p.ToList(),
            _ => throw new ArgumentException($"'properties' at {path} must be an object.", nameof(schema)),
        };
        var required = schema["required"] switch
        {
            null => new HashSet<string>(StringComparer.Ordinal),
            JsonArray r when r.All(n => n?.GetValueKind() == JsonValueKind.String) => r.Select(n => n!.GetValue<string>()).ToHashSet(StringComparer.Ordinal),
            _ => throw new ArgumentException($"'required' at {path} must be an array of property names.", nameof(schema)),
        };
        foreach (var name in required.Where(n => properties.All(p => p.Key != n)))
        {
            throw new ArgumentException($"'required' at {path} names '{name}', which is not declared in 'properties'; only declared properties can be generated.", nameof(schema));
        }
        if (schema["additionalProperties"] is { } additional && additional.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
        {
            throw Unsupported("additionalProperties", path, "only true or false; a schema for extra properties is not");
        }

        // Properties are written in declaration order. Two rule families keep the commas right whichever optional
        // properties are left out: first_i writes the rest from property i when nothing was written yet, next_i when
        // something was (so each property it writes is preceded by a comma).
        // Bodies stay pending until a rule refers to them, so no unused rule is written.
        string? firstBody = null;
        string? nextBody = null;
        for (var i = properties.Count - 1; i >= 0; i--)
        {
            var (name, propertySchema) = properties[i];
            var value = Value(propertySchema, $"{path}/properties/{EscapePointer(name)}", $"{hint}-{name}");
            if (value is null)
            {
                if (required.Contains(name))
                {
                    return null;
                }
                // An optional property that could only recurse further is simply never written.
                continue;
            }
            var member = $"{Quote(JsonSerializer.Serialize(name, LiteralJson))} ws \":\" ws {value} ws";
            var withComma = $"\",\" ws {member}";
            var next = nextBody is null ? null : Rule($"{hint}-next-{i + 1}", nextBody);
            if (required.Contains(name))
            {
                firstBody = Sequence(member, next);
                nextBody = Sequence(withComma, next);
            }
            else
            {
                var first = firstBody is null ? null : Rule($"{hint}-first-{i + 1}", firstBody);
                firstBody = first is null ? $"( {Sequence(member, next)} )?" : $"( {Sequence(member, next)} | {first} )";
                nextBody = next is null ? $"( {withComma} )?" : $"( {Sequence(withComma, next)} | {next} )";
            }
        }
        return Rule(hint, Sequence("\"{\" ws", firstBody is null ? null : Rule($"{hint}-first-0", firstBody), "\"}\""));
    }

    private string? ArrayValue(JsonObject schema, string path, string hint)
    {
        if (schema["uniqueItems"] is { } unique && unique.GetValueKind() == JsonValueKind.True)
        {
            throw Unsupported("uniqueItems", path, "the grammar cannot prevent repeated items");
        }
        if (schema["items"] is JsonArray)
        {
            throw Unsupported("items", path, "tuple form (an array of schemas) is not");
        }
        var min = Count(schema, "minItems", path) ?? 0;
        var max = Math.Min(Count(schema, "maxItems", path) ?? _options.MaxArrayItems, _options.MaxArrayItems);
        if (min > max)
        {
            throw new ArgumentException($"'minItems' {min} at {path} is above the most items allowed ({max}; maxItems or Annotate:Model:Grammar:MaxArrayItems).", nameof(schema));
        }
        if (max == 0)
        {
            return Rule(hint, "\"[\" ws \"]\"");
        }
        var itemValue = Value(schema["items"] ?? JsonValue.Create(true), $"{path}/items", $"{hint}-item");
        if (itemValue is null)
        {
            return min == 0 ? Rule(hint, "\"[\" ws \"]\"") : null;
        }
        var item = $"{itemValue} ws";
        var more = Repeat($"( \",\" ws {item} )", Math.Max(min - 1, 0), max - 1);
        // The items get a rule of their own: llama.cpp counts the rules a repetition expands into against its limit
        // again when a group holding the repetition is itself made optional.
        var items = Rule($"{hint}-items", Sequence(item, more));
        return Rule(hint, min == 0 ? $"\"[\" ws {items}? \"]\"" : $"\"[\" ws {items} \"]\"");
    }

    private string StringValue(JsonObject schema, string path)
    {
        if (schema["format"] is { } format)
        {
            var name = format.GetValueKind() == JsonValueKind.String ? format.GetValue<string>() : format.ToJsonString();
            return name switch
            {
                "date" => DateRules("date", "date-body"),
                "date-time" => DateRules("date-time", "date-body \"T\" time-hour \":\" time-minute \":\" time-minute ( \".\" [0-9]{1,3} )? ( \"Z\" | [+-] time-hour \":\" time-minute )"),
                "uuid" => Rule("uuid", "\"\\\"\" [0-9a-f]{8} \"-\" [0-9a-f]{4} \"-\" [0-9a-f]{4} \"-\" [0-9a-f]{4} \"-\" [0-9a-f]{12} \"\\\"\""),
                _ => throw Unsupported("format", path, $"only 'date', 'date-time' and 'uuid'; '{name}' is not"),
            };
        }
        var min = Count(schema, "minLength", path) ?? 0;
        var max = Math.Min(Count(schema, "maxLength", path) ?? _options.MaxStringLength, _options.MaxStringLength);
        if (min > max)
        {
            throw new ArgumentException($"'minLength' {min} at {path} is above the longest string allowed ({max}; maxLength or Annotate:Model:Grammar:MaxStringLength).", nameof(schema));
        }
        return StringRule(min, max);
    }

    private string StringRule(int min, int max)
    {
        // Control characters must be escaped in JSON; \u escapes are left out so every character is one grammar item
        // (minLength/maxLength then count exactly) and no lone surrogate can be written.
        Rule("char", """[^"\\\x00-\x1F] | "\\" ["\\/bfnrt]""");
        return Rule($"string-{min}-{max}", $"\"\\\"\" {Repeat("char", min, max)} \"\\\"\"");
    }

    private string DateRules(string name, string body)
    {
        // Only real calendar dates: JsonSchema.Net checks them when format validation is on.
        Rule("date-day28", "\"0\" [1-9] | \"1\" [0-9] | \"2\" [0-8]");
        Rule("date-body", "date-year \"-\" ( ( \"01\" | \"03\" | \"05\" | \"07\" | \"08\" | \"10\" | \"12\" ) \"-\" ( date-day28 | \"29\" | \"30\" | \"31\" ) | ( \"04\" | \"06\" | \"09\" | \"11\" ) \"-\" ( date-day28 | \"29\" | \"30\" ) | \"02-\" date-day28 ) | date-leap-year \"-02-29\"");
        Rule("date-year", "[1-9] [0-9]{3}");
        Rule("date-leap-year", "[1-9] [0-9] ( [02468] [48] | [13579] [26] | [2468] \"0\" ) | ( [13579] [26] | [2468] [048] ) \"00\"");
        Rule("time-hour", "[01] [0-9] | \"2\" [0-3]");
        Rule("time-minute", "[0-5] [0-9]");
        return Rule(name, $"\"\\\"\" {body} \"\\\"\"");
    }

    /// <summary>An arbitrary JSON value for <c>{}</c>/<c>true</c> schemas, nested at most two levels so it stays bounded.</summary>
    private string AnyValue()
    {
        var text = StringRule(0, _options.MaxStringLength);
        var number = Rule("number", """ "-"? ( "0" | [1-9] [0-9]{0,14} ) ( "." [0-9]{1,6} )? """.Trim());
        var boolean = Rule("boolean", "\"true\" | \"false\"");
        var scalar = Rule("any-scalar", $"{text} | {number} | {boolean} | \"null\"");
        var max = _options.MaxArrayItems;
        var elements = Rule("any-elements", Sequence($"{scalar} ws", Repeat($"( \",\" ws {scalar} ws )", 0, max - 1)));
        var member = $"{text} ws \":\" ws {scalar} ws";
        var members = Rule("any-members", Sequence(member, Repeat($"( \",\" ws {member} )", 0, max - 1)));
        var array = $"\"[\" ws {elements}? \"]\"";
        var obj = $"\"{{\" ws {members}? \"}}\"";
        return Rule("any-value", $"{scalar} | {array} | {obj}");
    }

    private string? Reference(JsonNode reference, string path)
    {
        if (reference.GetValueKind() != JsonValueKind.String)
        {
            throw new ArgumentException($"'$ref' at {path} must be a string.", nameof(reference));
        }
        var target = reference.GetValue<string>();
        if (!target.StartsWith('#'))
        {
            throw Unsupported("$ref", path, $"only local references ('#/$defs/…'); '{target}' is not");
        }
        var node = Resolve(target, path);
        // Recursive schemas are unrolled a bounded number of levels instead of referring back to themselves, so a small
        // model cannot nest forever; past the last level only the ways out (empty arrays, absent optional properties,
        // other alternatives) remain.
        if (_refStack.Count(r => r == target) >= _options.MaxRecursionDepth)
        {
            return null;
        }
        var expansion = string.Join(' ', _refStack) + " > " + target;
        if (_ruleByExpansion.TryGetValue(expansion, out var existing))
        {
            return existing;
        }
        _refStack.Add(target);
        try
        {
            var hint = "ref-" + Uri.UnescapeDataString(target.Split('/')[^1]);
            var body = Value(node, target, hint);
            // Objects and arrays already come back as a rule of their own; wrapping it again would only add a hop.
            var name = body is null ? null : _rules.ContainsKey(body) ? body : Rule(hint, body);
            if (name is not null)
            {
                _ruleByExpansion[expansion] = name;
            }
            return name;
        }
        finally
        {
            _refStack.RemoveAt(_refStack.Count - 1);
        }
    }

    private JsonNode? Resolve(string reference, string path)
    {
        var node = _root;
        foreach (var raw in reference[1..].Split('/').Skip(1))
        {
            var segment = Uri.UnescapeDataString(raw).Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            node = node switch
            {
                JsonObject obj when obj.TryGetPropertyValue(segment, out var child) && child is not null => child,
                JsonArray array when int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < array.Count && array[index] is { } item => item,
                _ => throw new ArgumentException($"'$ref' '{reference}' at {path} does not resolve to a schema in this document.", nameof(reference)),
            };
        }
        return node;
    }

    private static string Literal(JsonNode? value, List<string> types, string path, string keyword)
    {
        if (types.Count > 0 && !types.Any(t => Matches(value, t)))
        {
            throw new ArgumentException($"'{keyword}' at {path} holds {Describe(value)}, which is not of the declared type ({string.Join(", ", types)}).", nameof(value));
        }
        return Quote(value is null ? "null" : value.ToJsonString(LiteralJson));
    }

    private static bool Matches(JsonNode? value, string type) => (type, value?.GetValueKind() ?? JsonValueKind.Null) switch
    {
        ("null", JsonValueKind.Null) or ("string", JsonValueKind.String) or ("object", JsonValueKind.Object) or ("array", JsonValueKind.Array)
            or ("boolean", JsonValueKind.True or JsonValueKind.False) or ("number", JsonValueKind.Number) => true,
        ("integer", JsonValueKind.Number) => decimal.TryParse(value!.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && decimal.Truncate(d) == d,
        _ => false,
    };

    private static int? Count(JsonObject schema, string keyword, string path)
    {
        if (schema[keyword] is not { } node)
        {
            return null;
        }
        if (node is JsonValue value && value.TryGetValue<int>(out var count) && count >= 0)
        {
            return count;
        }
        throw new ArgumentException($"'{keyword}' at {path} must be a non-negative integer.", nameof(schema));
    }

    private static void RequireAlone(string keyword, List<string> constraining, string path)
    {
        var others = constraining.Where(k => k != keyword).ToList();
        if (others.Count > 0)
        {
            throw Unsupported(others[0], path, $"only alone beside '{keyword}'");
        }
    }

    /// <summary>Adds a rule, sharing one rule between identical bodies, and returns its name.</summary>
    private string Rule(string hint, string body)
    {
        if (_ruleByBody.TryGetValue(body, out var existing))
        {
            return existing;
        }
        var name = Unique(Sanitize(hint));
        _order.Add(name);
        _rules[name] = body;
        _ruleByBody[body] = name;
        return name;
    }

    private string Unique(string name)
    {
        var candidate = name;
        for (var n = 2; _rules.ContainsKey(candidate); n++)
        {
            candidate = $"{name}-{n}";
        }
        return candidate;
    }

    private static string Repeat(string item, int min, int max) => (min, max) switch
    {
        (0, 0) => "",
        (0, 1) => $"{item}?",
        _ when min == max => $"{item}{{{min}}}",
        _ => $"{item}{{{min},{max}}}",
    };

    private static string Sequence(params string?[] parts) => string.Join(' ', parts.Where(p => !string.IsNullOrEmpty(p)));

    private static string? Alternatives(IEnumerable<string?> alternatives)
    {
        var list = alternatives.OfType<string>().ToList();
        return list.Count switch
        {
            0 => null,
            1 => list[0],
            _ => $"( {string.Join(" | ", list)} )",
        };
    }

    /// <summary>A GBNF string literal matching <paramref name="text"/> exactly.</summary>
    internal static string Quote(string text)
    {
        var quoted = new StringBuilder("\"");
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': quoted.Append("\\\""); break;
                case '\\': quoted.Append("\\\\"); break;
                case '\n': quoted.Append("\\n"); break;
                case '\r': quoted.Append("\\r"); break;
                case '\t': quoted.Append("\\t"); break;
                case < ' ': quoted.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:X2}"); break;
                default: quoted.Append(c); break;
            }
        }
        return quoted.Append('"').ToString();
    }

    private static string Sanitize(string hint)
    {
        var name = new StringBuilder();
        foreach (var c in hint)
        {
            var keep = char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-';
            if (keep != '-' || (name.Length > 0 && name[^1] != '-'))
            {
                name.Append(keep);
            }
        }
        var result = name.ToString().Trim('-');
        // Deeply nested hints would make unreadable names; the tail is the informative part.
        if (result.Length > 60)
        {
            result = result[^60..].Trim('-');
        }
        return result.Length == 0 || result == JsonSchemaGrammar.RootRule ? "value" : result;
    }

    private static string EscapePointer(string name) => name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    private static string Describe(JsonNode? node) => node is null ? "null" : node.GetValueKind().ToString().ToLowerInvariant();

    private static ArgumentException Unsupported(string keyword, string path, string? detail = null) =>
        new($"JSON Schema keyword '{keyword}' at {path} is not supported by the grammar compiler{(detail is null ? "" : $" ({detail})")}.");
}
