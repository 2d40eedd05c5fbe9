using System.Net;
using System.Net.Sockets;
using Annotate.Hosting.Blobs;
using Annotate.Hosting.Telemetry;
using Annotate.Messages;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Annotate.Hosting.Tests.Telemetry;

public sealed class WorkerMetricsTests
{
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Fact]
    public async Task A_worker_with_a_Prometheus_port_serves_the_outcomes_it_publishes_on_loopback()
    {
        var port = FreePort();
        var root = Path.Combine(Path.GetTempPath(), "annotate-hosting-tests", Guid.NewGuid().ToString("N"));
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Annotate:Telemetry:PrometheusPort"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Annotate:Blobs:Sources"] = Path.Combine(root, "blobs"),
            ["Annotate:Blobs:Content"] = Path.Combine(root, "content"),
            ["Annotate:Blobs:Outputs"] = Path.Combine(root, "outputs"),
            ["Annotate:Blobs:Results"] = Path.Combine(root, "results"),
        });
        builder.AddAnnotateHostDefaults("annotate-worker");
        builder.AddAnnotateBus(_ => { }, 1);
        builder.AddAnnotateWorkerMetrics("annotate-document");
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var bus = host.Services.GetRequiredService<IBus>();
            await bus.Publish(new DocumentAnnotated
            {
                DocumentId = "a",
                OutputUri = "blob:outputs/a/",
                Digest = new AnnotationDigest { Format = "pdf", Pages = 3 },
                Timings = new StageTimings { ReadMs = 10, AnnotateMs = 20, WriteMs = 5, TotalMs = 40 },
            });
            await bus.Publish(new DocumentAnnotated
            {
                DocumentId = "b",
                OutputUri = "blob:outputs/b/",
                Digest = new AnnotationDigest { Format = "pdf" },
                Timings = new StageTimings { TotalMs = 1 },
                DuplicateOf = "a",
            });
            await bus.Publish(new DocumentAnnotationFailed { DocumentId = "c", Reason = "corrupt", Message = "x" });

            using var client = new HttpClient { BaseAddress = new Uri($"http://localhost:{port}/") };
            var deadline = DateTime.UtcNow.AddSeconds(30);
            string text;
            while (!(text = await client.GetStringAsync("metrics")).Contains("outcome=\"failed\"", StringComparison.Ordinal))
            {
                Assert.True(DateTime.UtcNow < deadline, "The worker's metrics did not show the failure within 30 s:\n" + text);
                await Task.Delay(100);
            }

            var lines = text.Split('\n');
            Assert.Contains(lines, l => l.StartsWith("annotate_worker_documents_finished_total{", StringComparison.Ordinal)
                && l.Contains("outcome=\"annotated\"", StringComparison.Ordinal) && l.Contains("format=\"pdf\"", StringComparison.Ordinal) && l.EndsWith(" 1", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith("annotate_worker_documents_finished_total{", StringComparison.Ordinal)
                && l.Contains("outcome=\"duplicate\"", StringComparison.Ordinal) && l.EndsWith(" 1", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith("annotate_worker_documents_finished_total{", StringComparison.Ordinal)
                && l.Contains("reason=\"corrupt\"", StringComparison.Ordinal) && l.EndsWith(" 1", StringComparison.Ordinal));
            // Stage times of the annotation only: the duplicate copied outputs and read nothing.
            Assert.Contains(lines, l => l.StartsWith("annotate_worker_stage_duration_seconds_count{", StringComparison.Ordinal)
                && l.Contains("stage=\"read\"", StringComparison.Ordinal) && l.EndsWith(" 1", StringComparison.Ordinal));
            // The runtime's own meter beside Annotate's: the worker's working set, heap and JIT.
            Assert.Contains(lines, l => l.StartsWith("dotnet_process_memory_working_set_bytes", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith("dotnet_gc_heap_total_allocated_bytes_total", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith("dotnet_jit_compiled_methods_total", StringComparison.Ordinal));
        }
        finally
        {
            await host.StopAsync();
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    [Fact]
    public async Task The_blob_store_check_is_unhealthy_naming_the_setting_when_a_folder_is_a_file()
    {
        var root = Path.Combine(Path.GetTempPath(), "annotate-hosting-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        try
        {
            var options = new BlobStoreOptions
            {
                Sources = Path.Combine(root, "blobs"),
                Content = Path.Combine(root, "content"),
                Outputs = Path.Combine(root, "outputs"),
                Results = Path.Combine(root, "results"),
            };
            var check = new BlobStoreHealthCheck(Options.Create(options));
            Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(new HealthCheckContext())).Status);

            Directory.Delete(options.Results);
            await File.WriteAllTextAsync(options.Results, "not a folder");
            var result = await check.CheckHealthAsync(new HealthCheckContext());

            Assert.Equal(HealthStatus.Unhealthy, result.Status);
            Assert.Contains("Annotate:Blobs:Results", result.Description);
            Assert.DoesNotContain("Annotate:Blobs:Sources", result.Description);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
