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

    /// <summary>Where accepted documents' bytes wait for the worker. Default <c>data/blobs</c>.</summary>
    [Required]
    public string Blobs { get; set; } = "data/blobs";

    /// <summary>SQLite database of document states. Default <c>data/annotate.db</c>.</summary>
    [Required]
    public string Database { get; set; } = "data/annotate.db";

    /// <summary>Whether the inbox is watched. Default true.</summary>
    public bool WatchInbox { get; set; } = true;

    /// <summary>How often the inbox is scanned. Default 500 ms.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How long a file's size and time stamp must stay unchanged before it is taken (so a file still being copied is not read half-way). Default 1 s.</summary>
    public TimeSpan SettleTime { get; set; } = TimeSpan.FromSeconds(1);

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
}
