using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Annotate.Hosting;

/// <summary>A request the in-memory bus sends to itself once at start (<see cref="BusWarmUpService"/>).</summary>
public sealed record BusWarmUpRequest;

/// <summary>The answer to <see cref="BusWarmUpRequest"/>.</summary>
public sealed record BusWarmUpResponse;

/// <summary>Answers the start's warm-up request.</summary>
public sealed class BusWarmUpConsumer : IConsumer<BusWarmUpRequest>
{
    /// <inheritdoc />
    public Task Consume(ConsumeContext<BusWarmUpRequest> context) => context.RespondAsync(new BusWarmUpResponse());
}

/// <summary>
/// Sends one request through the in-memory bus once the host has started and waits for its answer: MassTransit
/// compiles its publish, delivery, consume and serializer paths on their first use, which the first document otherwise
/// pays for (~0.15 s of its intake). A warm-up only: a request that fails or goes unanswered is logged and nothing else.
/// </summary>
public sealed class BusWarmUpService(IBus bus, IHostApplicationLifetime lifetime, TimeProvider time, ILogger<BusWarmUpService> logger)
    : BackgroundService
{
    private readonly TaskCompletionSource<bool> _answered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the request has gone round: true when it was answered, false when it was not.</summary>
    public Task<bool> Answered => _answered.Task;

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
            {
                await started.Task.WaitAsync(stoppingToken).ConfigureAwait(false);
            }
            var clock = time.GetTimestamp();
            await bus.CreateRequestClient<BusWarmUpRequest>().GetResponse<BusWarmUpResponse>(new BusWarmUpRequest(), stoppingToken).ConfigureAwait(false);
            logger.LogInformation("A first request through the bus, to compile its paths before the first document, was answered in {Milliseconds:F0} ms",
                time.GetElapsedTime(clock).TotalMilliseconds);
            _answered.TrySetResult(true);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            logger.LogWarning(ex, "A first request through the bus at start was not answered; the first document compiles the bus's paths instead");
        }
        finally
        {
            // Answered, failed or stopped: whoever waits learns it went round (false unless answered).
            _answered.TrySetResult(false);
        }
    }
}
