using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace Annotate.Annotators.Readers;

/// <summary>
/// Runs an enumeration on a thread of its own and hands its items to the caller in batches through a bounded queue, so
/// that producing them (parsing a sheet's XML into batches of raw cells) runs on one core while the caller consumes them
/// (types the cells and writes the row spill) on another. Items keep their order. A batch closes at <see cref="BatchItems"/> items or
/// <see cref="BatchWeight"/> of weight (the caller's estimate of an item's bytes), and at most <see cref="Batches"/>
/// wait, so the items held at once stay bounded however large each is. An exception of the source reaches the caller,
/// unchanged, after the items that came before it. Stopping the enumeration early (a break, an exception of the
/// caller) stops the thread at its next batch and waits for it, so whatever the source holds is released before the
/// caller goes on.
/// </summary>
internal static class ReadAheadItems
{
    /// <summary>Most items in one batch.</summary>
    public const int BatchItems = 256;

    /// <summary>Most weight in one batch (a batch always takes at least one item): 1 MiB.</summary>
    public const long BatchWeight = 1 << 20;

    /// <summary>Most batches waiting for the caller.</summary>
    public const int Batches = 4;

    /// <summary>Whether producing on a second thread can pay: there is a second core.</summary>
    public static bool Pays => Environment.ProcessorCount > 1;

    /// <summary>
    /// The items of <paramref name="source"/>, enumerated on a thread of its own from the first time they are asked
    /// for; <paramref name="weight"/> estimates an item's bytes.
    /// </summary>
    public static IEnumerable<T> Of<T>(IEnumerable<T> source, Func<T, long> weight)
    {
        using var items = Start(source, weight);
        foreach (var item in items)
        {
            yield return item;
        }
    }

    /// <summary>
    /// Starts enumerating <paramref name="source"/> on a thread of its own now, so the caller can do other work before
    /// it takes the items (enumerated once). Disposing it, taken or not, stops the thread and waits for it.
    /// </summary>
    public static ReadAheadItems<T> Start<T>(IEnumerable<T> source, Func<T, long> weight) => new(source, weight);
}

/// <summary>Items produced ahead on a thread of their own; see <see cref="ReadAheadItems"/>.</summary>
internal sealed class ReadAheadItems<T> : IEnumerable<T>, IDisposable
{
    private readonly BlockingCollection<List<T>> _queue = new(ReadAheadItems.Batches);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _producing;
    private Exception? _failure;
    private bool _taken;
    private bool _disposed;

    public ReadAheadItems(IEnumerable<T> source, Func<T, long> weight)
    {
        // A long-running task gets a thread of its own: the source's work is CPU work, which would hold a pool thread.
        _producing = Task.Factory.StartNew(() => Produce(source, weight), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    private void Produce(IEnumerable<T> source, Func<T, long> weight)
    {
        var batch = new List<T>(ReadAheadItems.BatchItems);
        try
        {
            try
            {
                long batchWeight = 0;
                foreach (var item in source)
                {
                    batch.Add(item);
                    batchWeight += weight(item);
                    if (batch.Count >= ReadAheadItems.BatchItems || batchWeight >= ReadAheadItems.BatchWeight)
                    {
                        // Waits while Batches wait; ends with an OperationCanceledException once the caller stopped.
                        _queue.Add(batch, _stop.Token);
                        batch = new List<T>(ReadAheadItems.BatchItems);
                        batchWeight = 0;
                    }
                }
            }
            catch (Exception ex) when (!_stop.IsCancellationRequested)
            {
                _failure = ex;
            }
            // The last batch, also when the source failed: the items before its exception still reach the caller.
            if (batch.Count > 0)
            {
                _queue.Add(batch, _stop.Token);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // The caller stopped reading: nothing waits for the rest.
        }
        finally
        {
            _queue.CompleteAdding();
        }
    }

    public IEnumerator<T> GetEnumerator()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_taken)
        {
            throw new InvalidOperationException("the items are enumerated once");
        }
        _taken = true;
        return Take();
    }

    private IEnumerator<T> Take()
    {
        try
        {
            foreach (var batch in _queue.GetConsumingEnumerable())
            {
                foreach (var item in batch)
                {
                    yield return item;
                }
            }
        }
        finally
        {
            Dispose();
        }
        if (_failure is not null)
        {
            ExceptionDispatchInfo.Throw(_failure);
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _stop.Cancel();
        // The thread catches everything, so the wait never throws; after it the source is disposed.
        _producing.Wait();
        _stop.Dispose();
        _queue.Dispose();
    }
}
