using Annotate.Gateway.Storage;
using Annotate.Hosting.Telemetry;
using Microsoft.Extensions.Options;

namespace Annotate.Gateway.Telemetry;

/// <summary>
/// <c>annotate_documents_in_flight</c>: documents Received or Processing, counted in the state store (so every gateway
/// sharing PostgreSQL reports the same number), read at most once per <see cref="TelemetryOptions.SampleInterval"/>.
/// </summary>
public sealed class DocumentsInFlightGauge : TelemetryHostingExtensions.IObservableInstruments
{
    private readonly IDocumentStore _store;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly ILogger<DocumentsInFlightGauge> _logger;
    private readonly Lock _gate = new();
    private int? _last;
    private DateTimeOffset _readAt = DateTimeOffset.MinValue;

    public DocumentsInFlightGauge(IDocumentStore store, AnnotateMetrics metrics, IOptions<TelemetryOptions> options, TimeProvider time, ILogger<DocumentsInFlightGauge> logger)
    {
        _store = store;
        _time = time;
        _interval = options.Value.SampleInterval;
        _logger = logger;
        metrics.Meter.CreateObservableGauge(AnnotateMetrics.DocumentsInFlight,
            () => Read() is { } count ? [new System.Diagnostics.Metrics.Measurement<int>(count)] : Array.Empty<System.Diagnostics.Metrics.Measurement<int>>(),
            "{document}", "Documents Received or Processing, from the state store.");
    }

    internal int? Read()
    {
        lock (_gate)
        {
            if (_time.GetUtcNow() - _readAt < _interval)
            {
                return _last;
            }
            try
            {
                // Observable callbacks are synchronous; this runs on a scrape, at most once per interval, and is bounded.
                _last = _store.CountUnfinishedAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5)).GetAwaiter().GetResult();
            }
            catch (Exception ex)
            {
                _logger.LogDebug(ex, "Could not count the documents in flight");
                _last = null;
            }
            _readAt = _time.GetUtcNow();
            return _last;
        }
    }
}
