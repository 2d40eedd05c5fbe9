using System.Net;
using Annotate.Gateway.Storage;
using Annotate.Gateway.Tests.Support;
using Annotate.Messages;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Annotate.Gateway.Tests.Telemetry;

/// <summary>
/// Meters are matched by name across the process, so a scrape would also see another host's documents: these tests run
/// alone, after the parallel ones.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsCollection
{
    public const string Name = "metrics";
}

[Collection(MetricsCollection.Name)]
public sealed class MetricsEndpointTests
{
    private const string Received = "annotate_documents_received_total";
    private const string Completed = "annotate_documents_completed_total";
    private const string Failed = "annotate_documents_failed_total";

    private static async Task<PrometheusScrape> ScrapeAsync(GatewayHost host)
    {
        var response = await host.Client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return new PrometheusScrape(await response.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// Scrapes until the documents counted received are all counted finished and at least <paramref name="started"/>
    /// queue waits are recorded (bounded: 60 s). A worker's started event travels on a queue of its own and can arrive
    /// after the document's outcome, so the outcomes alone do not say that every wait is in.
    /// </summary>
    private static async Task<PrometheusScrape> ScrapeWhenSettledAsync(GatewayHost host, int documents, int started = 0)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var scrape = await ScrapeAsync(host);
            if (scrape.Sum(Received) == documents && scrape.Sum(Completed) + scrape.Sum(Failed) == documents
                && scrape.Sum("annotate_stage_duration_seconds_count", ("stage", "queue_wait")) >= started)
            {
                return scrape;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The counters did not settle at {documents} documents within 60 s:\n{scrape.Text}");
            }
            await Task.Delay(100);
        }
    }

    private static async Task<string> UploadTextAsync(GatewayHost host, string name, string text)
    {
        var path = Path.Combine(host.Root, name);
        await File.WriteAllTextAsync(path, text);
        return await host.UploadAsync(path);
    }

    [Fact]
    public async Task The_process_and_its_pipeline_child_show_their_size_the_runtimes_own_meter_beside_Annotates()
    {
        await using var host = new GatewayHost();
        // A document annotated: the pipeline child that ran it stays, idle, for the next one.
        await UploadTextAsync(host, "note.txt", "Note: revenue grew by 2.5% to USD 2,500 on 2024-03-31.");

        var scrape = await ScrapeWhenSettledAsync(host, 1);

        // What an operator watches a long-running gateway by: its working set, what it allocated and compiled, its CPU,
        // and beside it the size of the child that annotates (a process of its own, which serves no metrics).
        Assert.True(scrape.Sum("dotnet_process_memory_working_set_bytes") > 10_000_000, scrape.Text);
        Assert.True(scrape.Sum("dotnet_gc_heap_total_allocated_bytes_total") > 1_000_000, scrape.Text);
        Assert.True(scrape.Sum("dotnet_jit_compiled_methods_total") > 1_000, scrape.Text);
        Assert.True(scrape.Sum("dotnet_process_cpu_time_seconds_total") > 0, scrape.Text);
        Assert.True(scrape.Sum("annotate_child_memory_resident_bytes") > 10_000_000, scrape.Text);
    }

    [Fact]
    public async Task Counters_add_up_to_the_documents_sent_with_failures_by_reason_and_the_duplicate_counted_as_such()
    {
        // Gauges read on every scrape: a reading reused from while a document was in flight would not say 0 at the end.
        await using var host = new GatewayHost(new Dictionary<string, string?> { ["Annotate:Telemetry:SampleInterval"] = "00:00:00" });
        var good = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            good.Add(await UploadTextAsync(host, $"note-{i}.txt", $"Note {i}: revenue grew by {i}.5% to USD 2,500 on 2024-03-31."));
        }
        using (var form = new MultipartFormDataContent { { new ByteArrayContent([]), "file", "nothing.pdf" } })
        {
            Assert.Equal(HttpStatusCode.Accepted, (await host.Client.PostAsync("/api/documents", form)).StatusCode);
        }
        foreach (var id in good)
        {
            await host.WaitUntilFinishedAsync(id);
        }
        // The same bytes as a finished document: its outputs are copied, not annotated again.
        var copy = await UploadTextAsync(host, "copy-of-note-0.txt", "Note 0: revenue grew by 0.5% to USD 2,500 on 2024-03-31.");
        var copyStatus = await host.WaitUntilFinishedAsync(copy);
        Assert.Equal(good[0], copyStatus.GetProperty("duplicateOf").GetString());

        var scrape = await ScrapeWhenSettledAsync(host, 5, started: 4);

