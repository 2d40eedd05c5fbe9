using System.Diagnostics;
using Annotate.Annotators.Tests.Support;

namespace Annotate.Annotators.Tests.Build;

/// <summary>The CUDA backend is a build switch: the default build references the CPU backend only.</summary>
public class LlamaBackendSwitchTests
{
    [Theory]
    [InlineData(null, "LLamaSharp.Backend.Cpu", "LLamaSharp.Backend.Cuda12")]
    [InlineData("Cuda12", "LLamaSharp.Backend.Cuda12", "LLamaSharp.Backend.Cpu")]
    public async Task The_backend_package_follows_the_LlamaBackend_property(string? backend, string expected, string absent)
    {
        var project = Path.Combine(TestFiles.RepoRoot, "src", "Annotators", "Annotators.csproj");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "msbuild", project, "-getItem:PackageReference", "-nologo" })
        {
            info.ArgumentList.Add(arg);
        }
        if (backend is not null)
        {
            info.ArgumentList.Add($"-p:LlamaBackend={backend}");
        }
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Equal(0, process.ExitCode);
        Assert.Contains($"\"Identity\": \"{expected}\"", output);
        Assert.DoesNotContain($"\"Identity\": \"{absent}\"", output);
    }
}
