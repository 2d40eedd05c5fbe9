using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Annotate.Deploy.Tests.Support;

/// <summary>
/// YAML files of the recipes as plain values: mappings as dictionaries, sequences as lists, scalars as strings. Anchors,
/// aliases and merge keys (<c>&lt;&lt;: *x</c>) are resolved the way compose and kustomize resolve them.
/// </summary>
public static class Yaml
{
    /// <summary>Every document of <paramref name="path"/> (a manifest may hold several, separated by <c>---</c>).</summary>
    public static List<Dictionary<string, object?>> LoadAll(string path)
    {
        using var reader = new StringReader(File.ReadAllText(path));
        var stream = new YamlStream();
        stream.Load(new Parser(reader));
        return stream.Documents.Select(d => (Dictionary<string, object?>)Convert(d.RootNode)!).ToList();
    }

    /// <summary>The single document of <paramref name="path"/>.</summary>
    public static Dictionary<string, object?> Load(string path) => LoadAll(path).Single();

    private static object? Convert(YamlNode node) => node switch
    {
        YamlMappingNode mapping => Mapping(mapping),
        YamlSequenceNode sequence => sequence.Children.Select(Convert).ToList(),
        YamlScalarNode scalar => scalar.Value,
        _ => throw new InvalidOperationException($"Unexpected YAML node {node.NodeType}"),
    };

    // A merge key (<<: *anchor, or a list of them) gives the mapping the anchored keys it does not set itself.
    private static Dictionary<string, object?> Mapping(YamlMappingNode mapping)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in mapping.Children.Where(c => ((YamlScalarNode)c.Key).Value != "<<"))
        {
            result[((YamlScalarNode)key).Value!] = Convert(value);
        }
        foreach (var merged in mapping.Children.Where(c => ((YamlScalarNode)c.Key).Value == "<<").Select(c => c.Value))
        {
            var sources = merged is YamlSequenceNode list ? list.Children : [merged];
            foreach (var (key, value) in sources.Select(Convert).Cast<Dictionary<string, object?>>().SelectMany(m => m))
            {
                result.TryAdd(key, value);
            }
        }
        return result;
    }

    /// <summary>The mapping at <paramref name="path"/> (keys separated by '/'), failing with the path when it is missing.</summary>
    public static Dictionary<string, object?> Map(this Dictionary<string, object?> map, string path) =>
        map.At(path) as Dictionary<string, object?> ?? throw new KeyNotFoundException($"No mapping at {path}");

    /// <summary>The mapping at <paramref name="path"/>, or an empty one.</summary>
    public static Dictionary<string, object?> MapOrEmpty(this Dictionary<string, object?> map, string path) =>
        map.At(path) as Dictionary<string, object?> ?? [];

    /// <summary>The sequence at <paramref name="path"/>, or an empty one.</summary>
    public static List<object?> List(this Dictionary<string, object?> map, string path) => map.At(path) as List<object?> ?? [];

    /// <summary>The scalar at <paramref name="path"/>, or null.</summary>
    public static string? Text(this Dictionary<string, object?> map, string path) => map.At(path) as string;

    /// <summary>The value at <paramref name="path"/>, or null when a step is missing.</summary>
    public static object? At(this Dictionary<string, object?> map, string path)
    {
        object? current = map;
        foreach (var step in path.Split('/'))
        {
            current = current is Dictionary<string, object?> m && m.TryGetValue(step, out var next) ? next : null;
        }
        return current;
    }

    /// <summary>The mappings of a sequence (list items that are mappings).</summary>
    public static IEnumerable<Dictionary<string, object?>> Maps(this List<object?> list) => list.OfType<Dictionary<string, object?>>();
}
