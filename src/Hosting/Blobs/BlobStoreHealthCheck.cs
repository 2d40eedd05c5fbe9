using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Annotate.Hosting.Blobs;

/// <summary>
/// Ready when every folder of the blob store can be written: each is created if missing, and a probe file is written and
/// deleted in it. A folder that is a file, on a read-only or full disk, or not permitted fails the check with its name.
/// </summary>
public sealed class BlobStoreHealthCheck(IOptions<BlobStoreOptions> options) : IHealthCheck
{
    /// <summary>Name of the check.</summary>
    public const string Name = "blobs";

    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var o = options.Value;
        var failures = new List<string>();
        foreach (var (setting, folder) in new[] { ("Sources", o.Sources), ("Content", o.Content), ("Outputs", o.Outputs), ("Results", o.Results) })
        {
            var path = Path.GetFullPath(folder);
            try
            {
                Directory.CreateDirectory(path);
                var probe = Path.Combine(path, $".health-{Guid.NewGuid():N}.tmp");
                await File.WriteAllBytesAsync(probe, [1], cancellationToken);
                File.Delete(probe);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                failures.Add($"{BlobStoreOptions.Section}:{setting} ({path}) cannot be written: {ex.Message}");
            }
        }
        return failures.Count == 0
            ? HealthCheckResult.Healthy("Every blob store folder can be written.")
            : HealthCheckResult.Unhealthy(string.Join(" ", failures));
    }
}
