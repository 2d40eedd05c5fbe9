using Annotate.Gateway.Tests.Support;
using Annotate.Messages;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Annotate.Gateway.Tests.Consumers;

/// <summary>Events about one document travel on separate queues and may arrive in any order; the final state must win.</summary>
public sealed class EventOrderTests
{
    [Fact]
    public async Task A_failure_that_overtakes_the_started_event_is_not_undone_by_it()
    {
        await using var host = new GatewayHost(new Dictionary<string, string?> { ["Annotate:Gateway:WatchInbox"] = "false" });
        var bus = host.Services.GetRequiredService<IBus>();
        var at = new DateTimeOffset(2024, 3, 15, 9, 0, 0, TimeSpan.Zero);

        await bus.Publish(new DocumentAnnotationFailed { DocumentId = "late-start", FileName = "x.pdf", Reason = "corrupt", Message = "'x.pdf' is damaged.", FailedAt = at });
        var failed = await host.WaitUntilKnownAndFinishedAsync("late-start");
        await bus.Publish(new DocumentAnnotationStarted { DocumentId = "late-start", FileName = "x.pdf", StartedAt = at.AddSeconds(-1) });
        await host.WaitForConsumedAsync<DocumentAnnotationStarted>();

        var status = await host.WaitUntilFinishedAsync("late-start");
        Assert.Equal("Failed", failed.GetProperty("state").GetString());
        Assert.Equal("Failed", status.GetProperty("state").GetString());
        Assert.Equal("corrupt", status.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task A_completion_that_overtakes_the_started_event_is_not_undone_by_it()
    {
        await using var host = new GatewayHost(new Dictionary<string, string?> { ["Annotate:Gateway:WatchInbox"] = "false" });
        var bus = host.Services.GetRequiredService<IBus>();
        var at = new DateTimeOffset(2024, 3, 15, 9, 0, 0, TimeSpan.Zero);

        await bus.Publish(new DocumentAnnotated
        {
            DocumentId = "late-start-2",
            FileName = "y.pdf",
            OutputUri = Path.Combine(host.Outbox, "late-start-2"),
            Digest = new AnnotationDigest { Format = "pdf" },
            Timings = new StageTimings { TotalMs = 5 },
            CompletedAt = at,
        });
        await host.WaitUntilKnownAndFinishedAsync("late-start-2");
        await bus.Publish(new DocumentAnnotationStarted { DocumentId = "late-start-2", FileName = "y.pdf", StartedAt = at.AddSeconds(-1) });
        await host.WaitForConsumedAsync<DocumentAnnotationStarted>();

        var status = await host.WaitUntilFinishedAsync("late-start-2");
        Assert.Equal("Completed", status.GetProperty("state").GetString());
        Assert.Equal("message", status.GetProperty("channel").GetString());
    }
}
