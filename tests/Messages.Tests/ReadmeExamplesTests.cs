using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Annotate.Messages;

namespace Annotate.Messages.Tests;

/// <summary>The README's JSON examples are what other systems copy: they must deserialize into the contracts exactly.</summary>
public partial class ReadmeExamplesTests
{
    private static readonly JsonSerializerOptions Strict = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public static TheoryData<string> Contracts =>
        new(typeof(AnnotateDocument).Assembly.GetExportedTypes().Where(t => t.IsSealed && t.Name.StartsWith("Document", StringComparison.Ordinal) || t == typeof(AnnotateDocument)).Select(t => t.Name));

    [Theory]
    [MemberData(nameof(Contracts))]
    public void Readme_example_deserializes_into_the_contract_and_names_every_property(string contract)
    {
        var type = typeof(AnnotateDocument).Assembly.GetType($"Annotate.Messages.{contract}")!;
        var examples = Examples();
        Assert.True(examples.TryGetValue(contract, out var json), $"README has no example for {contract}");

        var message = JsonSerializer.Deserialize(json, type, Strict);

        Assert.NotNull(message);
        using var document = JsonDocument.Parse(json);
        var names = document.RootElement.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            Assert.Contains(JsonNamingPolicy.CamelCase.ConvertName(property.Name), names);
        }
    }

    [Fact]
    public void A_command_without_a_required_field_is_rejected()
    {
        var json = """{ "documentId": "a", "fileName": "a.pdf" }""";
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<AnnotateDocument>(json, Strict));
    }

    [Fact]
    public void Contracts_round_trip_through_json()
    {
        var annotated = new DocumentAnnotated
        {
            DocumentId = "d1",
            OutputUri = "/out/d1",
            Outputs = [new OutputFile { Name = "annotations.json", Kind = "annotations", MediaType = "application/json", SizeBytes = 10 }],
            Digest = new AnnotationDigest { Format = "pdf", Entities = new Dictionary<string, int> { ["date"] = 2 } },
            Timings = new StageTimings { ReadMs = 1.5, TotalMs = 3 },
            CompletedAt = new DateTimeOffset(2024, 3, 15, 9, 30, 0, TimeSpan.Zero),
        };

        var json = JsonSerializer.Serialize(annotated, Strict);
        var back = JsonSerializer.Deserialize<DocumentAnnotated>(json, Strict)!;

        Assert.Contains("\"completedAt\":\"2024-03-15T09:30:00+00:00\"", json);
        Assert.Equal(2, back.Digest.Entities["date"]);
        Assert.Equal("annotations.json", back.Outputs.Single().Name);
    }

    private static Dictionary<string, string> Examples()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Annotate.sln")))
        {
            dir = dir.Parent;
        }
        var readme = File.ReadAllText(Path.Combine(dir!.FullName, "README.md"));
        return Example().Matches(readme).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
    }

    [GeneratedRegex(@"<!-- message: (\w+) -->\s*```json\s*(.*?)```", RegexOptions.Singleline)]
    private static partial Regex Example();
}
