using System.Text.Json;
using Annotate.Worker.Health;
using Annotate.Worker.Tests.Isolation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Annotate.Worker.Tests.Health;

/// <summary>A standalone worker serves no HTTP: its health report, pipeline children included, is a file its probes read.</summary>
public sealed class HealthFileTests
{
    [Fact]
    public async Task The_health_file_reports_the_pipeline_children_and_their_crashes_by_reason()
    {
        var folder = Directory.CreateTempSubdirectory("annotate-health-").FullName;
        try
        {
            var path = Path.Combine(folder, "health", "worker.json");
            await using var worker = await IsolationHarness.StartAsync(new() { ["Annotate:Worker:HealthFile"] = path });
            await worker.SubmitAsync("ok", "memo.txt", IsolationHarness.Ordinary(1));
            await worker.SubmitAsync("abort", "abort.txt", Annotate.Worker.Testing.FaultInjection.AbortMarker + " now.\n");
            await worker.WaitForOutcomesAsync(2, TimeSpan.FromMinutes(5));

            var report = await worker.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
            await worker.Services.GetServices<IHealthCheckPublisher>().OfType<HealthFilePublisher>().Single().PublishAsync(report, CancellationToken.None);

            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(path));
            var children = json.RootElement.GetProperty("checks").GetProperty("pipeline-children");
            Assert.Equal(report.Status.ToString(), json.RootElement.GetProperty("status").GetString());
            var data = children.GetProperty("data");
            Assert.True(int.Parse(data.GetProperty("childrenAlive").GetString()!) >= 1, children.ToString());
            Assert.True(int.Parse(data.GetProperty("restartsLastHour").GetString()!) >= 1, children.ToString());
            Assert.True(data.EnumerateObject().Any(p => p.Name.StartsWith("crashes:", StringComparison.Ordinal)), children.ToString());
            Assert.False(File.Exists(path + ".tmp"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_worker_host_writes_its_health_file_by_itself()
    {
        var folder = Directory.CreateTempSubdirectory("annotate-health-").FullName;
        try
        {
            var path = Path.Combine(folder, "worker-health.json");
            // Production: the host does not build every service up front (the engine is not part of this host).
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Production", ContentRootPath = folder });
            builder.Configuration["Annotate:Worker:HealthFile"] = path;
            builder.Configuration["Annotate:Worker:HealthFileInterval"] = "00:00:01";
            foreach (var store in new[] { "Sources", "Content", "Outputs", "Results" })
            {
                builder.Configuration[$"Annotate:Blobs:{store}"] = Path.Combine(folder, store.ToLowerInvariant());
            }
            builder.Services.AddAnnotateWorkerServices();
            builder.Services.AddHealthChecks().AddCheck("probe", () => HealthCheckResult.Degraded("just so"));
            using var host = builder.Build();
            // The publisher writes a temporary file and renames it over the report: wait for that event, bounded.
            var written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var watcher = new FileSystemWatcher(folder) { EnableRaisingEvents = true };
            watcher.Renamed += (_, e) => { if (e.FullPath == path) { written.TrySetResult(); } };
            watcher.Created += (_, e) => { if (e.FullPath == path) { written.TrySetResult(); } };
            await host.StartAsync();
            if (File.Exists(path))
            {
                written.TrySetResult();
            }
            await written.Task.WaitAsync(TimeSpan.FromSeconds(60));
            await host.StopAsync();

            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(path));
            Assert.Equal("Degraded", json.RootElement.GetProperty("status").GetString());
            Assert.Equal("just so", json.RootElement.GetProperty("checks").GetProperty("probe").GetProperty("description").GetString());
            Assert.True(json.RootElement.TryGetProperty("checkedAt", out _));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
