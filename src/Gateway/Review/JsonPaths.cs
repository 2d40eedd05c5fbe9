using System.Globalization;
using System.Text.Json.Nodes;

namespace Annotate.Gateway.Review;

/// <summary>
/// Sets a value in a JSON object by an extracted field's path: a JSON Pointer as annotations.json writes them
/// (<c>/total</c>, <c>/seller/name</c>, <c>/lines/2/amount</c>), or the dotted form (<c>seller.name</c>, <c>lines[2].amount</c>).
/// </summary>
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
                int index when node is JsonObject o => o[index.ToString(CultureInfo.InvariantCulture)],
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
            case int index when node is JsonObject o:
                o[index.ToString(CultureInfo.InvariantCulture)] = value;
                return true;
            default:
                return false;
        }
    }

    private static List<object>? Parse(string path)
    {
        if (path.StartsWith('/'))
        {
            // RFC 6901: '/'-separated tokens, '~1' for '/' and '~0' for '~'; a number is an array index (or a member name).
            return path[1..].Split('/')
                .Select(token => token.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal))
                .Select(token => token.Length is > 0 and < 10 && token.All(char.IsAsciiDigit) && (token == "0" || token[0] != '0')
                    ? (object)int.Parse(token, CultureInfo.InvariantCulture)
                    : token)
                .ToList();
        }
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
