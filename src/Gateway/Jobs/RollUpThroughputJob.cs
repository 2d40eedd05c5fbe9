using Annotate.Gateway.Storage;
using Microsoft.Extensions.Options;
using Quartz;

namespace Annotate.Gateway.Jobs;

/// <summary>
/// Counts documents received, completed and failed (by reason) per minute into <c>throughput_minutes</c>, for the
/// dashboard. Each run recomputes the last <see cref="JobsOptions.RollupWindow"/> up to the current minute from the
/// documents themselves, so running it twice, late, or after a gateway was down gives the same rows.
/// </summary>
[DisallowConcurrentExecution]
public sealed class RollUpThroughputJob(IDocumentStore store, IOptions<JobsOptions> options, TimeProvider time) : IJob
{
    public static readonly JobKey Key = new("roll-up-throughput", "annotate");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) => await RunAsync(cancellationToken);

    /// <summary>One rollup, the current (unfinished) minute included.</summary>
    public Task RunAsync(CancellationToken cancellationToken)
    {
        var next = ThroughputMinute.Floor(time.GetUtcNow()).AddMinutes(1);
        return store.RollUpThroughputAsync(next - options.Value.RollupWindow, next, cancellationToken);
    }
}
