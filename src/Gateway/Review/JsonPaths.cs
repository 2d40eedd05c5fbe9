using System.Globalization;
using System.Text.Json.Nodes;

namespace Annotate.Gateway.Review;

/// <summary>Sets a value in a JSON object by an extracted field's path (<c>total</c>, <c>seller.name</c>, <c>lines[2].amount</c>).</summary>
public static class JsonPaths
{
    /// <summary>Sets <paramref name="path"/> in <paramref name="root"/> to <paramref name="value"/>; false when the path does not lead there.</summary>
    public static bool Set(JsonObject root, string path, JsonNode? value)
    {
        JsonNode? node = root;
        var steps = Parse(path);
        if (steps is null || steps.Count == 0)
        {
            return false;
        }
        for (var i = 0; i < steps.Count - 1; i++)
        {
            node = steps[i] switch
            {
                string name when node is JsonObject o => o[name],
                int index when node is JsonArray a && index < a.Count => a[index],
                _ => null,
            };
            if (node is null)
            {
                return false;
            }
        }
        switch (steps[^1])
        {
            case string name when node is JsonObject o:
                o[name] = value;
                return true;
            case int index when node is JsonArray a && index < a.Count:
                a[index] = value;
                return true;
            default:
                return false;
        }
    }

    private static List<object>? Parse(string path)
    {
        var steps = new List<object>();
        foreach (var part in path.Split('.'))
        {
            var bracket = part.IndexOf('[', StringComparison.Ordinal);
            var name = bracket < 0 ? part : part[..bracket];
            if (name.Length > 0)
            {
                steps.Add(name);
            }
            for (var rest = bracket < 0 ? "" : part[bracket..]; rest.Length > 0;)
            {
                var close = rest.IndexOf(']', StringComparison.Ordinal);
                if (!rest.StartsWith('[') || close < 0 || !int.TryParse(rest[1..close], NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                {
                    return null;
                }
                steps.Add(index);
                rest = rest[(close + 1)..];
            }
        }
        return steps;
    }
}
