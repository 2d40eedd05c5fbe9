using Annotate.Deploy.Tests.Support;
using Annotate.Gateway;
using Annotate.Hosting;
using Annotate.Hosting.PlainJson;
using Annotate.Worker;
using Annotate.Worker.Delivery;

namespace Annotate.Deploy.Tests;

/// <summary>deploy/k8s (the Kustomize base and the GPU overlay) against the code and compose.yaml.</summary>
public sealed class KubernetesTests
{
    private static readonly Kubernetes Base = Kubernetes.Load("base");
    private static Dictionary<string, object?> Gateway => Base.Find("Deployment", "annotate-gateway");
    private static Dictionary<string, object?> Worker => Base.Find("Deployment", "annotate-worker");

    [Fact]
    public void Every_file_the_kustomizations_name_exists()
    {
        foreach (var folder in new[] { "base", "overlays/gpu" })
        {
            var kustomization = Kubernetes.Load(folder).Kustomization;
            foreach (var path in kustomization.List("resources").OfType<string>().Concat(kustomization.List("patches").Maps().Select(p => p.Text("path")!)))
            {
                var full = Path.Combine(Repository.Root, "deploy/k8s", folder, path);
                Assert.True(File.Exists(full) || File.Exists(Path.Combine(full, "kustomization.yaml")), $"{folder}: {path} is missing");
            }
            // Secrets are generated from files that are never committed; their templates are.
            foreach (var generator in kustomization.List("secretGenerator").Maps())
            {
                Assert.All(generator.List("envs").OfType<string>(), env => Repository.File($"deploy/k8s/{folder}/{env}.example"));
            }
        }
    }

    [Fact]
    public void Settings_name_real_options_and_pass_the_hosts_own_validation()
    {
        var gateway = Base.Environment(Gateway);
        var worker = Base.Environment(Worker);
        var apiKeys = Compose.EnvFile(Repository.File("deploy/k8s/base/api-keys.env.example"));
        Assert.All(gateway.Keys.Concat(worker.Keys).Concat(apiKeys.Keys).Where(k => k.StartsWith("Annotate__", StringComparison.Ordinal)),
            key => Assert.Null(Settings.Problem(Settings.Key(key))));
        foreach (var (name, variables, types) in new[] { ("gateway", gateway.Concat(apiKeys).ToDictionary(), Settings.Gateway), ("worker", worker, Settings.Worker) })
        {
            var configuration = Settings.Configuration(variables);
            Assert.Empty(Settings.Failures(configuration, types));
            Assert.True(Settings.Bind<BusOptions>(configuration).UsesRabbitMq, name);
            Assert.Equal(Kubernetes.FromSecret, variables["Annotate__Bus__Password"]);
        }
        Assert.Equal(Kubernetes.FromSecret, gateway["Annotate__State__PostgresConnectionString"]);
        Assert.NotNull(ListenAddress.ReachableFromOtherMachines(Settings.Configuration(gateway)));
        Assert.Contains(Kubernetes.Container(Gateway).List("envFrom").Maps(), e => e.Text("secretRef/name") == "annotate-api-keys");
        // Each secret a container reads is generated, with the key it reads.
        var generated = Base.Kustomization.List("secretGenerator").Maps().ToDictionary(
            g => g.Text("name")!, g => g.List("envs").OfType<string>().SelectMany(e => Compose.EnvFile(Repository.File($"deploy/k8s/base/{e}.example")).Keys).ToHashSet());
        foreach (var reference in new[] { Gateway, Worker }.SelectMany(d => Kubernetes.Container(d).List("env").Maps()).Select(e => e.At("valueFrom/secretKeyRef")).OfType<Dictionary<string, object?>>())
        {
            Assert.Contains(reference.Text("key")!, generated[reference.Text("name")!]);
        }
    }

