using Annotate.Gateway.Jobs;
using Microsoft.Extensions.Configuration;

namespace Annotate.Gateway.Tests.Jobs;

public sealed class JobsOptionsTests
{
    [Fact]
    public void The_sweeper_deadline_is_the_worker_time_limit_plus_the_margin_unless_set()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Annotate:Worker:DocumentTimeout"] = "00:10:00" }).Build();

        Assert.Equal(TimeSpan.FromMinutes(15), new JobsOptions().StuckDeadline(configuration));
        Assert.Equal(TimeSpan.FromMinutes(30), new JobsOptions().StuckDeadline(new ConfigurationBuilder().Build()));
        Assert.Equal(TimeSpan.FromMinutes(2), new JobsOptions { StuckAfter = TimeSpan.FromMinutes(2) }.StuckDeadline(configuration));
    }

    [Fact]
    public void Retention_is_off_by_default() => Assert.Equal(0, new JobsOptions().RetentionDays);
}
