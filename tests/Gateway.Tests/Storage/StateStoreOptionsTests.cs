using Annotate.Gateway.Storage;

namespace Annotate.Gateway.Tests.Storage;

public sealed class StateStoreOptionsTests
{
    private static TimeSpan Sum(IEnumerable<TimeSpan> intervals) => intervals.Aggregate(TimeSpan.Zero, (total, next) => total + next);

    [Fact]
    public void State_changes_are_retried_for_RetryFor_waiting_longer_each_time_up_to_15_seconds()
    {
        var options = new StateStoreOptions { RetryFor = TimeSpan.FromMinutes(2) };

        var intervals = options.RetryIntervals();

        Assert.Equal(TimeSpan.FromMilliseconds(500), intervals[0]);
        Assert.True(Sum(intervals) >= options.RetryFor, $"{Sum(intervals)} covers {options.RetryFor}");
        Assert.True(Sum(intervals.SkipLast(1)) < options.RetryFor, "no retry more than needed");
        Assert.All(intervals.Zip(intervals.Skip(1)), pair => Assert.True(pair.Second >= pair.First));
        Assert.Equal(TimeSpan.FromSeconds(15), intervals.Max());
    }

    [Fact]
    public void RetryFor_zero_retries_nothing()
    {
        Assert.Empty(new StateStoreOptions { RetryFor = TimeSpan.Zero }.RetryIntervals());
    }
}
