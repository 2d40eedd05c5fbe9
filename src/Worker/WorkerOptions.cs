using System.ComponentModel.DataAnnotations;

namespace Annotate.Worker;

/// <summary>Settings of the annotation worker (configuration section <c>Annotate:Worker</c>).</summary>
public sealed class WorkerOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Annotate:Worker";

    /// <summary>Folder outputs are written to, one sub-folder per document, when a command names none. Default <c>data/outbox</c>.</summary>
    [Required]
    public string Outbox { get; set; } = "data/outbox";

    /// <summary>Documents annotated at the same time by this process. Default: the number of processor cores.</summary>
    [Range(1, 256)]
    public int ConcurrentDocuments { get; set; } = Environment.ProcessorCount;

    /// <summary>
    /// Longest a document may take, retries included; then it is cancelled and fails with <c>timeout</c>, so nothing stays
    /// in Processing when a reader or the model hangs. Default 30 minutes.
    /// </summary>
    public TimeSpan DocumentTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Immediate retries of a transient failure (model unavailable, file locked) before the document fails. Default 3.</summary>
    [Range(0, 20)]
    public int RetryLimit { get; set; } = 3;

    /// <summary>First retry delay; later ones double, up to 30 s. Default 1 s.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);
}
