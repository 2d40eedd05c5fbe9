using System.Text;
using System.Text.Json;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Annotate.Integration.Tests.Support;

/// <summary>One document event as the broker carried it, with the process that published it (from MassTransit's envelope).</summary>
public sealed record DocumentEvent(string Type, string DocumentId, int ProcessId, JsonElement Message);

/// <summary>
/// A queue of the test's own bound to the document events' exchanges, read with RabbitMQ.Client: every Started,
/// Annotated and Failed event the workers publish, whoever else consumes them. The queue is durable, so events
/// published while the tap's connection is down (a broker restart) wait for it.
/// </summary>
public sealed class EventTap : IAsyncDisposable
{
    public const string Started = "DocumentAnnotationStarted";
    public const string Annotated = "DocumentAnnotated";
    public const string Failed = "DocumentAnnotationFailed";

    private const string Queue = "integration-tests-event-tap";
    private readonly List<DocumentEvent> _events = [];
    // Completed and replaced each time an event is read, so waiters wake on events rather than on a timer.
    private TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly IConnection _connection;
    private readonly IChannel _channel;

    private EventTap(IConnection connection, IChannel channel)
    {
        _connection = connection;
        _channel = channel;
    }

    /// <summary>Binds the tap's queue to the events' exchanges (declared by the gateway as it starts) and starts reading.</summary>
    public static async Task<EventTap> StartAsync(Uri broker)
    {
        var factory = new ConnectionFactory { Uri = broker, AutomaticRecoveryEnabled = true, TopologyRecoveryEnabled = true, ClientProvidedName = "integration-tests" };
        var connection = await factory.CreateConnectionAsync();
        var channel = await connection.CreateChannelAsync();
        var tap = new EventTap(connection, channel);
        await channel.QueueDeclareAsync(Queue, durable: true, exclusive: false, autoDelete: false);
        foreach (var type in new[] { Started, Annotated, Failed })
        {
            await channel.QueueBindAsync(Queue, $"Annotate.Messages:{type}", string.Empty);
        }
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            tap.Keep(delivery.Body.Span);
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(Queue, autoAck: true, consumer);
        return tap;
    }

    /// <summary>A copy of every event read so far.</summary>
    public IReadOnlyList<DocumentEvent> Events
    {
        get
        {
            lock (_events)
            {
                return _events.ToList();
            }
        }
    }

    /// <summary>The events of one type, by document.</summary>
    public Dictionary<string, List<DocumentEvent>> ByDocument(string type) =>
        Events.Where(e => e.Type == type).GroupBy(e => e.DocumentId).ToDictionary(g => g.Key, g => g.ToList());

    /// <summary>Waits (bounded, polling what was read) until <paramref name="condition"/> holds for the events read so far.</summary>
    public async Task WaitUntilAsync(Func<IReadOnlyList<DocumentEvent>, bool> condition, TimeSpan timeout, string what)
    {
        using var bound = new CancellationTokenSource(timeout);
        while (true)
        {
            Task arrived;
            lock (_events)
            {
                arrived = _arrived.Task;
            }
            if (condition(Events))
            {
                return;
            }
            try
            {
                await arrived.WaitAsync(bound.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Not within {timeout}: {what}. Events read: {Events.Count}.");
            }
        }
    }

    /// <summary>
    /// Publishes an <c>AnnotateDocument</c> command the way another system would: MassTransit's JSON envelope, sent to the
    /// command's exchange, persistent.
    /// </summary>
    public async Task PublishCommandAsync(object command)
    {
        var envelope = new
        {
            messageId = Guid.NewGuid().ToString(),
            messageType = new[] { "urn:message:Annotate.Messages:AnnotateDocument" },
            message = command,
            sentTime = DateTimeOffset.UtcNow,
        };
        var body = JsonSerializer.SerializeToUtf8Bytes(envelope, new JsonSerializerOptions(JsonSerializerDefaults.Web));
        var properties = new BasicProperties { ContentType = "application/vnd.masstransit+json", DeliveryMode = DeliveryModes.Persistent, MessageId = envelope.messageId };
        await _channel.BasicPublishAsync("Annotate.Messages:AnnotateDocument", string.Empty, mandatory: false, properties, body);
    }

    /// <summary>
    /// The consumers of <paramref name="queue"/> (a passive declare: cheap, unlike a rabbitmqctl call, which boots an
    /// Erlang VM); null while the broker cannot answer, e.g. during its restart.
    /// </summary>
    public async Task<int?> ConsumersAsync(string queue)
    {
        try
        {
            await using var channel = await _connection.CreateChannelAsync();
            return (int)(await channel.QueueDeclarePassiveAsync(queue)).ConsumerCount;
        }
        catch (Exception ex) when (ex is RabbitMQ.Client.Exceptions.RabbitMQClientException or IOException or TimeoutException)
        {
            return null;
        }
    }

    private void Keep(ReadOnlySpan<byte> body)
    {
        using var envelope = JsonDocument.Parse(body.ToArray());
        var root = envelope.RootElement;
        var type = root.GetProperty("messageType").EnumerateArray().Select(t => t.GetString()!)
            .First(t => t.StartsWith("urn:message:Annotate.Messages:", StringComparison.Ordinal))["urn:message:Annotate.Messages:".Length..];
        var message = root.GetProperty("message").Clone();
        var processId = root.TryGetProperty("host", out var host) && host.TryGetProperty("processId", out var pid) ? pid.GetInt32() : 0;
        lock (_events)
        {
            _events.Add(new DocumentEvent(type, message.GetProperty("documentId").GetString()!, processId, message));
            _arrived.TrySetResult();
            _arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>Describes the events of one document, for failure messages.</summary>
    public string Describe(string documentId) =>
        string.Join("; ", Events.Where(e => e.DocumentId == documentId).Select(e => $"{e.Type} by pid {e.ProcessId}"));

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _channel.CloseAsync();
            await _connection.CloseAsync();
        }
        catch (RabbitMQ.Client.Exceptions.RabbitMQClientException)
        {
            // The broker is gone already: nothing to close.
        }
        _channel.Dispose();
        _connection.Dispose();
    }
}
