using System.ComponentModel.DataAnnotations;

namespace Annotate.Gateway;

/// <summary>Folders and timings of the gateway (configuration section <c>Annotate:Gateway</c>). Relative paths are under the current directory.</summary>
public sealed class GatewayOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Annotate:Gateway";

    /// <summary>Watched folder; files dropped here are annotated. Default <c>data/inbox</c>.</summary>
    [Required]
    public string Inbox { get; set; } = "data/inbox";

    /// <summary>Where files that failed are moved, with <c>&lt;name&gt;.error.json</c> beside them. Default <c>data/failed</c>.</summary>
    [Required]
    public string Failed { get; set; } = "data/failed";

    /// <summary>
    /// Whether the worker runs inside the gateway's process. Default: yes on the in-memory transport (one process, nothing
    /// to set up), no on RabbitMQ, where workers are separate processes (<c>dotnet run --project src/Worker</c>) and the
    /// gateway loads no model. Set true to run a worker in the gateway on RabbitMQ too.
    /// </summary>
    public bool? RunWorker { get; set; }

    /// <summary>SQLite database of document states. Default <c>data/annotate.db</c>.</summary>
    [Required]
    public string Database { get; set; } = "data/annotate.db";

    /// <summary>Whether the inbox is watched. Default true.</summary>
    public bool WatchInbox { get; set; } = true;

    /// <summary>How often the inbox is scanned. Default 500 ms.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// How long a file's size, time stamps (modification and change) and inode must stay unchanged, counted from the last
    /// change seen, before it is taken, so a file still being written is not read half-way. Default 3 s: longer than the
    /// pauses of slow copies (a writer appending every 1.5 s was taken half-way with 1 s) and than the 2 s time stamp
    /// granularity of FAT and some network shares. Nothing can see a writer that pauses for longer, so writers should
    /// write to a hidden or temporary name (<c>.name</c>, <c>name.part</c>) and rename when done.
    /// </summary>
    public TimeSpan SettleTime { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Whether a symbolic link in the inbox is taken when it resolves (through every link and folder) to a regular file
    /// inside the inbox; that file is taken under the link's name and the link removed. Default false: links are skipped
    /// with a warning. A link that leads out of the inbox is never followed.
    /// </summary>
    public bool FollowLinksInsideInbox { get; set; }

    /// <summary>
    /// Do not annotate a document (upload or inbox file) whose bytes (SHA-256) equal those of an earlier document of the
    /// same tenant and profile that Completed or is still in flight: it completes as a duplicate of the earlier one, with
    /// its outputs (<c>duplicateOf</c> names it), once that one has completed. Default false: every document is annotated
    /// (a worker still reuses the outputs of the same bytes under an unchanged profile and model).
    /// </summary>
    public bool SkipExactDuplicates { get; set; }

    /// <summary>
    /// Send documents left in Received or Processing by a previous run again at start-up. Default true; needed with the
    /// in-memory transport, whose queued messages do not outlive the process.
    /// </summary>
    public bool ResumePendingOnStart { get; set; } = true;

    /// <summary>
    /// Hand-overs to a worker after which a document that was in flight when the process died is failed with
    /// <c>crashed</c> instead of being resumed again (so one file cannot stop the service on every start). Default 3.
    /// </summary>
    [Range(1, 100)]
    public int CrashedAttempts { get; set; } = 3;

    /// <summary>
    /// At start-up, documents that were in flight are resumed one at a time; how long to wait for one before resuming
    /// the next regardless. Default 30 minutes (the worker's default document time limit).
    /// </summary>
    public TimeSpan SuspectWait { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// API keys: the SHA-256 of each key in hex (<c>printf %s "$KEY" | sha256sum</c>) → the tenant it belongs to. With
    /// keys, every <c>/api</c> request needs an <c>X-Api-Key</c> header and sees only its tenant's documents. Default
    /// none: the API is open, which is allowed only while it listens on loopback (the gateway refuses to start otherwise).
    /// </summary>
    public Dictionary<string, string> ApiKeys { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}
