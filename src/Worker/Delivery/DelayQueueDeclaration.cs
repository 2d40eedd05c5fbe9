using Annotate.Hosting;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Annotate.Worker.Delivery;

/// <summary>
/// Declares the worker's delay queues on RabbitMQ before the bus starts (registered before it): durable, quorum when
/// <see cref="BusOptions.QuorumQueues"/> is set, each with its <c>x-message-ttl</c> and <c>x-dead-letter-exchange</c> back to
/// the work queue's exchange. Declaring is idempotent, so every worker does it at every start; a queue that exists with
/// other arguments stops the start with the broker's reason. Does nothing on the in-memory transport.
/// </summary>
public sealed class DelayQueueDeclaration(IOptions<BusOptions> bus, IOptions<WorkerOptions> worker, ILogger<DelayQueueDeclaration> logger) : IHostedService
{
    /// <summary>The delay queues of the work queue for the configured redelivery delays.</summary>
    public static DelayQueues For(WorkerOptions options) => new(WorkQueue.Name, options.RedeliveryIntervals());

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var queues = For(worker.Value);
        if (!bus.Value.UsesRabbitMq || queues.Queues.Count == 0)
        {
            return;
        }
        var connection = bus.Value.Connection();
        var factory = connection.CreateFactory("annotate-worker-topology");
        // The broker may still be starting next to the worker (compose, Kubernetes): try again, as the bus does, until
        // the host gives up on starting.
        while (true)
        {
            try
            {
                await DeclareAsync(factory, queues, cancellationToken);
                return;
            }
            catch (BrokerUnreachableException ex)
            {
                logger.LogWarning("RabbitMQ at {Connection} cannot be reached to declare the delay queues ({Reason}); trying again in 5 s", connection, ex.InnerException?.Message ?? ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken);
            }
        }
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task DeclareAsync(ConnectionFactory factory, DelayQueues queues, CancellationToken cancellationToken)
    {
        await using var connection = await factory.CreateConnectionAsync(cancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        // The dead-letter exchange must exist before a message expires, or the broker drops it; MassTransit declares it
        // the same way (fanout, durable) when the endpoint starts.
        await channel.ExchangeDeclareAsync(queues.InputQueue, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);
        foreach (var queue in queues.Queues)
        {
            var arguments = new Dictionary<string, object?>
            {
                ["x-message-ttl"] = (long)queue.Delay.TotalMilliseconds,
                ["x-dead-letter-exchange"] = queues.InputQueue,
            };
            if (bus.Value.QuorumQueues)
            {
                // Quorum queues honour x-message-ttl from RabbitMQ 3.10.
                arguments["x-queue-type"] = "quorum";
            }
            try
            {
                await channel.ExchangeDeclareAsync(queue.Name, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);
                await channel.QueueDeclareAsync(queue.Name, durable: true, exclusive: false, autoDelete: false, arguments, cancellationToken: cancellationToken);
                await channel.QueueBindAsync(queue.Name, queue.Name, routingKey: "", cancellationToken: cancellationToken);
            }
            catch (OperationInterruptedException ex)
            {
                throw new InvalidOperationException(
                    $"The delay queue {queue.Name} could not be declared on {bus.Value.Connection()}: {ex.ShutdownReason?.ReplyText ?? ex.Message}. " +
                    "A queue of that name with other arguments (type, TTL, dead-letter exchange) must be deleted first.", ex);
            }
        }
        logger.LogDebug("Delay queues declared: {Queues}", string.Join(", ", queues.Queues.Select(q => q.Name)));
    }
}
