using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Readers;

namespace Annotate.Annotators.Tests.Readers;

public class ReadAheadItemsTests
{
    [Fact]
    public void Every_item_arrives_in_order_and_is_produced_on_another_thread()
    {
        var caller = Environment.CurrentManagedThreadId;
        var producers = new HashSet<int>();
        IEnumerable<int> Source()
        {
            for (var i = 0; i < 10 * ReadAheadItems.BatchItems + 17; i++)
            {
                producers.Add(Environment.CurrentManagedThreadId);
                yield return i;
            }
        }

        var items = ReadAheadItems.Of(Source(), _ => 1).ToList();

        Assert.Equal(Enumerable.Range(0, (10 * ReadAheadItems.BatchItems) + 17), items);
        Assert.DoesNotContain(caller, producers);
    }

    [Fact]
    public void A_batch_closes_at_its_weight_so_heavy_items_are_not_held_by_the_hundred()
    {
        // Each item weighs half the batch limit: the producer can be at most Batches full batches, the one it fills
        // and the one the caller holds ahead of the caller, however many items there are.
        var produced = 0;
        IEnumerable<int> Source()
        {
            for (var i = 0; i < 1000; i++)
            {
                Interlocked.Increment(ref produced);
                yield return i;
            }
        }

        var aheadAtMost = 0;
        var seen = 0;
        foreach (var _ in ReadAheadItems.Of(Source(), _ => ReadAheadItems.BatchWeight / 2))
        {
            seen++;
            aheadAtMost = Math.Max(aheadAtMost, Volatile.Read(ref produced) - seen);
        }

        Assert.Equal(1000, seen);
        Assert.InRange(aheadAtMost, 0, (ReadAheadItems.Batches + 2) * 2);
    }

    [Fact]
    public void An_exception_of_the_source_reaches_the_caller_unchanged_after_the_items_before_it()
    {
        IEnumerable<int> Source()
        {
            for (var i = 0; i < 3 * ReadAheadItems.BatchItems + 5; i++)
            {
                yield return i;
            }
            throw new AnnotationException(FailureReason.TooLarge, "'book.xlsx' is too large: a row holds too many cells");
        }

        var items = new List<int>();
        var ex = Assert.Throws<AnnotationException>(() =>
        {
            foreach (var item in ReadAheadItems.Of(Source(), _ => 1))
            {
                items.Add(item);
            }
        });

        Assert.Equal(FailureReason.TooLarge, ex.Reason);
        Assert.Contains("'book.xlsx'", ex.Message);
        Assert.Equal(Enumerable.Range(0, (3 * ReadAheadItems.BatchItems) + 5), items);
    }

    [Fact]
    public void Stopping_early_stops_the_producer_and_disposes_the_source_before_the_caller_goes_on()
    {
        // A source without end: only the caller's stop can end the thread producing it.
        var disposed = false;
        long produced = 0;
        IEnumerable<long> Endless()
        {
            try
            {
                while (true)
                {
                    yield return Interlocked.Increment(ref produced);
                }
            }
            finally
            {
                disposed = true;
            }
        }

        var taken = ReadAheadItems.Of(Endless(), _ => 1).Take(5).ToList();

        Assert.Equal([1L, 2, 3, 4, 5], taken);
        Assert.True(disposed);
        var after = Interlocked.Read(ref produced);
        Assert.Equal(after, Interlocked.Read(ref produced));
    }

    [Fact]
    public void Nothing_starts_until_the_items_are_asked_for()
    {
        var started = false;
        IEnumerable<int> Source()
        {
            started = true;
            yield return 1;
        }

        var items = ReadAheadItems.Of(Source(), _ => 1);

        Assert.False(started);
        Assert.Equal([1], items.ToList());
        Assert.True(started);
    }
}
