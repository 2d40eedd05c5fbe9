using MassTransit;

namespace Annotate.Gateway.Tests.Support;

/// <summary>Counts messages the host's consumers have finished handling, by message type, and wakes whoever waits for a count.</summary>
public sealed class ConsumedCounter : IConsumeObserver
{
    private readonly Dictionary<Type, int> _counts = [];
    private readonly List<(Type Type, int Count, TaskCompletionSource Done)> _waiters = [];

    public int Count<T>()
    {
        lock (_counts)
        {
            return _counts.GetValueOrDefault(typeof(T));
        }
    }

    /// <summary>Completes once <paramref name="count"/> messages of type <typeparamref name="T"/> have been handled.</summary>
    public Task WhenCountAsync<T>(int count)
    {
        lock (_counts)
        {
            if (_counts.GetValueOrDefault(typeof(T)) >= count)
            {
                return Task.CompletedTask;
            }
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((typeof(T), count, done));
            return done.Task;
        }
    }

    public Task PreConsume<T>(ConsumeContext<T> context) where T : class => Task.CompletedTask;

    public Task PostConsume<T>(ConsumeContext<T> context) where T : class
    {
        lock (_counts)
        {
            var count = _counts[typeof(T)] = _counts.GetValueOrDefault(typeof(T)) + 1;
            foreach (var waiter in _waiters.Where(w => w.Type == typeof(T) && w.Count <= count).ToList())
            {
                _waiters.Remove(waiter);
                waiter.Done.TrySetResult();
            }
        }
        return Task.CompletedTask;
    }

    public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class => Task.CompletedTask;
}
