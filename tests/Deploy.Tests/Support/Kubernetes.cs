namespace Annotate.Deploy.Tests.Support;

/// <summary>The manifests of a Kustomize folder under deploy/k8s: the resources its kustomization.yaml lists.</summary>
public sealed class Kubernetes
{
    /// <summary>A value taken from a Secret, in <see cref="Environment"/>: the manifests never hold it.</summary>
    public const string FromSecret = "<from secret>";

    private Kubernetes(string folder, List<Dictionary<string, object?>> documents)
    {
        Folder = folder;
        Documents = documents;
    }

    /// <summary>deploy/k8s/&lt;folder&gt;, relative to the repository.</summary>
    public string Folder { get; }

    public List<Dictionary<string, object?>> Documents { get; }

    public static Kubernetes Load(string folder)
    {
        var kustomization = Yaml.Load(Repository.File($"deploy/k8s/{folder}/kustomization.yaml"));
        var documents = kustomization.List("resources").OfType<string>()
            .Where(r => r.EndsWith(".yaml", StringComparison.Ordinal))
            .SelectMany(r => Yaml.LoadAll(Repository.File($"deploy/k8s/{folder}/{r}")))
            .ToList();
        return new Kubernetes(folder, documents);
    }

    public Dictionary<string, object?> Kustomization => Yaml.Load(Repository.File($"deploy/k8s/{Folder}/kustomization.yaml"));

    public Dictionary<string, object?> Find(string kind, string name) =>
        Documents.SingleOrDefault(d => d.Text("kind") == kind && d.Text("metadata/name") == name)
        ?? throw new KeyNotFoundException($"No {kind} {name} in deploy/k8s/{Folder}");

    public IEnumerable<Dictionary<string, object?>> OfKind(string kind) => Documents.Where(d => d.Text("kind") == kind);

    /// <summary>The one container of a Deployment.</summary>
    public static Dictionary<string, object?> Container(Dictionary<string, object?> deployment) =>
        deployment.List("spec/template/spec/containers").Maps().Single();

    /// <summary>
    /// The environment of a Deployment's container: its ConfigMaps' data, then its own variables; variables from a Secret
    /// hold <see cref="FromSecret"/>. The keys of a whole Secret (<c>envFrom: secretRef</c>) are not known here.
    /// </summary>
    public Dictionary<string, string> Environment(Dictionary<string, object?> deployment)
    {
        var container = Container(deployment);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var source in container.List("envFrom").Maps())
        {
            if (source.Text("configMapRef/name") is { } configMap)
            {
                foreach (var (key, value) in Find("ConfigMap", configMap).Map("data"))
                {
                    environment[key] = value as string ?? "";
                }
            }
        }
        foreach (var variable in container.List("env").Maps())
        {
            environment[variable.Text("name")!] = variable.At("valueFrom/secretKeyRef") is not null ? FromSecret : variable.Text("value") ?? "";
        }
        return environment;
    }
}
