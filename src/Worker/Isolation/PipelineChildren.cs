using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Annotate.Worker.Isolation;

/// <summary>
/// Starts the first pipeline child before the bus takes any command (registered before it), and stops the children
/// after the bus has stopped (hosted services stop in reverse order).
/// </summary>
public sealed class PipelineChildren(PipelineSupervisor supervisor, IOptions<WorkerOptions> worker) : IHostedService
{
    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => supervisor.StartAsync(cancellationToken);

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) =>
        // The bus gave documents in flight ShutdownGrace already; what is still running now is cancelled work.
        supervisor.StopAsync(TimeSpan.FromSeconds(Math.Min(10, worker.Value.ShutdownGrace.TotalSeconds)));
}
