using System.Diagnostics.Metrics;
using Annotate.Messages;

namespace Annotate.Hosting.Telemetry;

/// <summary>
/// Annotate's instruments, named in one place for both hosts. Every name starts with <c>annotate_</c>; the Prometheus
/// exporter adds the unit (<c>_seconds</c>) and, on counters, <c>_total</c>. The gateway records the <c>annotate_documents_*</c>
/// counters from the events its consumers turn into state changes; a standalone worker records the
/// <c>annotate_worker_*</c> ones from the events it publishes, so a one-process gateway never counts a document twice.
/// </summary>
public sealed class AnnotateMetrics
{
    /// <summary>Name of the meter (the same as the activity source: <see cref="HostDefaults.TelemetrySource"/>).</summary>
    public const string MeterName = HostDefaults.TelemetrySource;

    public const string DocumentsReceived = "annotate_documents_received";
    public const string DocumentsCompleted = "annotate_documents_completed";
    public const string DocumentsFailed = "annotate_documents_failed";
    public const string PagesProcessed = "annotate_pages_processed";
    public const string RowsProcessed = "annotate_rows_processed";
    public const string StageDuration = "annotate_stage_duration";
    public const string DocumentsInFlight = "annotate_documents_in_flight";
    public const string QueueMessages = "annotate_queue_messages";
    public const string QueueConsumers = "annotate_queue_consumers";
    public const string WorkerDocumentsFinished = "annotate_worker_documents_finished";
    public const string WorkerStageDuration = "annotate_worker_stage_duration";

    /// <summary>Counted by the model host in <c>src/Annotators</c> (which references no host code, so it repeats these two names).</summary>
    public const string ModelTokensIn = "annotate_model_tokens_in";

    /// <inheritdoc cref="ModelTokensIn"/>
    public const string ModelTokensOut = "annotate_model_tokens_out";

    /// <summary>Pages or sheets the pipeline children read, recorded by the process that supervises them.</summary>
    public const string ChildPagesProcessed = "annotate_child_pages_processed";

    /// <summary>Table rows the pipeline children read.</summary>
    public const string ChildRowsProcessed = "annotate_child_rows_processed";

    /// <summary>Time per stage of every document the pipeline children worked on, failed ones included.</summary>
    public const string ChildStageDuration = "annotate_child_stage_duration";

    /// <summary>Resident memory of the live pipeline children, summed (gauge, bytes), in the process that supervises them.</summary>
    public const string ChildMemoryResident = "annotate_child_memory_resident";

    /// <summary>Stage names of <see cref="StageDuration"/>: the tag <c>stage</c>.</summary>
    public static class Stages
    {
        public const string QueueWait = "queue_wait";
        public const string Read = "read";
        public const string Annotate = "annotate";
        public const string Write = "write";
        public const string Total = "total";
    }

    /// <summary>Values of the tag <c>outcome</c> on <see cref="DocumentsCompleted"/>.</summary>
    public static class Outcomes
    {
        public const string Annotated = "annotated";
        public const string Duplicate = "duplicate";
        public const string Failed = "failed";
    }

    private readonly Meter _meter;
    private readonly Counter<long> _received;
    private readonly Counter<long> _completed;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _pages;
    private readonly Counter<long> _rows;
    private readonly Histogram<double> _stages;
    private readonly Counter<long> _workerFinished;
    private readonly Histogram<double> _workerStages;
    private readonly Counter<long> _childPages;
    private readonly Counter<long> _childRows;
    private readonly Histogram<double> _childStages;
    private readonly Lazy<(Counter<long> In, Counter<long> Out)> _tokens;

