using System.ComponentModel.DataAnnotations;
using Annotate.Annotators.Models;
using Microsoft.Extensions.Configuration;

namespace Annotate.Worker;

/// <summary>Settings of the annotation worker (configuration section <c>Annotate:Worker</c>).</summary>
public sealed class WorkerOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Annotate:Worker";

    /// <summary>
    /// Documents annotated at the same time by this process, and so how many it takes from the queue at once. Default:
    /// the model's <c>Annotate:Model:ParallelSequences</c> when a model is configured (the model decodes that many
    /// together), otherwise the number of processor cores.
    /// </summary>
    [Range(1, 256)]
    public int? ConcurrentDocuments { get; set; }

    /// <summary>
    /// Longest a document may take, retries included; then it is cancelled and fails with <c>timeout</c>, so nothing stays
    /// in Processing when a reader or the model hangs. On RabbitMQ it plus <see cref="ShutdownGrace"/> must stay below the
    /// broker's consumer timeout (<c>Annotate:Bus:ConsumerTimeout</c>), or the worker refuses to start. Default 25 minutes.
    /// </summary>
    public TimeSpan DocumentTimeout { get; set; } = TimeSpan.FromMinutes(25);

    /// <summary>
    /// On shutdown, how long documents in progress may take to finish; the ones still running then are stopped and go
    /// back to the queue for another worker, with no Failed event. Default 1 minute.
    /// </summary>
    public TimeSpan ShutdownGrace { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// In-process retries of a transient failure (model unavailable, file locked) within one delivery, before the command
    /// is redelivered later (RabbitMQ) or the document fails. Default 3.
    /// </summary>
    [Range(0, 20)]
    public int RetryLimit { get; set; } = 3;

    /// <summary>First in-process retry delay; later ones double, up to 30 s. Default 1 s.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// On RabbitMQ, how many times a command whose transient failure outlived its in-process retries is delivered again
    /// later, through a delay queue, before it goes to the <c>annotate-document_error</c> queue and the document fails.
    /// 0 turns redelivery off. Ignored on the in-memory transport (nothing there outlives the process). Default 3.
    /// </summary>
    [Range(0, 20)]
    public int RedeliveryLimit { get; set; } = 3;

    /// <summary>
    /// How long the command waits before each redelivery: the first delay before the first redelivery and so on, the last
    /// one repeated when <see cref="RedeliveryLimit"/> is larger. One delay queue per distinct delay. Default (when none is
    /// set) <see cref="DefaultRedeliveryDelays"/>: 30 s, 2 min, 10 min.
    /// </summary>
    // Empty by default rather than holding the defaults: the configuration binder appends to an array it finds filled.
    public TimeSpan[] RedeliveryDelays { get; set; } = [];

    /// <summary>The delays used when <see cref="RedeliveryDelays"/> is not set.</summary>
    public static IReadOnlyList<TimeSpan> DefaultRedeliveryDelays { get; } = [TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(10)];

    /// <summary>The delay before each of the <see cref="RedeliveryLimit"/> redeliveries, the last configured one repeated.</summary>
    public IReadOnlyList<TimeSpan> RedeliveryIntervals()
    {
        IReadOnlyList<TimeSpan> delays = RedeliveryDelays.Length > 0 ? RedeliveryDelays : DefaultRedeliveryDelays;
        return Enumerable.Range(0, RedeliveryLimit).Select(i => delays[Math.Min(i, delays.Count - 1)]).ToList();
    }

    /// <summary>
    /// Whether commands may name files and folders of this machine (<c>file://</c> URIs or absolute paths) as their
    /// source or output. Default false: a message could otherwise make the worker read any file it can. Documents come as
    /// <c>blob:</c> references, inline content or http(s) URLs.
    /// </summary>
    public bool AllowLocalPaths { get; set; }

    /// <summary>
    /// Largest document a command may carry inline (<c>contentBase64</c>), in decoded bytes; a larger one fails with
    /// <c>too-large</c> before it is decoded. Default 16 MiB (about 22 MB of JSON): larger documents go through the blob
    /// store or an http(s) URL.
    /// </summary>
    [Range(1, int.MaxValue)]
    public int MaxInlineBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>
    /// Hosts this worker fetches <c>http(s)://</c> sources from, e.g. <c>files.example.com</c> or <c>files.example.com:8443</c>
    /// (a name without a port allows every port of that host). Matched exactly, without wildcards. Default empty: fetching is
    /// off and http(s) sources fail with <c>invalid-request</c>. Redirects are followed (at most 5) only on the same
    /// scheme, host and port; the size limit is <c>Annotate:Readers:MaxDocumentBytes</c>.
    /// </summary>
    public List<string> FetchHosts { get; set; } = [];

    /// <summary>
    /// Longest an http(s) fetch may take, redirects and body included; a slower one is retried like other transient
    /// failures (<see cref="RetryLimit"/>). Default 1 minute.
    /// </summary>
    public TimeSpan FetchTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// A file the worker writes its health report to (overall status, each check with its data: the pipeline children
    /// alive, restarts in the last hour, crashes by reason), every <see cref="HealthFileInterval"/>; empty = none.
    /// A standalone worker serves no HTTP, so this is what a probe reads.
    /// </summary>
    public string? HealthFile { get; set; }

    /// <summary>How often <see cref="HealthFile"/> is written. Default 10 seconds.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan HealthFileInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The number of documents annotated at once: <see cref="ConcurrentDocuments"/> or its default.</summary>
    public static int EffectiveConcurrency(IConfiguration configuration)
    {
        var worker = configuration.GetSection(Section).Get<WorkerOptions>() ?? new WorkerOptions();
        if (worker.ConcurrentDocuments is { } configured)
        {
            return configured;
        }
        var model = configuration.GetSection(ModelOptions.Section).Get<ModelOptions>() ?? new ModelOptions();
        return !string.IsNullOrWhiteSpace(model.Path) ? Math.Clamp(model.ParallelSequences, 1, 256) : Environment.ProcessorCount;
    }
}
