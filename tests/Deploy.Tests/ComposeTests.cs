using System.Globalization;
using Annotate.Annotators.Models;
using Annotate.Annotators.Models.Download;
using Annotate.Deploy.Tests.Support;
using Annotate.Gateway;
using Annotate.Gateway.Storage;
using Annotate.Hosting;
using Annotate.Hosting.Blobs;
using Annotate.Worker;

namespace Annotate.Deploy.Tests;

/// <summary>compose.yaml and deploy/compose.gpu.yaml against the settings the gateway and the worker read.</summary>
public sealed class ComposeTests
{
    /// <summary>What a user puts into .env: the required values .env.example leaves empty.</summary>
    private static readonly Dictionary<string, string> Filled = new()
    {
        ["RABBITMQ_PASSWORD"] = "filled-in-by-the-user",
        ["POSTGRES_PASSWORD"] = "filled-in-by-the-user-too",
        ["ANNOTATE_API_KEY_SHA256"] = new string('a', 64),
    };

    private static readonly Compose Compose = Compose.WithExampleEnv(Filled);
    private static readonly Compose Gpu = Compose.WithExampleEnv(Filled, "deploy/compose.gpu.yaml");

    [Fact]
    public void Every_Annotate_setting_names_a_setting_the_code_reads()
    {
        var keys = Compose.Services.Keys.Concat(Gpu.Services.Keys).Distinct()
            .SelectMany(s => Compose.Services.ContainsKey(s) ? Compose.Environment(s).Keys.Concat(Gpu.Environment(s).Keys) : Gpu.Environment(s).Keys)
            .Where(k => k.StartsWith("Annotate__", StringComparison.Ordinal))
            .Select(Settings.Key)
            .Concat(Compose.Command("gateway").Where(a => a.StartsWith("--Annotate:", StringComparison.Ordinal)).Select(a => a[2..].Split('=')[0]))
            .Distinct()
            .ToList();
        Assert.Contains("Annotate:Bus:Transport", keys);
        Assert.All(keys, key => Assert.Null(Settings.Problem(key)));
        // The check itself tells a misspelt setting from a real one.
        Assert.NotNull(Settings.Problem("Annotate:Bus:Hots"));
        Assert.NotNull(Settings.Problem("Annotate:Worker:Isolation:MemoryCap"));
    }

    [Fact]
    public void The_gateway_and_the_workers_settings_pass_the_hosts_own_validation()
    {
        foreach (var compose in new[] { Compose, Gpu })
        {
            var gateway = Settings.Configuration(compose.Environment("gateway"), compose.Command("gateway"));
            Assert.Empty(Settings.Failures(gateway, Settings.Gateway));
            var worker = Settings.Configuration(compose.Environment("worker"));
            Assert.Empty(Settings.Failures(worker, Settings.Worker));
            foreach (var configuration in new[] { gateway, worker })
            {
                var bus = Settings.Bind<BusOptions>(configuration);
                Assert.True(bus.UsesRabbitMq);
                Assert.True(bus.QuorumQueues);
                // The broker is the compose service of that name, the RabbitMQ image.
                Assert.StartsWith("rabbitmq:", compose.Services[bus.Connection().Host].Text("image"), StringComparison.Ordinal);
                Assert.Equal(Filled["RABBITMQ_PASSWORD"], bus.Connection().Password);
            }
            // The gateway keeps its states in the compose PostgreSQL, with the user and database the server is created with.
            var state = Settings.Bind<StateStoreOptions>(gateway);
            var host = state.PostgresConnectionString.Split(';').Single(p => p.StartsWith("Host=", StringComparison.Ordinal))["Host=".Length..];
            Assert.StartsWith("postgres:", compose.Services[host].Text("image"), StringComparison.Ordinal);
            var postgres = compose.Environment(host);
            foreach (var (part, variable) in new[] { ("Username", "POSTGRES_USER"), ("Password", "POSTGRES_PASSWORD"), ("Database", "POSTGRES_DB") })
            {
                Assert.Contains($"{part}={postgres[variable]};", state.PostgresConnectionString + ";", StringComparison.Ordinal);
            }
            Assert.Equal(compose.Environment("rabbitmq")["RABBITMQ_DEFAULT_USER"], Settings.Bind<BusOptions>(worker).Username);
            // Listening on every interface of the container, the gateway refuses to start without API keys.
            Assert.NotNull(ListenAddress.ReachableFromOtherMachines(gateway));
            Assert.Equal(Filled["ANNOTATE_API_KEY_SHA256"], Assert.Single(Settings.Bind<GatewayOptions>(gateway).ApiKeys).Key);
            Assert.Equal(Settings.Bind<WorkerOptions>(gateway).DocumentTimeout, Settings.Bind<WorkerOptions>(worker).DocumentTimeout);
        }
    }

