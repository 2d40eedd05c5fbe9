using System.Diagnostics.Metrics;
using Annotate.Hosting.Telemetry;

namespace Annotate.Worker.Isolation;

/// <summary>
/// In the pipeline child: adds up the model host's token counters (<see cref="AnnotateMetrics.ModelTokensIn"/>,
/// <see cref="AnnotateMetrics.ModelTokensOut"/>), which nothing exports there, so the frames can carry them to the worker.
/// </summary>
internal sealed class ModelUsageListener : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _tokensIn;
    private long _tokensOut;

    public ModelUsageListener()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == AnnotateMetrics.MeterName && instrument.Name is AnnotateMetrics.ModelTokensIn or AnnotateMetrics.ModelTokensOut)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == AnnotateMetrics.ModelTokensIn)
            {
                Interlocked.Add(ref _tokensIn, value);
            }
            else
            {
                Interlocked.Add(ref _tokensOut, value);
            }
        });
        _listener.Start();
    }

    /// <summary>The tokens counted since the last call, or null when there were none.</summary>
    public ChildUsage? Take()
    {
        var tokensIn = Interlocked.Exchange(ref _tokensIn, 0);
        var tokensOut = Interlocked.Exchange(ref _tokensOut, 0);
        return tokensIn == 0 && tokensOut == 0 ? null : new ChildUsage { TokensIn = tokensIn, TokensOut = tokensOut };
    }

    public void Dispose() => _listener.Dispose();
}
