using System.Text.RegularExpressions;
using Annotate.Integration.Tests.Support;

namespace Annotate.Deploy.Tests.Support;

/// <summary>
/// compose.yaml (with an override such as deploy/compose.gpu.yaml merged over it, as <c>docker compose -f a -f b</c> does
/// for the parts the recipes use) and the values it resolves <c>${VAR}</c>, <c>${VAR:-default}</c> and
/// <c>${VAR:?message}</c> to, from an env file.
/// </summary>
public sealed partial class Compose
{
    private readonly Dictionary<string, object?> _root;
    private readonly IReadOnlyDictionary<string, string> _variables;

    private Compose(Dictionary<string, object?> root, IReadOnlyDictionary<string, string> variables)
    {
        _root = root;
        _variables = variables;
    }

    /// <summary>The repository's compose.yaml, then each override, interpolated with <paramref name="variables"/>.</summary>
    public static Compose Load(IReadOnlyDictionary<string, string> variables, params string[] overrides)
    {
        var root = Yaml.Load(Repository.File("compose.yaml"));
        foreach (var path in overrides)
        {
            Merge(root, Yaml.Load(Repository.File(path)));
        }
        return new Compose(root, variables);
    }

    /// <summary>The repository's compose.yaml with the values of <c>.env.example</c> and, over them, <paramref name="set"/>.</summary>
    public static Compose WithExampleEnv(IReadOnlyDictionary<string, string>? set = null, params string[] overrides)
    {
        var variables = EnvFile(Repository.File(".env.example"));
        foreach (var (key, value) in set ?? new Dictionary<string, string>())
        {
            variables[key] = value;
        }
        return Load(variables, overrides);
    }

    /// <summary>The raw (not interpolated) document.</summary>
    public Dictionary<string, object?> Root => _root;

    public IReadOnlyDictionary<string, Dictionary<string, object?>> Services =>
        _root.Map("services").ToDictionary(s => s.Key, s => (Dictionary<string, object?>)s.Value!);

    /// <summary>A service's environment, interpolated (mapping or list syntax).</summary>
    public Dictionary<string, string> Environment(string service)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        switch (Services[service].At("environment"))
        {
            case Dictionary<string, object?> map:
                foreach (var (key, value) in map)
                {
                    environment[key] = Interpolate(value as string ?? "");
                }
                break;
            case List<object?> list:
                foreach (var item in list.OfType<string>().Select(Interpolate))
                {
                    var parts = item.Split('=', 2);
                    environment[parts[0]] = parts.Length > 1 ? parts[1] : "";
                }
                break;
        }
        return environment;
    }

    /// <summary>A service's command (the arguments after the image's entry point), interpolated.</summary>
    public List<string> Command(string service) => Services[service].List("command").OfType<string>().Select(Interpolate).ToList();

    /// <summary><paramref name="text"/> with compose's variables replaced; a missing required one fails with its message.</summary>
    public string Interpolate(string text) => Variable().Replace(text, match =>
    {
        if (match.Value == "$$")
        {
            return "$";
        }
        var name = match.Groups["name"].Value;
        var set = _variables.TryGetValue(name, out var value) && value.Length > 0;
        return match.Groups["op"].Value switch
        {
            ":-" => set ? value! : match.Groups["arg"].Value,
            ":?" => set ? value! : throw new InvalidOperationException($"compose would stop: {name}: {match.Groups["arg"].Value}"),
            _ => value ?? "",
        };
    });

    /// <summary>The variables of an env file (<c>NAME=value</c> lines; comments and blank lines skipped).</summary>
    public static Dictionary<string, string> EnvFile(string path) =>
        File.ReadAllLines(path)
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split('=', 2))
            .ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "", StringComparer.Ordinal);

    /// <summary>Every variable compose.yaml uses and the default it gives it (null when it has none).</summary>
    public IEnumerable<(string Name, string Operator, string Argument)> Variables() =>
        Variable().Matches(File.ReadAllText(Repository.File("compose.yaml")))
            .Where(m => m.Value != "$$")
            .Select(m => (m.Groups["name"].Value, m.Groups["op"].Value, m.Groups["arg"].Value));

    // Mappings merge key by key; sequences and scalars of the override replace (compose merges some sequences, but the
    // overrides here only add keys).
    private static void Merge(Dictionary<string, object?> target, Dictionary<string, object?> source)
    {
        foreach (var (key, value) in source)
        {
            if (value is Dictionary<string, object?> map && target.TryGetValue(key, out var existing) && existing is Dictionary<string, object?> into)
            {
                Merge(into, map);
            }
            else
            {
                target[key] = value;
            }
        }
    }

    [GeneratedRegex(@"\$\$|\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?<op>:[-?])(?<arg>[^}]*))?\}")]
    private static partial Regex Variable();
}

/// <summary>Files of the repository the tests were built from.</summary>
public static class Repository
{
    public static string File(string relative)
    {
        var path = Path.Combine(TestServices.RepositoryRoot, relative);
        return System.IO.File.Exists(path) ? path : throw new FileNotFoundException($"{relative} is missing", path);
    }

    public static string Root => TestServices.RepositoryRoot;
}
