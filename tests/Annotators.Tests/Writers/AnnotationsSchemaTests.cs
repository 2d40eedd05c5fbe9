using System.Text.Json.Nodes;
using Annotate.Annotators.Writers.Json;

namespace Annotate.Annotators.Tests.Writers;

public class AnnotationsSchemaTests
{
    private static JsonObject Minimal() => new()
    {
        ["$schema"] = AnnotationsSchema.Id,
        ["schemaVersion"] = "1.0",
        ["documentId"] = "doc-1",
        ["generatedAt"] = "2025-05-06T07:08:09+00:00",
        ["generator"] = new JsonObject { ["name"] = "annotate", ["version"] = "1.0.0" },
        ["source"] = new JsonObject { ["fileName"] = "a.pdf", ["format"] = "pdf", ["sizeBytes"] = 10 },
        ["properties"] = new JsonObject(),
        ["outline"] = new JsonArray(),
        ["sheets"] = new JsonArray(),
        ["blocks"] = new JsonArray(),
        ["language"] = null,
        ["blockLanguages"] = new JsonArray(),
        ["entities"] = new JsonArray(),
        ["columns"] = new JsonArray(),
        ["notices"] = new JsonArray(),
        ["annotators"] = new JsonArray(),
        ["extensions"] = new JsonObject { ["anything"] = new JsonArray(1, "two") },
    };

    [Fact]
    public void A_minimal_document_validates()
    {
        Assert.Empty(AnnotationsSchema.Validate(Minimal()));
    }

    [Fact]
    public void A_document_without_schema_version_fails_naming_the_property()
    {
        var json = Minimal();
        json.Remove("schemaVersion");
        var errors = AnnotationsSchema.Validate(json);
        Assert.NotEmpty(errors);
        Assert.Contains(errors, e => e.Contains("schemaVersion", StringComparison.Ordinal));
    }

    [Fact]
    public void Wrong_types_and_unknown_members_fail()
    {
        var wrongType = Minimal();
        wrongType["source"]!["sizeBytes"] = "ten";
        Assert.Contains(AnnotationsSchema.Validate(wrongType), e => e.Contains("/source/sizeBytes", StringComparison.Ordinal));

        var unknownMember = Minimal();
        unknownMember["surprise"] = true;
        Assert.NotEmpty(AnnotationsSchema.Validate(unknownMember));

        var badEntity = Minimal();
        badEntity["entities"] = new JsonArray(new JsonObject { ["type"] = "iban", ["text"] = "x", ["value"] = "x", ["annotator"] = "p" });
        Assert.Contains(AnnotationsSchema.Validate(badEntity), e => e.Contains("/entities/0", StringComparison.Ordinal));

        var badDate = Minimal();
        badDate["generatedAt"] = "yesterday";
        Assert.NotEmpty(AnnotationsSchema.Validate(badDate));
    }

    [Fact]
    public void Every_property_in_the_schema_is_described()
    {
        var schema = JsonNode.Parse(AnnotationsSchema.Text)!;
        var undocumented = new List<string>();
        Walk(schema, "#", undocumented);
        Assert.Empty(undocumented);
        Assert.Equal("https://json-schema.org/draft/2020-12/schema", (string?)schema["$schema"]);
        Assert.Equal(AnnotationsSchema.Id, (string?)schema["$id"]);
    }

    // Walks schema objects only (not the maps that hold them), so a property named "properties" is not mistaken
    // for the keyword.
    private static void Walk(JsonNode? node, string path, List<string> undocumented)
    {
        if (node is not JsonObject schema)
        {
            return;
        }
        if (schema["properties"] is JsonObject properties)
        {
            foreach (var (name, property) in properties)
            {
                var target = property is JsonObject p && p["$ref"] is JsonValue reference ? Resolve((string)reference!) : property;
                if (target is not JsonObject described || described["description"] is null)
                {
                    undocumented.Add($"{path}/properties/{name}");
                }
                Walk(property, $"{path}/properties/{name}", undocumented);
            }
        }
        if (schema["$defs"] is JsonObject definitions)
        {
            foreach (var (name, definition) in definitions)
            {
                Walk(definition, $"{path}/$defs/{name}", undocumented);
            }
        }
        Walk(schema["items"], path + "/items", undocumented);
        if (schema["oneOf"] is JsonArray options)
        {
            for (var i = 0; i < options.Count; i++)
            {
                Walk(options[i], $"{path}/oneOf/{i}", undocumented);
            }
        }
    }

    private static JsonNode? Resolve(string reference)
    {
        var schema = JsonNode.Parse(AnnotationsSchema.Text)!;
        JsonNode? node = schema;
        foreach (var part in reference.TrimStart('#', '/').Split('/'))
        {
            node = node?[part];
        }
        return node;
    }
}
