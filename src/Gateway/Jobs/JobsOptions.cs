using System.ComponentModel.DataAnnotations;

namespace Annotate.Gateway.Jobs;

/// <summary>Scheduled work of the gateway (configuration section <c>Annotate:Jobs</c>): the sweeper, retention, the inbox rescan, the throughput rollup and pruning of stored bytes.</summary>
public sealed class JobsOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Annotate:Jobs";

    /// <summary>The worker's document time limit when <c>Annotate:Worker:DocumentTimeout</c> is not set (the worker's own default).</summary>
    public static readonly TimeSpan DefaultDocumentTimeout = TimeSpan.FromMinutes(25);

    /// <summary>Whether the gateway runs its scheduled work at all. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often stuck documents are looked for. Default 1 minute.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long a document handed to a worker may go without a start or a dispatch before it is stuck. Default empty:
    /// the worker's <c>Annotate:Worker:DocumentTimeout</c> (25 minutes unless set) plus <see cref="StuckMargin"/>, so a
    /// document is never swept while a worker may still legitimately be working on it.
    /// </summary>
    public TimeSpan? StuckAfter { get; set; }

    /// <summary>Added to the worker's document time limit to make the default <see cref="StuckAfter"/>. Default 5 minutes.</summary>
    public TimeSpan StuckMargin { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Days after which a finished document's source bytes, outputs and worker record are deleted from the blob store (its
    /// record stays; downloads then answer 410 Gone). Default 0: nothing is ever deleted.
    /// </summary>
    [Range(0, 36_500)]
    public int RetentionDays { get; set; }

    /// <summary>How often retention runs when <see cref="RetentionDays"/> is set. Default 1 hour.</summary>
    public TimeSpan RetentionInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often the watched folder is scanned on request of the scheduler, on top of the watcher's own polling (0 = never). Default 5 minutes.</summary>
    public TimeSpan InboxRescanInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the per-minute throughput counts are rolled up. Default 1 minute.</summary>
    public TimeSpan RollupInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How far back each rollup recomputes the per-minute counts (the minutes of documents that finished late, or while
    /// no gateway rolled up, are corrected). Default 1 hour.
    /// </summary>
    public TimeSpan RollupWindow { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often stored bytes no unfinished document needs are deleted (0 = never). Default 5 minutes.</summary>
    public TimeSpan ContentPruneInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long stored bytes stay after they were last used (stored or sent again) before they may be deleted, once no
    /// unfinished document needs them. Default 15 minutes.
    /// </summary>
    public TimeSpan ContentGrace { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Most documents the sweeper or retention handles in one run; the rest wait for the next. Default 500.</summary>
    [Range(1, 100_000)]
    public int BatchSize { get; set; } = 500;

    /// <summary>
    /// Name of the scheduler; gateways clustered on one PostgreSQL database must share it (each picks its own instance id).
    /// Default <c>Annotate</c>.
    /// </summary>
    [Required]
    public string SchedulerName { get; set; } = "Annotate";

    /// <summary>The deadline of the sweeper: <see cref="StuckAfter"/>, or the worker's document time limit plus <see cref="StuckMargin"/>.</summary>
    public TimeSpan StuckDeadline(IConfiguration configuration) =>
        StuckAfter ?? (configuration.GetValue<TimeSpan?>("Annotate:Worker:DocumentTimeout") ?? DefaultDocumentTimeout) + StuckMargin;
}