    public AnnotateMetrics(IMeterFactory meters)
    {
        // From the host's meter factory, which disposes it with the host.
        _meter = meters.Create(MeterName);
        _received = _meter.CreateCounter<long>(DocumentsReceived, "{document}", "Documents accepted (tags: channel, profile).");
        _completed = _meter.CreateCounter<long>(DocumentsCompleted, "{document}",
            "Documents recorded Completed (tags: outcome annotated|duplicate, format, profile, channel).");
        _failed = _meter.CreateCounter<long>(DocumentsFailed, "{document}", "Documents recorded Failed (tags: reason, profile, channel).");
        _pages = _meter.CreateCounter<long>(PagesProcessed, "{page}", "Pages or sheets of annotated documents (tag: format).");
        _rows = _meter.CreateCounter<long>(RowsProcessed, "{row}", "Table rows of annotated documents (tag: format).");
        _stages = _meter.CreateHistogram<double>(StageDuration, "s", "Time per stage of one document (tag: stage queue_wait|read|annotate|write|total).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = Buckets });
        _workerFinished = _meter.CreateCounter<long>(WorkerDocumentsFinished, "{document}",
            "Outcomes a worker published (tags: outcome annotated|duplicate|failed, reason, format).");
        _workerStages = _meter.CreateHistogram<double>(WorkerStageDuration, "s", "Time per stage as a worker measured it (tag: stage).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = Buckets });
        _childPages = _meter.CreateCounter<long>(ChildPagesProcessed, "{page}", "Pages or sheets the pipeline children read, failed documents included (tag: format).");
        _childRows = _meter.CreateCounter<long>(ChildRowsProcessed, "{row}", "Table rows the pipeline children read, failed documents included (tag: format).");
        _childStages = _meter.CreateHistogram<double>(ChildStageDuration, "s",
            "Time per stage of each document a pipeline child worked on, up to where it stopped (tag: stage read|annotate|write).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = Buckets });
        // Created on first use: where the model runs in this process its host counts the tokens under these names, and
        // this process counts them only for pipeline children.
        _tokens = new(() => (
            _meter.CreateCounter<long>(ModelTokensIn, "{token}", "Prompt tokens sent to the model."),
            _meter.CreateCounter<long>(ModelTokensOut, "{token}", "Tokens the model generated.")));
    }

    // From 10 ms to 30 minutes: a text file takes milliseconds, a long PDF with the model minutes.
    private static readonly double[] Buckets = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];

    /// <summary>The meter, for observable instruments registered elsewhere.</summary>
    public Meter Meter => _meter;

    /// <summary>A document the store did not know was recorded.</summary>
    public void Received(string channel, string? profile) =>
        _received.Add(1, new("channel", channel), new("profile", ProfileTag(profile)));

    /// <summary>A document was recorded Completed (the store said its state changed).</summary>
    public void Completed(DocumentAnnotated done, string channel, string? profile)
    {
        var duplicate = done.DuplicateOf is not null;
        var format = FormatTag(done.Digest.Format);
        _completed.Add(1, new("outcome", duplicate ? Outcomes.Duplicate : Outcomes.Annotated), new("format", format),
            new("profile", ProfileTag(profile)), new("channel", channel));
        if (duplicate)
        {
            // Outputs were copied: nothing was read or annotated again, so no pages, rows or stage times.
            return;
        }
        if (done.Digest.Pages is { } pages)
        {
            _pages.Add(pages, new KeyValuePair<string, object?>("format", format));
        }
        _rows.Add(done.Digest.Rows, new KeyValuePair<string, object?>("format", format));
        RecordStages(_stages, done.Timings);
    }

    /// <summary>A document was recorded Failed (the store said its state changed).</summary>
    public void Failed(string reason, string channel, string? profile) =>
        _failed.Add(1, new("reason", reason), new("profile", ProfileTag(profile)), new("channel", channel));

    /// <summary>Time from the hand-over to a worker to the worker starting.</summary>
    public void QueueWait(TimeSpan wait) =>
        _stages.Record(Math.Max(0, wait.TotalSeconds), new KeyValuePair<string, object?>("stage", Stages.QueueWait));

    /// <summary>A worker published an outcome.</summary>
    public void WorkerAnnotated(DocumentAnnotated done)
    {
        var duplicate = done.DuplicateOf is not null;
        _workerFinished.Add(1, new("outcome", duplicate ? Outcomes.Duplicate : Outcomes.Annotated), new("reason", ""), new("format", FormatTag(done.Digest.Format)));
        if (!duplicate)
        {
            RecordStages(_workerStages, done.Timings);
        }
    }

    /// <summary>A worker published a failure.</summary>
    public void WorkerFailed(DocumentAnnotationFailed failed) =>
        _workerFinished.Add(1, new("outcome", Outcomes.Failed), new("reason", failed.Reason), new("format", ""));

    /// <summary>Tokens a pipeline child's model read and generated, as the child reported them.</summary>
    public void ModelTokens(long tokensIn, long tokensOut)
    {
        var (counterIn, counterOut) = _tokens.Value;
        counterIn.Add(tokensIn);
        counterOut.Add(tokensOut);
    }

    /// <summary>What a pipeline child did on one document: pages, rows, and the stages it finished (null: not reached).</summary>
    public void ChildDocument(string? format, int? pages, long rows, double? readMs, double? annotateMs, double? writeMs)
    {
        var tag = new KeyValuePair<string, object?>("format", FormatTag(format));
        if (pages is > 0)
        {
            _childPages.Add(pages.Value, tag);
        }
        _childRows.Add(rows, tag);
        foreach (var (stage, ms) in new[] { (Stages.Read, readMs), (Stages.Annotate, annotateMs), (Stages.Write, writeMs) })
        {
            if (ms is { } value)
            {
                _childStages.Record(value / 1000, new KeyValuePair<string, object?>("stage", stage));
            }
        }
    }

    private static void RecordStages(Histogram<double> histogram, StageTimings timings)
    {
        histogram.Record(timings.ReadMs / 1000, new KeyValuePair<string, object?>("stage", Stages.Read));
        histogram.Record(timings.AnnotateMs / 1000, new KeyValuePair<string, object?>("stage", Stages.Annotate));
        histogram.Record(timings.WriteMs / 1000, new KeyValuePair<string, object?>("stage", Stages.Write));
        histogram.Record(timings.TotalMs / 1000, new KeyValuePair<string, object?>("stage", Stages.Total));
    }

    // Profiles and formats are few and named by the operator or the readers; an empty tag reads "default".
    private static string ProfileTag(string? profile) => string.IsNullOrEmpty(profile) ? "default" : profile.ToLowerInvariant();

    private static string FormatTag(string? format) => string.IsNullOrEmpty(format) ? "unknown" : format;
}
