using System.ComponentModel.DataAnnotations;

namespace Annotate.Annotators.Models.Download;

/// <summary>Retries and timeouts of <c>models pull</c> (configuration section <c>Annotate:Model:Download</c>).</summary>
public sealed class ModelDownloadOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Annotate:Model:Download";

    /// <summary>Retries after a transient failure (cut connection, 5xx, stall); each one resumes. 0 disables. Default 5.</summary>
    [Range(0, 100)]
    public int MaxRetryAttempts { get; set; } = 5;

    /// <summary>Delay before the first retry, doubled for each next one (with jitter). Default 2 seconds.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Time to connect and receive the response headers. Default 30 seconds.</summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Longest wait for the next bytes of the body; a stalled transfer fails and is retried from where it stopped.
    /// Default 60 seconds. (No limit on the whole download: multi-GB files on slow links take as long as they take.)
    /// </summary>
    public TimeSpan ReadIdleTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Least time between two progress reports. Default 250 ms.</summary>
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromMilliseconds(250);
}
