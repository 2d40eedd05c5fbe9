using Annotate.Annotators.Annotations;
using Annotate.Annotators.Pipeline;
using Annotate.Messages;
using Annotate.Worker.Storage;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Annotate.Worker.Tests.Bus;

/// <summary>A standalone worker over a real RabbitMQ: redelivery through the delay queues, prefetch, graceful shutdown.</summary>
public sealed class DeliveryTests : IAsyncLifetime
{
    private const string WorkQueue = "annotate-document";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "annotate-worker-bus-tests", Guid.NewGuid().ToString("N"));

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_root, recursive: true);
        return Task.CompletedTask;
    }

    private AnnotateDocument Command(string id)
    {
        var path = Path.Combine(_root, id + ".txt");
        File.WriteAllText(path, "Meeting notes\n\nThe budget of EUR 1,250.00 was approved on 15 March 2024.\n");
        return new AnnotateDocument { DocumentId = id, SourceUri = new Uri(path).AbsoluteUri, FileName = id + ".txt" };
    }

    private static Dictionary<string, string?> Redelivery(int retryLimit, int redeliveryLimit) => new()
    {
        ["Annotate:Worker:RetryLimit"] = retryLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Annotate:Worker:RedeliveryLimit"] = redeliveryLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Annotate:Worker:RedeliveryDelays:0"] = "00:00:01",
    };

    [RabbitMqFact]
    public async Task A_transient_failure_that_persists_goes_through_the_delay_queue_then_to_the_error_queue_with_one_Failed_event()
    {
        await using var vhost = await RabbitMqVirtualHost.CreateAsync();
        var annotator = new TransientlyFailingAnnotator(_ => true);
        using var worker = await WorkerTestHost.StartAsync(_root, vhost.Settings(), Redelivery(retryLimit: 1, redeliveryLimit: 2),
            s => s.AddSingleton<IAnnotator>(annotator));
        await using var probe = await EventProbe.StartAsync(vhost.Settings());

        await probe.Bus.Publish(Command("persists-1"));

        var failed = await probe.Events.WaitForAsync<DocumentAnnotationFailed>(e => e.DocumentId == "persists-1");
        Assert.Equal(FailureReason.ModelUnavailable, failed.Reason);
        Assert.True(failed.Retryable);
        Assert.Contains("not available", failed.Message);
        var queues = await vhost.WaitForQueuesAsync(q => q.Any(x => x.Name == WorkQueue + "_error" && x.Messages == 1), "the command reaching annotate-document_error");
        // Two deliveries more than the first, each with the first try and one in-process retry; every try counted.
        Assert.Equal(6, annotator.Calls);
        Assert.Equal([1, 2, 3, 4, 5, 6], probe.Events.Of<DocumentAnnotationStarted>().Select(s => s.Attempt).Order());
        Assert.Single(probe.Events.Of<Fault<AnnotateDocument>>());
        Assert.Single(probe.Events.Of<DocumentAnnotationFailed>());
        Assert.Empty(probe.Events.Of<DocumentAnnotated>());
        var delay = Assert.Single(queues, q => q.Name == WorkQueue + "-delay-1s");
        Assert.True(delay.Durable);
        Assert.Equal(0, delay.Messages);
        Assert.Contains("x-message-ttl", delay.Arguments);
        Assert.Equal(0, queues.Single(q => q.Name == WorkQueue).Messages);
        var outcome = await worker.Services.GetRequiredService<ResultIndex>().FindOutcomeAsync("persists-1", CancellationToken.None);
        Assert.Equal(FailureReason.ModelUnavailable, outcome?.Failed?.Reason);
    }

    [RabbitMqFact]
    public async Task A_transient_failure_that_clears_after_the_first_redelivery_completes_once()
    {
        await using var vhost = await RabbitMqVirtualHost.CreateAsync();
        // The first delivery's two tries fail; the redelivery succeeds.
        var annotator = new TransientlyFailingAnnotator(call => call <= 2);
        using var worker = await WorkerTestHost.StartAsync(_root, vhost.Settings(), Redelivery(retryLimit: 1, redeliveryLimit: 3),
            s => s.AddSingleton<IAnnotator>(annotator));
        await using var probe = await EventProbe.StartAsync(vhost.Settings());

        await probe.Bus.Publish(Command("clears-1"));

        await probe.Events.WaitForAsync<DocumentAnnotated>(e => e.DocumentId == "clears-1");
        await vhost.WaitForQueuesAsync(q => q.Where(x => x.Name.StartsWith(WorkQueue, StringComparison.Ordinal)).All(x => x.Messages == 0), "every work and delay queue emptied");
        Assert.Equal(3, annotator.Calls);
        Assert.Equal([1, 2, 3], probe.Events.Of<DocumentAnnotationStarted>().Select(s => s.Attempt).Order());
        Assert.Single(probe.Events.Of<DocumentAnnotated>());
        Assert.Empty(probe.Events.Of<DocumentAnnotationFailed>());
        Assert.Empty(probe.Events.Of<Fault<AnnotateDocument>>());
        Assert.DoesNotContain(await vhost.QueuesAsync(), q => q.Name == WorkQueue + "_error" && q.Messages > 0);
    }

    [RabbitMqFact]
    public async Task Delay_queues_are_quorum_queues_when_QuorumQueues_is_set()
    {
        await using var vhost = await RabbitMqVirtualHost.CreateAsync();
        using var worker = await WorkerTestHost.StartAsync(_root, vhost.Settings(quorumQueues: true), Redelivery(retryLimit: 0, redeliveryLimit: 2));

        var queues = await vhost.QueuesAsync();

        var delay = Assert.Single(queues, q => q.Name.StartsWith(WorkQueue + "-delay-", StringComparison.Ordinal));
        Assert.Equal("quorum", delay.Type);
        Assert.True(delay.Durable);
        Assert.Equal("quorum", queues.Single(q => q.Name == WorkQueue).Type);
    }

    [RabbitMqFact]
    public async Task A_worker_with_one_concurrent_document_holds_one_unacknowledged_command()
    {
        await using var vhost = await RabbitMqVirtualHost.CreateAsync();
        var blocking = new BlockingAnnotator();
        using var worker = await WorkerTestHost.StartAsync(_root, vhost.Settings(), new Dictionary<string, string?> { ["Annotate:Worker:ConcurrentDocuments"] = "1" },
            s => s.AddSingleton<IAnnotator>(blocking));
        await using var probe = await EventProbe.StartAsync(vhost.Settings());

        foreach (var id in new[] { "one-1", "one-2", "one-3" })
        {
            await probe.Bus.Publish(Command(id));
        }
        await blocking.Entered.WaitAsync(TimeSpan.FromSeconds(60));

        var queues = await vhost.WaitForQueuesAsync(q => q.Any(x => x.Name == WorkQueue && x.Ready == 2), "two commands waiting in the queue");
        Assert.Equal(1, queues.Single(q => q.Name == WorkQueue).Unacknowledged);
        Assert.Equal([1], await vhost.ConsumerPrefetchAsync(WorkQueue));
        Assert.Single(probe.Events.Of<DocumentAnnotationStarted>());

        blocking.Release();
        foreach (var id in new[] { "one-1", "one-2", "one-3" })
        {
            await probe.Events.WaitForAsync<DocumentAnnotated>(e => e.DocumentId == id);
        }
    }

    [RabbitMqFact]
    public async Task A_document_still_running_when_its_worker_stops_goes_back_to_the_queue_and_another_worker_completes_it_once()
    {
        await using var vhost = await RabbitMqVirtualHost.CreateAsync();
        var blocking = new BlockingAnnotator();
        var grace = new Dictionary<string, string?> { ["Annotate:Worker:ShutdownGrace"] = "00:00:01" };
        var first = await WorkerTestHost.StartAsync(_root, vhost.Settings(), grace, s => s.AddSingleton<IAnnotator>(blocking));
        await using var probe = await EventProbe.StartAsync(vhost.Settings());

        await probe.Bus.Publish(Command("stopped-1"));
        await blocking.Entered.WaitAsync(TimeSpan.FromSeconds(60));
        using (var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            await first.StopAsync(stopping.Token);
        }
        first.Dispose();

        Assert.True(blocking.SawCancellation);
        await vhost.WaitForQueuesAsync(q => q.Any(x => x.Name == WorkQueue && x.Ready == 1), "the command back in the queue");
        Assert.Empty(probe.Events.Of<Fault<AnnotateDocument>>());
        Assert.Empty(probe.Events.Of<DocumentAnnotationFailed>());

        using var second = await WorkerTestHost.StartAsync(_root, vhost.Settings(), grace);
        await probe.Events.WaitForAsync<DocumentAnnotated>(e => e.DocumentId == "stopped-1");
        await vhost.WaitForQueuesAsync(q => q.Where(x => x.Name.StartsWith(WorkQueue, StringComparison.Ordinal)).All(x => x.Messages == 0), "every queue emptied");

        Assert.Single(probe.Events.Of<DocumentAnnotated>());
        Assert.Empty(probe.Events.Of<DocumentAnnotationFailed>());
        Assert.Empty(probe.Events.Of<Fault<AnnotateDocument>>());
        Assert.DoesNotContain(await vhost.QueuesAsync(), q => q.Name == WorkQueue + "_error" && q.Messages > 0);
        Assert.Equal(2, probe.Events.Of<DocumentAnnotationStarted>().Count);
    }
}
