using Annotate.Deploy.Tests.Support;

namespace Annotate.Deploy.Tests;

/// <summary>deploy/Dockerfile: what it copies exists, the images run what the projects build, as a user other than root.</summary>
public sealed class DockerfileTests
{
    private static readonly Dockerfile Dockerfile = Dockerfile.Load();

    [Fact]
    public void Every_file_it_copies_from_the_build_context_exists_and_is_not_ignored()
    {
        var ignored = File.ReadAllLines(Repository.File(".dockerignore")).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        var copies = Dockerfile.Instructions.Where(i => i.Instruction == "COPY" && !i.Arguments.StartsWith("--from", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(copies);
        foreach (var (_, _, arguments) in copies)
        {
            var sources = arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries).SkipLast(1).ToList();
            Assert.All(sources, source =>
            {
                var path = Path.Combine(Repository.Root, source);
                Assert.True(File.Exists(path) || Directory.Exists(path), $"COPY {source}: no such file in the build context");
                Assert.DoesNotContain(ignored, pattern => source.TrimEnd('/').Equals(pattern.TrimEnd('/'), StringComparison.Ordinal));
            });
        }
        // What must never reach an image: build outputs and local secrets.
        Assert.Contains("**/bin/", ignored);
        Assert.Contains("**/obj/", ignored);
        Assert.Contains(".env", ignored);
    }

    [Fact]
    public void The_build_has_every_file_at_the_root_that_msbuild_reads()
    {
        var props = File.ReadAllText(Repository.File("Directory.Build.props"));
        var referenced = System.Text.RegularExpressions.Regex.Matches(props, @"\$\(MSBuildThisFileDirectory\)([\w.]+)").Select(m => m.Groups[1].Value);
        var known = new[] { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props", "global.json", ".editorconfig", "NuGet.config", "nuget.config" };
        var needed = known.Where(f => File.Exists(Path.Combine(Repository.Root, f))).Concat(referenced).Distinct().ToList();
        Assert.Contains("BannedSymbols.txt", needed);
        var copied = Dockerfile.Arguments("source", "COPY").SelectMany(a => a.Split(' ', StringSplitOptions.RemoveEmptyEntries).SkipLast(1)).ToHashSet();
        Assert.All(needed, file => Assert.Contains(file, copied));
    }

    [Fact]
    public void Every_stage_it_copies_from_exists_and_base_images_are_pinned_by_tag()
    {
        var stages = Dockerfile.Stages.ToHashSet();
        foreach (var copy in Dockerfile.Instructions.Where(i => i.Instruction == "COPY" && i.Arguments.StartsWith("--from=", StringComparison.Ordinal)))
        {
            Assert.Contains(copy.Arguments.Split(' ')[0]["--from=".Length..], stages);
        }
        foreach (var from in Dockerfile.Instructions.Where(i => i.Instruction == "FROM").Select(i => i.Arguments.Split(' ')[0]))
        {
            var image = from == "${CUDA_IMAGE}" ? Dockerfile.Argument("CUDA_IMAGE") : from;
            if (!stages.Contains(image))
            {
                Assert.Matches(@"^[a-z0-9./-]+:[A-Za-z0-9.${}_-]+$", image);
                Assert.DoesNotContain(":latest", image, StringComparison.Ordinal);
            }
        }
        Assert.StartsWith("nvidia/cuda:12.", Dockerfile.Argument("CUDA_IMAGE"), StringComparison.Ordinal);
    }

    [Fact]
    public void The_sdk_is_the_one_global_json_pins_and_the_runtime_matches_the_target_framework()
    {
        using var globalJson = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Repository.File("global.json")));
        Assert.Equal(globalJson.RootElement.GetProperty("sdk").GetProperty("version").GetString(), Dockerfile.Argument("SDK_VERSION"));
        var framework = System.Text.RegularExpressions.Regex.Match(File.ReadAllText(Repository.File("Directory.Build.props")), @"<TargetFramework>net([0-9.]+)</TargetFramework>").Groups[1].Value;
        Assert.StartsWith(framework + ".", Dockerfile.Argument("DOTNET_VERSION"), StringComparison.Ordinal);
        Assert.StartsWith(framework + ".", Dockerfile.Argument("SDK_VERSION"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("gateway", "Annotate.Gateway", "Gateway")]
    [InlineData("worker", "Annotate.Worker", "Worker")]
    [InlineData("worker-cuda", "Annotate.Worker", "Worker")]
    public void Each_image_runs_its_projects_assembly_as_a_user_other_than_root(string stage, string assembly, string project)
    {
        var types = new Dictionary<string, Type> { ["Annotate.Gateway"] = typeof(Annotate.Gateway.GatewayOptions), ["Annotate.Worker"] = typeof(Annotate.Worker.WorkerOptions) };
        Assert.Equal(assembly, types[assembly].Assembly.GetName().Name);
        Assert.Equal($"[\"dotnet\", \"/app/{assembly}.dll\"]", Dockerfile.Arguments(stage, "ENTRYPOINT").Single());
        var user = Dockerfile.Arguments(stage, "USER").Last();
        Assert.NotEqual("root", user);
        Assert.NotEqual("0", user);
        // The published folder comes from the stage that publishes this project.
        var publishStage = Dockerfile.Arguments(stage, "COPY").Single(c => c.EndsWith(" /app /app", StringComparison.Ordinal)).Split(' ')[0]["--from=".Length..];
        Assert.Contains($"src/{project}/{project}.csproj", Dockerfile.Arguments(publishStage, "RUN").Single(), StringComparison.Ordinal);
        Assert.True(File.Exists(Repository.File($"src/{project}/{project}.csproj")));
    }

    [Fact]
    public void The_cuda_worker_is_built_with_the_projects_cuda_switch()
    {
        var publish = Dockerfile.Arguments("publish-worker-cuda", "RUN").Single();
        var value = System.Text.RegularExpressions.Regex.Match(publish, @"-p:LlamaBackend=(\S+)").Groups[1].Value;
        // The value the engine's project file swaps the backend package on.
        var project = File.ReadAllText(Repository.File("src/Annotators/Annotators.csproj"));
        Assert.Contains($"Condition=\"'$(LlamaBackend)' == '{value}'\"", project, StringComparison.Ordinal);
        Assert.Contains("LLamaSharp.Backend.Cuda12", project, StringComparison.Ordinal);
        Assert.DoesNotContain("LlamaBackend", Dockerfile.Arguments("publish-worker", "RUN").Single(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("publish-gateway")]
    [InlineData("publish-worker")]
    [InlineData("publish-worker-cuda")]
    public void Every_image_is_published_ready_to_run_for_the_runtime_it_is_restored_for(string stage)
    {
        var publish = Dockerfile.Arguments(stage, "RUN").Single();
        Assert.Contains("-r linux-x64 --self-contained false -p:PublishReadyToRun=true", publish, StringComparison.Ordinal);
        // A publish without its own restore needs the shared restore to have been for the same runtime.
        if (publish.Contains("--no-restore", StringComparison.Ordinal))
        {
            Assert.EndsWith("-r linux-x64", Dockerfile.Arguments("source", "RUN").Single(r => r.StartsWith("dotnet restore", StringComparison.Ordinal)), StringComparison.Ordinal);
        }
    }
}