    [Fact]
    public void The_broker_timeout_and_the_time_limits_agree_with_compose_and_the_broker()
    {
        var compose = Compose.WithExampleEnv(new Dictionary<string, string> { ["RABBITMQ_PASSWORD"] = "x" });
        var configuration = Settings.Configuration(Base.Environment(Worker));
        Assert.Equal(Broker.ConsumerTimeout(), Settings.Bind<BusOptions>(configuration).ConsumerTimeout);
        foreach (var key in new[] { "Annotate__Bus__ConsumerTimeout", "Annotate__Worker__DocumentTimeout", "Annotate__Worker__ShutdownGrace", "Annotate__Bus__QuorumQueues", "Annotate__Bus__Transport" })
        {
            Assert.Equal(compose.Environment("worker")[key], Base.Environment(Worker)[key]);
        }
        // Kubernetes waits longer than the worker lets its documents finish (README: ShutdownGrace + 20 s at least).
        var grace = Settings.Bind<WorkerOptions>(configuration).ShutdownGrace;
        var termination = TimeSpan.FromSeconds(int.Parse(Worker.Text("spec/template/spec/terminationGracePeriodSeconds")!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(termination >= grace + TimeSpan.FromSeconds(20), $"terminationGracePeriodSeconds {termination} is not above ShutdownGrace {grace} + 20 s");
    }

    [Fact]
    public void Keda_scales_the_worker_deployment_on_the_queues_the_workers_consume()
    {
        var scaled = Base.Find("ScaledObject", "annotate-worker");
        Assert.Equal(Worker.Text("metadata/name"), scaled.Text("spec/scaleTargetRef/name"));
        var triggers = scaled.List("spec/triggers").Maps().ToList();
        Assert.All(triggers, t => Assert.Equal("rabbitmq", t.Text("type")));
        Assert.Equal(new[] { WorkQueue.Name, PlainJsonInterface.CommandQueue }.Order(), triggers.Select(t => t.Text("metadata/queueName")!).Order());
        var authentication = Base.Find("TriggerAuthentication", triggers[0].Text("authenticationRef/name")!);
        var secret = authentication.List("spec/secretTargetRef").Maps().Single();
        Assert.Contains(secret.Text("key")!, Compose.EnvFile(Repository.File("deploy/k8s/base/secrets.env.example")).Keys);
        Assert.True(int.Parse(scaled.Text("spec/maxReplicaCount")!, System.Globalization.CultureInfo.InvariantCulture) >= 16);
    }

    [Fact]
    public void Probes_ask_the_real_endpoints_and_ports()
    {
        var container = Kubernetes.Container(Gateway);
        var port = container.List("ports").Maps().Single();
        Assert.Equal(Base.Environment(Gateway)["ASPNETCORE_HTTP_PORTS"], port.Text("containerPort"));
        Assert.Equal("/health/live", container.Text("livenessProbe/httpGet/path"));
        Assert.Equal("/health/ready", container.Text("readinessProbe/httpGet/path"));
        Assert.All(new[] { "livenessProbe", "readinessProbe", "startupProbe" }, p => Assert.Equal(port.Text("name"), container.Text($"{p}/httpGet/port")));
        var service = Base.Find("Service", "annotate-gateway");
        Assert.Equal(port.Text("name"), service.List("spec/ports").Maps().Single().Text("targetPort"));
        // The worker serves no HTTP; its probes ask its metrics listener on the port it is told, inside the container.
        var worker = Kubernetes.Container(Worker);
        var metricsPort = Base.Environment(Worker)["Annotate__Telemetry__PrometheusPort"];
        Assert.All(new[] { "livenessProbe", "startupProbe" }, p => Assert.Contains($"/dev/tcp/127.0.0.1/{metricsPort} ", string.Join(' ', worker.List($"{p}/exec/command")), StringComparison.Ordinal));
    }

    [Fact]
    public void Selectors_volumes_and_security_agree_across_the_manifests()
    {
        foreach (var deployment in new[] { Gateway, Worker })
        {
            var labels = deployment.Map("spec/template/metadata/labels");
            Assert.Equal(deployment.Map("spec/selector/matchLabels"), labels);
            var spec = deployment.Map("spec/template/spec");
            Assert.Equal("true", spec.Text("securityContext/runAsNonRoot"));
            var container = Kubernetes.Container(deployment);
            Assert.Equal("true", container.Text("securityContext/readOnlyRootFilesystem"));
            Assert.Equal("false", container.Text("securityContext/allowPrivilegeEscalation"));
            // The blob volume: the same claim at the same path in every pod, a folder every node can write.
            var data = spec.List("volumes").Maps().Single(v => v.Text("persistentVolumeClaim/claimName") == "annotate-data");
            var mount = container.List("volumeMounts").Maps().Single(m => m.Text("name") == data.Text("name"));
            Assert.Equal($"{Dockerfile.Load().WorkingDirectory("worker")}/{new Annotate.Hosting.Blobs.BlobStoreOptions().Sources.Split('/')[0]}", mount.Text("mountPath"));
            Assert.Contains(container.List("volumeMounts").Maps(), m => m.Text("mountPath") == "/tmp");
        }
        Assert.Equal(["ReadWriteMany"], Base.Find("PersistentVolumeClaim", "annotate-data").List("spec/accessModes").OfType<string>());
        foreach (var budget in Base.OfKind("PodDisruptionBudget"))
        {
            var selected = Base.OfKind("Deployment").Where(d =>
                budget.Map("spec/selector/matchLabels").All(l => Equals(d.Map("spec/template/metadata/labels").GetValueOrDefault(l.Key), l.Value)));
            Assert.Single(selected);
        }
        // The models job pulls the file the workers load.
        var job = Kubernetes.Container(Base.Find("Job", "annotate-models-pull"));
        var entry = Annotate.Annotators.Models.Download.ModelCatalog.BuiltIn.Resolve(job.List("args").OfType<string>().Last());
        Assert.Equal(entry.FileName, Base.Environment(Worker)["Annotate__Model__Path"]);
    }

    [Fact]
    public void The_gpu_overlay_runs_the_cuda_image_on_a_gpu_with_layers_offloaded()
    {
        var overlay = Kubernetes.Load("overlays/gpu").Kustomization;
        var image = overlay.List("images").Maps().Single(i => i.Text("name") == Kubernetes.Container(Worker).Text("image"));
        Assert.Equal("annotate-worker-cuda", image.Text("newName"));
        Assert.Contains("annotate-worker-cuda", Yaml.Load(Repository.File("compose.yaml")).Text("services/worker/image") + Yaml.Load(Repository.File("deploy/compose.gpu.yaml")).Text("services/worker/image"), StringComparison.Ordinal);
        var patch = Yaml.Load(Repository.File("deploy/k8s/overlays/gpu/worker-gpu.yaml"));
        Assert.Equal(Worker.Text("metadata/name"), patch.Text("metadata/name"));
        var container = patch.List("spec/template/spec/containers").Maps().Single();
        Assert.Equal(Kubernetes.Container(Worker).Text("name"), container.Text("name"));
        Assert.Equal("1", container.Map("resources/limits")["nvidia.com/gpu"]);
        var layers = container.List("env").Maps().Single(e => e.Text("name") == "Annotate__Model__GpuLayerCount");
        Assert.Null(Settings.Problem(Settings.Key(layers.Text("name")!)));
        Assert.True(int.Parse(layers.Text("value")!, System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.NotEmpty(patch.MapOrEmpty("spec/template/spec/nodeSelector"));
    }

    [Fact]
    public void No_secret_is_written_in_the_manifests()
    {
        foreach (var document in Base.Documents.Where(d => d.Text("kind") is "ConfigMap"))
        {
            Assert.DoesNotContain(document.Map("data").Keys, ComposeTests.Secretive);
        }
        Assert.Empty(Base.OfKind("Secret"));
        foreach (var file in new[] { "secrets.env.example", "api-keys.env.example" })
        {
            foreach (var (key, value) in Compose.EnvFile(Repository.File($"deploy/k8s/base/{file}")))
            {
                // Templates: passwords empty, a placeholder hash of zeros.
                Assert.DoesNotMatch(@"(?i)password=[^;]", value);
                Assert.True(value.Length == 0 || value.Contains("Password=;", StringComparison.Ordinal) || key.Contains("ApiKeys", StringComparison.Ordinal), $"{file}: {key} has a value");
                Assert.DoesNotMatch("[1-9a-f]", key.Contains("ApiKeys", StringComparison.Ordinal) ? key.Split("__").Last() : "");
            }
        }
    }
}