        Assert.Equal(5, scrape.Sum(Received, ("channel", "upload")));
        Assert.Equal(4, scrape.Sum(Completed));
        Assert.Equal(3, scrape.Sum(Completed, ("outcome", "annotated"), ("format", "text"), ("profile", "default"), ("channel", "upload")));
        Assert.Equal(1, scrape.Sum(Completed, ("outcome", "duplicate")));
        Assert.Equal(1, scrape.Sum(Failed, ("reason", "empty"), ("channel", "upload")));
        Assert.Equal(1, scrape.Sum(Failed));
        // Stage times of the three annotated documents only; the duplicate read and annotated nothing.
        Assert.Equal(3, scrape.Sum("annotate_stage_duration_seconds_count", ("stage", "read")));
        Assert.Equal(3, scrape.Sum("annotate_stage_duration_seconds_count", ("stage", "total")));
        Assert.True(scrape.Sum("annotate_stage_duration_seconds_count", ("stage", "queue_wait")) >= 4, scrape.Text);
        Assert.Equal(0, scrape.Sum("annotate_documents_in_flight"));
        Assert.True(scrape.Has("annotate_documents_in_flight"), scrape.Text);
    }

    [Fact]
    public async Task An_outcome_delivered_again_for_a_finished_document_is_not_counted_twice()
    {
        await using var host = new GatewayHost();
        var id = await UploadTextAsync(host, "once.txt", "Counted once: invoice 17 is due on 2024-05-01.");
        await host.WaitUntilFinishedAsync(id);
        await ScrapeWhenSettledAsync(host, 1);

        // The same Completed event again (a redelivery), and a late Failed event (a re-drive that lost the race).
        var bus = host.Services.GetRequiredService<IBus>();
        await bus.Publish(new DocumentAnnotated
        {
            DocumentId = id,
            OutputUri = "blob:outputs/" + id + "/",
            Digest = new AnnotationDigest { Format = "text" },
            Timings = new StageTimings(),
        });
        await bus.Publish(new DocumentAnnotationFailed { DocumentId = id, Reason = "timeout", Message = "late" });
        await host.WaitForConsumedCountAsync<DocumentAnnotated>(2);
        await host.WaitForConsumedCountAsync<DocumentAnnotationFailed>(1);

        var scrape = await ScrapeAsync(host);
        Assert.Equal(1, scrape.Sum(Received));
        Assert.Equal(1, scrape.Sum(Completed));
        Assert.Equal(0, scrape.Sum(Failed));
    }

    [Fact]
    public async Task A_queue_wait_is_measured_once_when_the_outcome_overtakes_the_started_event()
    {
        await using var host = new GatewayHost(new Dictionary<string, string?> { ["Annotate:Gateway:WatchInbox"] = "false" });
        var store = host.Services.GetRequiredService<IDocumentStore>();
        var bus = host.Services.GetRequiredService<IBus>();
        var dispatched = DateTimeOffset.UtcNow.AddMinutes(-1);
        Assert.True(await store.TryAddAsync(new DocumentRecord
        {
            Id = "overtaken",
            FileName = "overtaken.txt",
            Channel = "upload",
            State = DocumentState.Received,
            ReceivedAt = dispatched.AddSeconds(-3),
            DispatchedAt = dispatched,
        }, CancellationToken.None));

        // The outcome first (it gives the record a start from the worker's total time), then the start, then the start again.
        await bus.Publish(new DocumentAnnotated
        {
            DocumentId = "overtaken",
            OutputUri = "blob:outputs/overtaken/",
            Digest = new AnnotationDigest { Format = "text" },
            Timings = new StageTimings { TotalMs = 500 },
            CompletedAt = dispatched.AddSeconds(8),
        });
        await host.WaitUntilFinishedAsync("overtaken");
        var started = new DocumentAnnotationStarted { DocumentId = "overtaken", StartedAt = dispatched.AddSeconds(7), Attempt = 1 };
        await bus.Publish(started);
        await bus.Publish(started);
        await host.WaitForConsumedCountAsync<DocumentAnnotationStarted>(2);

        var scrape = await ScrapeAsync(host);
        Assert.Equal(1, scrape.Sum("annotate_stage_duration_seconds_count", ("stage", "queue_wait")));
        Assert.Equal(7, scrape.Sum("annotate_stage_duration_seconds_sum", ("stage", "queue_wait")), 3);
        Assert.Equal("Completed", (await host.WaitUntilFinishedAsync("overtaken")).GetProperty("state").GetString());
    }

    [RabbitMqFact]
    public async Task On_RabbitMQ_the_work_queue_depth_and_consumers_are_gauges_read_from_the_broker()
    {
        await using var vhost = await RabbitMqVirtualHost.CreateAsync();
        var settings = vhost.Settings(runWorker: false);
        settings["Annotate:Telemetry:SampleInterval"] = "00:00:00";
        await using var gateway = new GatewayHost(settings);

        // No worker: both documents wait in the queue.
        await UploadTextAsync(gateway, "a.txt", "Queued a.");
        await UploadTextAsync(gateway, "b.txt", "Queued b.");

        var deadline = DateTime.UtcNow.AddSeconds(60);
        PrometheusScrape scrape;
        while ((scrape = await ScrapeAsync(gateway)).Sum("annotate_queue_messages", ("queue", "annotate-document")) != 2)
        {
            Assert.True(DateTime.UtcNow < deadline, $"The queue gauge did not reach 2 within 60 s:\n{scrape.Text}");
            await Task.Delay(100);
        }
        Assert.True(scrape.Has("annotate_queue_consumers"), scrape.Text);
        Assert.Equal(0, scrape.Sum("annotate_queue_consumers", ("queue", "annotate-document")));
        Assert.Equal(2, scrape.Sum("annotate_documents_in_flight"));
    }
}
