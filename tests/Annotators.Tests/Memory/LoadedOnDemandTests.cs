using Annotate.Annotators.Memory;

namespace Annotate.Annotators.Tests.Memory;

public class LoadedOnDemandTests
{
    private sealed class Resource : IDisposable
    {
        public bool Disposed { get; private set; }

        public void Dispose() => Disposed = true;
    }

    [Fact]
    public void Nothing_is_loaded_before_the_first_lease_and_leases_share_one_load()
    {
        var holder = new LoadedOnDemand<Resource>(() => new Resource());
        Assert.False(holder.IsLoaded);
        Assert.False(holder.TryRelease());

        using var first = holder.Acquire();
        using var second = holder.Acquire();

        Assert.Same(first.Value, second.Value);
        Assert.Equal(1, holder.Loads);
        Assert.Equal(2, holder.Leases);
    }

    [Fact]
    public void A_release_waits_for_the_last_lease_and_the_next_lease_loads_again()
    {
        var holder = new LoadedOnDemand<Resource>(() => new Resource());
        var first = holder.Acquire();
        var second = holder.Acquire();

        first.Dispose();
        first.Dispose(); // a second dispose returns nothing more
        Assert.False(holder.TryRelease());
        Assert.False(first.Value.Disposed);
        second.Dispose();
        Assert.Equal(0, holder.Leases);
        Assert.True(holder.TryRelease());
        Assert.True(first.Value.Disposed);
        Assert.False(holder.IsLoaded);

        using var third = holder.Acquire();
        Assert.NotSame(first.Value, third.Value);
        Assert.False(third.Value.Disposed);
        Assert.Equal(2, holder.Loads);
        Assert.Equal(1, holder.Releases);
    }

    [Fact]
    public void A_failed_load_is_not_remembered_and_holds_no_lease()
    {
        var attempts = 0;
        var holder = new LoadedOnDemand<Resource>(() => ++attempts == 1 ? throw new IOException("model missing") : new Resource());

        Assert.Throws<IOException>(() => holder.Acquire());
        Assert.Equal(0, holder.Leases);
        using var lease = holder.Acquire();

        Assert.Equal(2, attempts);
        Assert.Equal(1, holder.Loads);
    }

    [Fact]
    public async Task A_release_during_a_load_on_another_thread_does_not_wait_for_it_and_gives_nothing_back()
    {
        using var loading = new ManualResetEventSlim();
        using var finish = new ManualResetEventSlim();
        var holder = new LoadedOnDemand<Resource>(() =>
        {
            loading.Set();
            finish.Wait();
            return new Resource();
        });
        var acquiring = Task.Run(holder.Acquire);
        loading.Wait();

        Assert.False(holder.TryRelease());
        finish.Set();
        using var lease = await acquiring;
        Assert.False(lease.Value.Disposed);
        Assert.True(holder.IsLoaded);
    }

    [Fact]
    public void Leases_taken_and_returned_on_many_threads_leave_none_held_and_a_value_that_can_be_released()
    {
        var holder = new LoadedOnDemand<Resource>(() => new Resource());
        var released = 0;
        Parallel.For(0, 2_000, i =>
        {
            if (i % 10 == 0 && holder.TryRelease())
            {
                Interlocked.Increment(ref released);
            }
            using var lease = holder.Acquire();
            Assert.False(lease.Value.Disposed);
        });

        Assert.Equal(0, holder.Leases);
        Assert.Equal(holder.Releases, released);
        Assert.Equal(holder.Loads, released + (holder.IsLoaded ? 1 : 0));
    }
}