    [Fact]
    public void The_brokers_consumer_timeout_is_the_one_the_services_are_told_and_above_the_document_time_limit()
    {
        var consumerTimeout = Broker.ConsumerTimeout();
        foreach (var service in new[] { "gateway", "worker" })
        {
            var configuration = Settings.Configuration(Compose.Environment(service));
            var worker = Settings.Bind<WorkerOptions>(configuration);
            Assert.Equal(consumerTimeout, Settings.Bind<BusOptions>(configuration).ConsumerTimeout);
            Assert.True(worker.DocumentTimeout + worker.ShutdownGrace + WorkerOptionsValidator.ConsumerTimeoutMargin <= consumerTimeout,
                $"{service}: DocumentTimeout {worker.DocumentTimeout} + ShutdownGrace {worker.ShutdownGrace} is not below consumer_timeout {consumerTimeout}");
        }
        Assert.Contains("deploy/rabbitmq/rabbitmq.conf:/etc/rabbitmq/conf.d/", string.Join(' ', Compose.Services["rabbitmq"].List("volumes")), StringComparison.Ordinal);
        Assert.StartsWith("rabbitmq:4", Compose.Services["rabbitmq"].Text("image"), StringComparison.Ordinal);
        Assert.Contains("management", Compose.Services["rabbitmq"].Text("image"), StringComparison.Ordinal);
    }

    [Fact]
    public void Only_the_gateway_is_published_and_only_on_loopback()
    {
        foreach (var compose in new[] { Compose, Gpu })
        {
            var published = compose.Services.Where(s => s.Value.ContainsKey("ports")).ToList();
            Assert.Equal("gateway", Assert.Single(published).Key);
            Assert.All(compose.Services.Values, s => Assert.Null(s.Text("network_mode")));
            var gatewayPort = compose.Environment("gateway")["ASPNETCORE_HTTP_PORTS"];
            foreach (var port in compose.Services["gateway"].List("ports").Select(p => compose.Interpolate((string)p!)))
            {
                var parts = port.Split(':');
                Assert.True(parts.Length == 3, $"'{port}' does not name the host address, so it would be published on every interface");
                Assert.Equal("127.0.0.1", parts[0]);
                Assert.Equal(gatewayPort, parts[2]);
            }
        }
        Assert.Equal(new Uri(ListenAddress.Default).Port.ToString(CultureInfo.InvariantCulture), Compose.Interpolate("${ANNOTATE_PORT:-5080}"));
    }

    [Fact]
    public void Services_start_once_what_they_depend_on_is_healthy_and_health_checks_ask_the_real_endpoints()
    {
        foreach (var (name, service) in Gpu.Services)
        {
            foreach (var (dependency, condition) in service.MapOrEmpty("depends_on"))
            {
                var expected = Gpu.Services[dependency].Text("restart") == "no" ? "service_completed_successfully" : "service_healthy";
                Assert.Equal(expected, ((Dictionary<string, object?>)condition!).Text("condition"));
                if (expected == "service_healthy")
                {
                    Assert.NotEmpty(Gpu.Services[dependency].List("healthcheck/test"));
                }
            }
        }
        Assert.Equal(["postgres", "rabbitmq"], Compose.Services["gateway"].Map("depends_on").Keys.Order());
        Assert.Contains("models", Compose.Services["worker"].Map("depends_on").Keys);
        var gatewayCheck = string.Join(' ', Compose.Services["gateway"].List("healthcheck/test"));
        Assert.Contains($"/dev/tcp/127.0.0.1/{Compose.Environment("gateway")["ASPNETCORE_HTTP_PORTS"]} ", gatewayCheck, StringComparison.Ordinal);
        Assert.Contains("GET /health/ready ", gatewayCheck, StringComparison.Ordinal);
        var workerCheck = string.Join(' ', Compose.Services["worker"].List("healthcheck/test"));
        Assert.Contains($"/dev/tcp/127.0.0.1/{Compose.Environment("worker")["Annotate__Telemetry__PrometheusPort"]} ", workerCheck, StringComparison.Ordinal);
        // The worker may stop only after its documents had ShutdownGrace to finish (README: at least ShutdownGrace + 20 s).
        var grace = Settings.Bind<WorkerOptions>(Settings.Configuration(Compose.Environment("worker"))).ShutdownGrace;
        Assert.True(Duration(Compose.Services["worker"].Text("stop_grace_period")!) >= grace + TimeSpan.FromSeconds(20));
    }

