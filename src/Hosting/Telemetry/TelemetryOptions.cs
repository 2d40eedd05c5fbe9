using System.ComponentModel.DataAnnotations;

namespace Annotate.Hosting.Telemetry;

/// <summary>Where traces and metrics go (configuration section <c>Annotate:Telemetry</c>).</summary>
public sealed class TelemetryOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Annotate:Telemetry";

    /// <summary>
    /// OTLP endpoint for traces and metrics, e.g. <c>http://collector:4317</c>. Default empty: the standard
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> variable when set, otherwise nothing is sent over OTLP.
    /// </summary>
    public string OtlpEndpoint { get; set; } = string.Empty;

    /// <summary>
    /// Port of a standalone worker's Prometheus endpoint, served on loopback at <c>http://localhost:&lt;port&gt;/metrics</c>
    /// (a worker has no HTTP server of its own). Default 0: off. The gateway serves <c>/metrics</c> on its own address always.
    /// </summary>
    [Range(0, 65535)]
    public int PrometheusPort { get; set; }

    /// <summary>
    /// How long a reading of the gauges that ask another system is reused: documents in flight (a count in the state store)
    /// and the work queue's depth and consumers (a passive declare on RabbitMQ), so frequent scrapes do not each ask again.
    /// Default 5 seconds; 0 reads on every scrape.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan SampleInterval { get; set; } = TimeSpan.FromSeconds(5);
}
