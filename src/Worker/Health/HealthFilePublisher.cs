using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Annotate.Worker.Health;

/// <summary>
/// Writes the worker's health report (<see cref="WorkerOptions.HealthFile"/>) every
/// <see cref="WorkerOptions.HealthFileInterval"/>: a standalone worker serves no HTTP, so a probe (a container's, an
/// operator's <c>cat</c>) reads the file. It holds the overall status, when it was checked, and each check with its
/// status, description and data (for the pipeline children: alive, restarts in the last hour, crashes by reason).
/// Written to a temporary file and renamed over the old one, so a reader never sees half a report.
/// </summary>
public sealed class HealthFilePublisher(IOptions<WorkerOptions> options, TimeProvider time) : IHealthCheckPublisher
{
    /// <inheritdoc />
    public async Task PublishAsync(HealthReport report, CancellationToken cancellationToken)
    {
        if (options.Value.HealthFile is not { Length: > 0 } path)
        {
            return;
        }
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temporary = full + ".tmp";
        await using (var file = File.Create(temporary))
        await using (var json = new Utf8JsonWriter(file, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("status", report.Status.ToString());
            json.WriteString("checkedAt", time.GetUtcNow());
            json.WriteNumber("durationMs", Math.Round(report.TotalDuration.TotalMilliseconds, 1));
            json.WriteStartObject("checks");
            foreach (var (name, entry) in report.Entries)
            {
                json.WriteStartObject(name);
                json.WriteString("status", entry.Status.ToString());
                if (entry.Description is { } description)
                {
                    json.WriteString("description", description);
                }
                if (entry.Data.Count > 0)
                {
                    json.WritePropertyName("data");
                    JsonSerializer.Serialize(json, entry.Data.ToDictionary(d => d.Key, d => d.Value?.ToString()));
                }
                json.WriteEndObject();
            }
            json.WriteEndObject();
            json.WriteEndObject();
        }
        File.Move(temporary, full, overwrite: true);
    }
}