    [Fact]
    public void Blob_and_model_volumes_are_where_the_code_looks_for_them()
    {
        var workingDirectory = Dockerfile.Load().WorkingDirectory("worker");
        Assert.Equal(workingDirectory, Dockerfile.Load().WorkingDirectory("gateway"));
        // Nothing sets the folders: their relative defaults resolve under the working directory, on the data volume.
        var blobs = new BlobStoreOptions();
        var gateway = new GatewayOptions();
        var folders = new[] { blobs.Sources, blobs.Content, blobs.Outputs, blobs.Results, gateway.Inbox, gateway.Failed, gateway.Database };
        var dataFolder = folders.Select(f => f.Split('/')[0]).Distinct().Single();
        Assert.All(folders, f => Assert.False(Path.IsPathRooted(f)));
        foreach (var service in new[] { "gateway", "worker" })
        {
            Assert.DoesNotContain(Compose.Environment(service).Keys, k => k.StartsWith("Annotate__Blobs__", StringComparison.Ordinal));
            Assert.Contains($"data:{workingDirectory}/{dataFolder}", Compose.Services[service].List("volumes").OfType<string>());
        }
        var modelsFolder = new ModelOptions().ModelsFolder;
        Assert.Contains($"models:{workingDirectory}/{modelsFolder}:ro", Compose.Services["worker"].List("volumes").OfType<string>());
        Assert.Contains($"models:{workingDirectory}/{modelsFolder}", Compose.Services["models"].List("volumes").OfType<string>());
        Assert.Superset(new HashSet<string> { "data", "models" }, Compose.Root.Map("volumes").Keys.ToHashSet());
    }

    [Fact]
    public void The_models_service_pulls_the_file_the_workers_load()
    {
        var pull = Compose.Command("models");
        Assert.Equal(["models", "pull"], pull.Take(2));
        Assert.True(ModelsCommand.IsModelsCommand([.. pull]));
        var entry = ModelCatalog.BuiltIn.Resolve(pull[2]);
        Assert.Equal(entry.FileName, Compose.Environment("worker")["Annotate__Model__Path"]);
        // The defaults in compose.yaml and the values in .env.example name the same model.
        var defaults = Compose.WithExampleEnv(Filled.ToDictionary().Concat(Compose.EnvFile(Repository.File(".env.example"))
            .Where(v => v.Key.StartsWith("ANNOTATE_MODEL", StringComparison.Ordinal)).Select(v => KeyValuePair.Create(v.Key, ""))).ToDictionary());
        Assert.Equal(entry.FileName, ModelCatalog.BuiltIn.Resolve(defaults.Command("models")[2]).FileName);
        Assert.Equal(entry.FileName, defaults.Environment("worker")["Annotate__Model__Path"]);
        Assert.Equal(Compose.Services["worker"].Text("image"), Compose.Services["models"].Text("image"));
    }

    [Fact]
    public void The_gpu_override_builds_the_cuda_worker_reserves_a_gpu_and_offloads_layers()
    {
        var worker = Gpu.Services["worker"];
        Assert.Equal("worker-cuda", worker.Text("build/target"));
        Assert.Contains("worker-cuda", Dockerfile.Load().Stages);
        Assert.Equal(".", worker.Text("build/context"));
        Assert.Equal("nvidia", worker.List("deploy/resources/reservations/devices").Maps().Single().Text("driver"));
        Assert.True(Settings.Bind<ModelOptions>(Settings.Configuration(Gpu.Environment("worker"))).GpuLayerCount > 0);
        Assert.Equal(0, Settings.Bind<ModelOptions>(Settings.Configuration(Compose.Environment("worker"))).GpuLayerCount);
    }

    [Fact]
    public void No_secret_is_written_in_the_files_and_compose_refuses_to_start_without_them()
    {
        var example = Compose.EnvFile(Repository.File(".env.example"));
        foreach (var required in Filled.Keys)
        {
            Assert.Equal("", example[required]);
            Assert.All(Compose.Variables().Where(v => v.Name == required), v => Assert.Equal(":?", v.Operator));
            var missing = Filled.Where(f => f.Key != required).ToDictionary();
            Assert.Throws<InvalidOperationException>(() =>
            {
                var compose = Compose.WithExampleEnv(missing);
                return compose.Services.Keys.SelectMany(s => compose.Environment(s).Values.Concat(compose.Command(s))).ToList();
            });
        }
        // Every value of a password, connection string or key setting comes from a variable.
        var raw = Yaml.Load(Repository.File("compose.yaml"));
        foreach (var (name, service) in raw.Map("services"))
        {
            foreach (var (key, value) in ((Dictionary<string, object?>)service!).MapOrEmpty("environment"))
            {
                if (Secretive(key))
                {
                    Assert.Matches(@"^\$\{|Password=\$\{", value as string ?? "");
                    Assert.DoesNotMatch(@"Password=[^$]", value as string ?? "");
                }
            }
        }
    }

    internal static bool Secretive(string key) =>
        new[] { "PASS", "Password", "Secret", "ConnectionString", "ApiKey", "Token" }.Any(s => key.Contains(s, StringComparison.OrdinalIgnoreCase));

    private static TimeSpan Duration(string text) => text.EndsWith('s')
        ? TimeSpan.FromSeconds(double.Parse(text.TrimEnd('s'), CultureInfo.InvariantCulture))
        : throw new FormatException(text);
}
