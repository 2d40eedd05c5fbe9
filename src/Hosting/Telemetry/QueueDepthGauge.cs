using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;

namespace Annotate.Hosting.Telemetry;

/// <summary>
/// <c>annotate_queue_messages</c> and <c>annotate_queue_consumers</c> of the work queue on RabbitMQ, from a passive queue
/// declare on a connection of its own, read at most once per <see cref="TelemetryOptions.SampleInterval"/>. A scrape
/// while the broker is unreachable reports nothing rather than a stale number.
/// </summary>
public sealed class QueueDepthGauge : IAsyncDisposable
{
    private readonly string _queue;
    private readonly BusOptions _bus;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly ILogger<QueueDepthGauge> _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IConnection? _connection;
    private (long Messages, long Consumers)? _last;
    private DateTimeOffset _readAt = DateTimeOffset.MinValue;

    public QueueDepthGauge(string queue, AnnotateMetrics metrics, IOptions<BusOptions> bus, IOptions<TelemetryOptions> telemetry, TimeProvider time, ILogger<QueueDepthGauge> logger)
    {
        _queue = queue;
        _bus = bus.Value;
        _time = time;
        _interval = telemetry.Value.SampleInterval;
        _logger = logger;
        var tag = new KeyValuePair<string, object?>("queue", queue);
        metrics.Meter.CreateObservableGauge(AnnotateMetrics.QueueMessages,
            () => Read() is { } r ? [new Measurement<long>(r.Messages, tag)] : Array.Empty<Measurement<long>>(),
            "{message}", "Messages ready in the work queue (tag: queue).");
        metrics.Meter.CreateObservableGauge(AnnotateMetrics.QueueConsumers,
            () => Read() is { } r ? [new Measurement<long>(r.Consumers, tag)] : Array.Empty<Measurement<long>>(),
            "{consumer}", "Consumers of the work queue (tag: queue).");
    }

    /// <summary>The cached reading, refreshed when older than the interval; null when the broker cannot be asked.</summary>
    internal (long Messages, long Consumers)? Read()
    {
        // Observable callbacks are synchronous; the exporter calls them on a scrape, rarely, and the wait is bounded.
        return ReadAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(
            t => t.IsCompletedSuccessfully ? t.Result : null, TaskScheduler.Default).GetAwaiter().GetResult();
    }

    internal async Task<(long Messages, long Consumers)?> ReadAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_time.GetUtcNow() - _readAt < _interval)
            {
                return _last;
            }
            try
            {
                _connection ??= await _bus.Connection().CreateFactory("annotate-queue-gauge").CreateConnectionAsync(cancellationToken);
                await using var channel = await _connection.CreateChannelAsync(cancellationToken: cancellationToken);
                var ok = await channel.QueueDeclarePassiveAsync(_queue, cancellationToken);
                _last = (ok.MessageCount, ok.ConsumerCount);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Not declared yet, or the broker is away: no reading this time, and a fresh connection next time.
                _logger.LogDebug(ex, "Could not read the depth of queue {Queue}", _queue);
                _last = null;
                if (_connection is { IsOpen: false })
                {
                    await _connection.DisposeAsync();
                    _connection = null;
                }
            }
            _readAt = _time.GetUtcNow();
            return _last;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
        _gate.Dispose();
    }
}
