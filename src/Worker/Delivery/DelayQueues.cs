using System.Globalization;

namespace Annotate.Worker.Delivery;

/// <summary>
/// The RabbitMQ delay queues of a receive endpoint: one per distinct redelivery delay, named after the endpoint and the
/// delay (<c>annotate-document-delay-30s</c>). A command sent to one waits there for the queue's <c>x-message-ttl</c>,
/// then the broker dead-letters it back to the endpoint's exchange. Named by delay, not by position, so changing the
/// delays declares new queues instead of clashing with the arguments of existing ones.
/// </summary>
public sealed class DelayQueues
{
    /// <summary>Creates the delay queues of <paramref name="inputQueue"/> for <paramref name="delays"/>.</summary>
    public DelayQueues(string inputQueue, IEnumerable<TimeSpan> delays)
    {
        InputQueue = inputQueue;
        Queues = delays.Distinct().Order().Select(d => new DelayQueue(NameOf(inputQueue, d), d)).ToList();
    }

    /// <summary>The receive endpoint (its queue and exchange share this name) the commands go back to.</summary>
    public string InputQueue { get; }

    /// <summary>The delay queues, shortest delay first.</summary>
    public IReadOnlyList<DelayQueue> Queues { get; }

    /// <summary>The delay queue that holds a command for <paramref name="delay"/>, or the longest one shorter than it.</summary>
    public DelayQueue For(TimeSpan delay) =>
        Queues.LastOrDefault(q => q.Delay <= delay) ?? (Queues.Count > 0 ? Queues[0] : null)
        ?? throw new InvalidOperationException($"{InputQueue} has no delay queues.");

    /// <summary>The name of the delay queue (and of its exchange) for <paramref name="delay"/>.</summary>
    public static string NameOf(string inputQueue, TimeSpan delay) =>
        $"{inputQueue}-delay-" + (delay.Ticks % TimeSpan.TicksPerSecond == 0
            ? ((long)delay.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "s"
            : ((long)Math.Ceiling(delay.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture) + "ms");
}

/// <summary>One delay queue: its name (also its exchange's) and how long it holds a message.</summary>
/// <param name="Name">Queue and exchange name.</param>
/// <param name="Delay">The queue's message time-to-live.</param>
public sealed record DelayQueue(string Name, TimeSpan Delay)
{
    /// <summary>The address MassTransit sends to: the queue's exchange, which MassTransit declares the same way (fanout, durable).</summary>
    public Uri ExchangeAddress => new($"exchange:{Name}");
}
