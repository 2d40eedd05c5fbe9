using Annotate.Hosting;
using Annotate.Hosting.PlainJson;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Annotate.Gateway;

/// <summary>
/// On RabbitMQ, declares the documented plain JSON interface before the bus starts, whether or not a worker has started:
/// the <c>annotate-requests</c> exchange and queue (a command another system publishes before any worker runs waits in
/// the queue instead of being dropped) and the <c>annotate-events</c> exchange (a system can bind its queue to it at
/// once). The same durable declarations the workers make, so either side may come first.
/// </summary>
public sealed class PlainJsonTopologyDeclaration(IOptions<BusOptions> bus, ILogger<PlainJsonTopologyDeclaration> logger) : IHostedService
{
    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!bus.Value.UsesRabbitMq)
        {
            return;
        }
        var connection = bus.Value.Connection();
        var factory = connection.CreateFactory("annotate-gateway-topology");
        // The broker may still be starting beside the gateway: try again until the host gives up on starting.
        while (true)
        {
            try
            {
                await DeclareAsync(factory, cancellationToken);
                return;
            }
            catch (BrokerUnreachableException ex)
            {
                logger.LogWarning("RabbitMQ at {Connection} cannot be reached to declare {Queue} ({Reason}); trying again in 5 s",
                    connection, PlainJsonInterface.CommandQueue, ex.InnerException?.Message ?? ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken);
            }
        }
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task DeclareAsync(ConnectionFactory factory, CancellationToken cancellationToken)
    {
        await using var connection = await factory.CreateConnectionAsync(cancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        var arguments = new Dictionary<string, object?>();
        if (bus.Value.QuorumQueues)
        {
            arguments["x-queue-type"] = "quorum";
        }
        try
        {
            await channel.ExchangeDeclareAsync(PlainJsonInterface.CommandQueue, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);
            await channel.QueueDeclareAsync(PlainJsonInterface.CommandQueue, durable: true, exclusive: false, autoDelete: false, arguments, cancellationToken: cancellationToken);
            await channel.QueueBindAsync(PlainJsonInterface.CommandQueue, PlainJsonInterface.CommandQueue, routingKey: "", cancellationToken: cancellationToken);
            await channel.ExchangeDeclareAsync(PlainJsonInterface.EventsExchange, ExchangeType.Topic, durable: true, autoDelete: false, cancellationToken: cancellationToken);
        }
        catch (OperationInterruptedException ex)
        {
            throw new InvalidOperationException(
                $"The plain JSON interface could not be declared on {bus.Value.Connection()}: {ex.ShutdownReason?.ReplyText ?? ex.Message}. " +
                $"A queue {PlainJsonInterface.CommandQueue} of another type must be deleted first (after changing Annotate:Bus:QuorumQueues).", ex);
        }
    }
}
