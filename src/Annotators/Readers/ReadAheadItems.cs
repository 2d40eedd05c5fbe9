using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace Annotate.Annotators.Readers;

/// <summary>
/// Runs an enumeration on a thread of its own and hands its items to the caller in batches through a bounded queue, so
/// that producing them (parsing and typing a sheet's cells) runs on one core while the caller consumes them (writes the
/// row spill) on another. Items keep their order. A batch closes at <see cref="BatchItems"/> items or
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

    /// <summary>The items of <paramref name="source"/>, enumerated on a thread of its own; <paramref name="weight"/> estimates an item's bytes.</summary>
    public static IEnumerable<T> Of<T>(IEnumerable<T> source, Func<T, long> weight)
    {
        using var queue = new BlockingCollection<List<T>>(Batches);
        using var stop = new CancellationTokenSource();
        Exception? failure = null;
        // A long-running task gets a thread of its own: the source's work is CPU work, which would hold a pool thread.
        var producing = Task.Factory.StartNew(() =>
        {
            var batch = new List<T>(BatchItems);
            try
            {
                try
                {
                    long batchWeight = 0;
                    foreach (var item in source)
                    {
                        batch.Add(item);
                        batchWeight += weight(item);
                        if (batch.Count >= BatchItems || batchWeight >= BatchWeight)
                        {
                            // Waits while Batches wait; ends with an OperationCanceledException once the caller stopped.
                            queue.Add(batch, stop.Token);
                            batch = new List<T>(BatchItems);
                            batchWeight = 0;
                        }
                    }
                }
                catch (Exception ex) when (!stop.IsCancellationRequested)
                {
                    failure = ex;
                }
                // The last batch, also when the source failed: the items before its exception still reach the caller.
                if (batch.Count > 0)
                {
                    queue.Add(batch, stop.Token);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // The caller stopped reading: nothing waits for the rest.
            }
            finally
            {
                queue.CompleteAdding();
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            foreach (var batch in queue.GetConsumingEnumerable())
            {
                foreach (var item in batch)
                {
                    yield return item;
                }
            }
        }
        finally
        {
            stop.Cancel();
            // The thread catches everything, so the wait never throws; after it the source is disposed.
            producing.Wait();
        }
        if (failure is not null)
        {
            ExceptionDispatchInfo.Throw(failure);
        }
    }
}
