using System.Collections.Concurrent;
using MassTransit;

namespace Annotate.Gateway.Tests.Support;

/// <summary>Counts messages the host's consumers have finished handling, by message type.</summary>
public sealed class ConsumedCounter : IConsumeObserver
{
    private readonly ConcurrentDictionary<Type, int> _counts = new();

    public int Count<T>() => _counts.TryGetValue(typeof(T), out var count) ? count : 0;

    public Task PreConsume<T>(ConsumeContext<T> context) where T : class => Task.CompletedTask;

    public Task PostConsume<T>(ConsumeContext<T> context) where T : class
    {
        _counts.AddOrUpdate(typeof(T), 1, (_, n) => n + 1);
        return Task.CompletedTask;
    }

    public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class => Task.CompletedTask;
}
