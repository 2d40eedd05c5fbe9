using System.Collections.Concurrent;

namespace Annotate.Gateway.Storage;

/// <summary>
/// In-process signal that a document reached a final state, raised by the consumers after the record changed, so
/// whoever needs to wait for a document (the resumer running suspects one at a time) waits for the event, not a timer.
/// </summary>
public sealed class DocumentStateChanges
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _waiters = new(StringComparer.Ordinal);

    /// <summary>Completes when <see cref="Finished"/> is called for <paramref name="id"/>, or when <paramref name="cancellationToken"/> fires.</summary>
    public Task WhenFinishedAsync(string id, CancellationToken cancellationToken) =>
        _waiters.GetOrAdd(id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task.WaitAsync(cancellationToken);

    /// <summary>Says that <paramref name="id"/> reached a final state.</summary>
    public void Finished(string id)
    {
        if (_waiters.TryRemove(id, out var waiter))
        {
            waiter.TrySetResult();
        }
    }

    /// <summary>Forgets a waiter nobody needs any more (the wait was given up).</summary>
    public void Forget(string id) => _waiters.TryRemove(id, out _);
}
