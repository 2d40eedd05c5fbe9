using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Annotate.Annotators.Writers.Json;

/// <summary>The JSON Schema (draft 2020-12) of <c>annotations.json</c>, embedded in the assembly, and a validator for it.</summary>
public static class AnnotationsSchema
{
    /// <summary>The schema's <c>$id</c>, which every <c>annotations.json</c> names in its <c>$schema</c> property.</summary>
    public const string Id = "https://annotate.local/schemas/annotations-1.1.json";

    /// <summary>The version of the annotations.json format this schema describes (1.1 adds optional model sections; 1.0 documents stay valid).</summary>
    public const string Version = "1.1";

    private const string ResourceName = "Annotate.Annotators.Schemas.annotations.schema.json";

    private static readonly Lazy<string> LazyText = new(ReadText);

    // A private registry: building into the global one would fail the second time the same $id is registered.
    private static readonly Lazy<JsonSchema> LazySchema = new(() =>
        JsonSchema.FromText(LazyText.Value, new BuildOptions { SchemaRegistry = new SchemaRegistry() }));

    /// <summary>The schema as JSON text.</summary>
    public static string Text => LazyText.Value;

    /// <summary>The schema, built once.</summary>
    public static JsonSchema Schema => LazySchema.Value;

    /// <summary>Validates a document against the schema; returns one message per error (instance location and reason), empty when valid.</summary>
    public static IReadOnlyList<string> Validate(JsonNode? document)
    {
        var element = JsonSerializer.SerializeToElement(document, JsonNodeContext.Default.JsonNode);
        var results = Schema.Evaluate(element, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
        if (results.IsValid)
        {
            return [];
        }
        var errors = new List<string>();
        Collect(results, errors);
        if (errors.Count == 0)
        {
            errors.Add("The document does not match the annotations.json schema.");
        }
        return errors;
    }

    private static void Collect(EvaluationResults results, List<string> errors)
    {
        if (results.Errors is { } own)
        {
            foreach (var (keyword, message) in own)
            {
                var location = results.InstanceLocation.ToString();
                errors.Add($"{(location.Length == 0 ? "/" : location)}: {message} ({keyword})");
            }
        }
        if (results.Details is { } details)
        {
            foreach (var detail in details)
            {
                Collect(detail, errors);
            }
        }
    }

    private static string ReadText()
    {
        using var stream = typeof(AnnotationsSchema).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource {ResourceName} is missing from {typeof(AnnotationsSchema).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(JsonNode))]
internal sealed partial class JsonNodeContext : System.Text.Json.Serialization.JsonSerializerContext;
