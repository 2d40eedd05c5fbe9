using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using Annotate.Hosting.Telemetry;
using Annotate.Messages;
using Annotate.Worker.Isolation;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Annotate.Worker.Tests.Isolation;

/// <summary>What the pipeline children report besides results: progress, model tokens, pages, rows, stage times; and recycling by memory.</summary>
public sealed class ChildReportsTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(4);


    private static string Corpus(string name) => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(IsolationHarness.Model)!, "..", "corpus", name));

    private static string Csv(int rows)
    {
        var csv = new StringBuilder("Date,Customer,Amount,Note\n");
        for (var i = 0; i < rows; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"2024-03-{i % 28 + 1:00},Customer {i},{i * 3.5:0.00},order {1000 + i} for office{i}@example.com\n");
        }
        return csv.ToString();
    }

    [Fact]
    public async Task The_worker_metrics_add_up_the_tokens_pages_rows_and_stage_times_its_children_report()
    {
        await using var worker = await IsolationHarness.StartAsync();
        using var recorded = new RecordedMetrics(worker.Metrics.Meter);

        // Three documents for the model (tokens), a four-page PDF (pages), a table (rows).
        for (var i = 0; i < 3; i++)
        {
            await worker.SubmitAsync($"model-{i}", $"memo-{i}.txt", IsolationHarness.Ordinary(i), profile: "model");
        }
        await worker.SubmitFileAsync("pdf", Corpus("pdf/pdflatex-4-pages.pdf"));
        await worker.SubmitAsync("csv", "orders.csv", Csv(40));
        await worker.WaitForOutcomesAsync(5, Bound);

        var annotated = worker.Outcomes.Values.OfType<DocumentAnnotated>().ToList();
        Assert.True(annotated.Count == 5, string.Join("; ", worker.Outcomes.Values.Select(IsolationHarness.Describe)));
        Assert.Equal(4, annotated.Single(a => a.DocumentId == "pdf").Digest.Pages);
        Assert.Equal(40, annotated.Single(a => a.DocumentId == "csv").Digest.Rows);
        // Recorded in this process (the supervisor's), from the children's frames: exactly what the documents say.
        Assert.Equal(annotated.Sum(a => a.Digest.Pages ?? 0), recorded.Sum(AnnotateMetrics.ChildPagesProcessed));
        Assert.Equal(annotated.Sum(a => a.Digest.Rows), recorded.Sum(AnnotateMetrics.ChildRowsProcessed));
        foreach (var stage in new[] { "read", "annotate", "write" })
        {
            Assert.Equal(5, recorded.Count(AnnotateMetrics.ChildStageDuration, "stage", stage));
        }
        // The model ran in the children only; its tokens are counted here all the same.
        Assert.True(recorded.Sum(AnnotateMetrics.ModelTokensIn) > 0, "no prompt tokens recorded");
        Assert.True(recorded.Sum(AnnotateMetrics.ModelTokensOut) > 0, "no generated tokens recorded");
    }

    [Fact]
    public async Task A_child_reports_the_progress_of_a_long_document_with_its_heartbeats()
    {
        await using var worker = await IsolationHarness.StartAsync(new()
        {
            // Heartbeats (and the progress they carry) every 50 ms, so a document of a few hundred milliseconds is seen
            // in its stages.
            ["Annotate:Worker:Isolation:HeartbeatInterval"] = "00:00:00.050",
        });

        await worker.SubmitAsync("big", "big.csv", Csv(30_000));
        await worker.WaitForOutcomesAsync(1, Bound);

        var done = Assert.IsType<DocumentAnnotated>(worker.Outcomes["big"]);
        Assert.Equal(30_000, done.Digest.Rows);
        var progress = worker.Logs.Where(l => l.Category == typeof(PipelineChildProcess).FullName && l.Message.Contains("big.csv", StringComparison.Ordinal)
            && l.Message.Contains("so far", StringComparison.Ordinal)).Select(l => l.Message).ToList();
        Assert.NotEmpty(progress);
        // Once read, the table's rows are known, and every report after the read says so.
        Assert.Contains(progress, m => m.Contains("30000 row(s)", StringComparison.Ordinal) || m.Contains("30,000 row(s)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_child_over_the_memory_threshold_is_recycled_between_documents_and_no_document_is_lost()
    {
        await using var worker = await IsolationHarness.StartAsync(new()
        {
            // Below any child's size at rest (about 250 MiB): every child is recycled after its first documents.
            ["Annotate:Worker:Isolation:RecycleAboveMegabytes"] = "64",
        });

        for (var i = 0; i < 8; i++)
        {
            await worker.SubmitAsync($"doc-{i}", $"report-{i}.txt", IsolationHarness.Ordinary(i));
        }
        await worker.WaitForOutcomesAsync(8, Bound);

        Assert.All(worker.Outcomes.Values, o => Assert.True(o is DocumentAnnotated, IsolationHarness.Describe(o)));
        var recycled = worker.Supervisor.ChildrenRecycledByReason.GetValueOrDefault(PipelineSupervisor.RecycledForMemory);
        Assert.True(recycled >= 1, $"recycled for memory: {recycled}");
        Assert.Equal(0, worker.Supervisor.ChildrenRecycledByReason.GetValueOrDefault(PipelineSupervisor.RecycledForDocuments));
        // Recycled, not killed: no child died.
        Assert.Empty(worker.Supervisor.State().DeathsByReason);
        var health = await new IsolationHealthCheck(worker.Supervisor).CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(recycled, health.Data["recycled:memory"]);
    }

    /// <summary>Every measurement of one meter's instruments, as the exporter would see them.</summary>
    private sealed class RecordedMetrics : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentQueue<(string Instrument, double Value, KeyValuePair<string, object?>[] Tags)> _measurements = new();

        public RecordedMetrics(Meter meter)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter, meter))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((i, value, tags, _) => _measurements.Enqueue((i.Name, value, tags.ToArray())));
            _listener.SetMeasurementEventCallback<double>((i, value, tags, _) => _measurements.Enqueue((i.Name, value, tags.ToArray())));
            _listener.Start();
        }

        public long Sum(string instrument) => (long)_measurements.Where(m => m.Instrument == instrument).Sum(m => m.Value);

        public int Count(string instrument, string tag, string value) =>
            _measurements.Count(m => m.Instrument == instrument && m.Tags.Any(t => t.Key == tag && Equals(t.Value, value)));

        public void Dispose() => _listener.Dispose();
    }
}
