using System.Text.Json.Nodes;

namespace Annotate.Annotators.Tests.Support;

/// <summary>annotations.json text for comparing two runs of a document: what differs from run to run taken out.</summary>
public static class AnnotationsJsonText
{
    /// <summary><paramref name="json"/> without every property named in <paramref name="keys"/>, at any depth.</summary>
    public static string Without(string json, params string[] keys)
    {
        var node = JsonNode.Parse(json)!;
        Strip(node, keys);
        return node.ToJsonString();
    }

    private static void Strip(JsonNode? node, string[] keys)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var key in obj.Select(p => p.Key).ToList())
                {
                    if (keys.Contains(key, StringComparer.Ordinal))
                    {
                        obj.Remove(key);
                    }
                    else
                    {
                        Strip(obj[key], keys);
                    }
                }
                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    Strip(item, keys);
                }
                break;
        }
    }
}
