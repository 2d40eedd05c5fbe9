using System.ComponentModel.DataAnnotations;
using Annotate.Annotators.Pipeline;

namespace Annotate.Worker.Isolation;

/// <summary>
/// Settings of the child process that reads, annotates and writes documents for the worker (configuration section
/// <c>Annotate:Worker:Isolation</c>). The worker supervises it: a child that dies, stops answering or grows too large is
/// killed and replaced, and only the document that caused it fails.
/// </summary>
public sealed class IsolationOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Annotate:Worker:Isolation";

    /// <summary>
    /// Whether documents are annotated in a supervised child process. Default true. When false, they are annotated inside
    /// the worker's own process, and a native crash in a parser or the model takes the worker down with every document in flight.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Resident memory (VmRSS) above which a child is killed at once; the documents it was annotating are retried alone,
    /// and the one that still goes over fails with <c>out-of-memory</c>. Default 4096 MiB.
    /// </summary>
    [Range(64, 1024 * 1024)]
    public int MemoryCapMegabytes { get; set; } = 4096;

    /// <summary>
    /// Documents a child annotates before it is replaced by a fresh one (it finishes the ones it has first): leaks in
    /// native libraries do not pile up. Default 500.
    /// </summary>
    [Range(1, 1_000_000)]
    public int RecycleAfterDocuments { get; set; } = 500;

    /// <summary>
    /// Resident memory above which a child takes no more documents and is replaced once the ones it has are done: checked
    /// as each of its documents finishes (and by the watch), for a child that has annotated at least one. Must be below
    /// <see cref="MemoryCapMegabytes"/>. Default 2048 MiB.
    /// </summary>
    [Range(64, 1024 * 1024)]
    public int RecycleAboveMegabytes { get; set; } = 2048;

    /// <summary>
    /// How long a child may go without a heartbeat (it sends one every <see cref="HeartbeatInterval"/> from a thread of its
    /// own) before it is considered frozen and killed. At least three intervals. Default 15 seconds.
    /// </summary>
    public TimeSpan HeartbeatTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How often a child sends its heartbeat, and with it the progress of each document whose stage changed since the
    /// last one (so a document is reported at most this often, and one shorter than this only by its result). Default 1 second.
    /// </summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How many times a document whose child died under it is tried again, each time alone in a fresh child (so the
    /// document that kills children is the one that fails, with <c>crashed</c>, <c>out-of-memory</c> or <c>timeout</c>).
    /// Default 2.
    /// </summary>
    [Range(0, 10)]
    public int CrashRetries { get; set; } = 2;

    /// <summary>
    /// How long a child may take to start and load the model before it counts as failed. Default 5 minutes (a large model
    /// on a slow disk).
    /// </summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// After a document is cancelled (its <c>Annotate:Worker:DocumentTimeout</c> passed, or the worker stops), how long
    /// the child has to stop working on it; a hung parser cannot be cancelled, so the child is then killed. Default 5 seconds.
    /// </summary>
    public TimeSpan CancelGrace { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long the child may sit without a document before it is stopped, giving back its memory (the runtime and the
    /// model; the language detector and the sentence encoder are given back earlier, after <see cref="ReleaseCachesAfter"/>);
    /// the next document starts a fresh one and waits for its start and model load. Zero keeps a child ready at all times. Default 10 minutes.
    /// </summary>
    public TimeSpan IdleStopAfter { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How long the child may sit without a document before it gives back what the engine loads on first use and can
    /// load again (the sentence encoder's ONNX session, the language detector's models), compacts its heap and returns
    /// the freed memory to the system; it stays up, with the language model loaded, and the next document loads them
    /// again (a second or two for the encoder). Zero never releases them. Default 2 minutes.
    /// </summary>
    public TimeSpan ReleaseCachesAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Rows of the generated workbook a fresh child reads, annotates (the annotators that scan every row) and writes at
    /// the end of its warm-up, so the first large workbook a user sends runs compiled code rather than waiting for the
    /// runtime to compile it (a 100,000-row workbook ~0.3–1 s sooner; docs/BENCHMARKS.md). Like the rest of the warm-up
    /// it waits while the child has documents. Zero leaves it out. Default 20,000: the fewest that run the large-workbook
    /// code (read ahead, parsed ahead, spilled, scanned ahead).
    /// </summary>
    [Range(0, 1_000_000)]
    public int WarmUpWorkbookRows { get; set; } = EngineWarmUp.LargeWorkbookRows;

    /// <summary>
    /// Pages of the generated report a fresh child reads, annotates (the annotators that run beside each other, and the
    /// summary when the encoder is loaded) and writes at the very end of its warm-up, so the first long PDF a user sends
    /// runs the reader's per-page code compiled optimised (the first read of a 500-page PDF 1.6 → 1.2 s, of a 14-page
    /// corpus 3×; about 1 s more warm-up; docs/BENCHMARKS.md); then the rest of the PDF library is compiled ahead
    /// (<see cref="EngineWarmUp.CompilePdfLibrary"/>: the embedded fonts' parsers the report does not run; a 14-page
    /// corpus's first read 0.39–0.41 → 0.72–0.75 of <c>pdftotext</c>). Like the rest of the warm-up it waits while the
    /// child has documents. Zero leaves both out.
    /// Default 200.
    /// </summary>
    [Range(0, 5_000)]
    public int WarmUpPdfPages { get; set; } = EngineWarmUp.LongPdfPages;

    /// <summary>
    /// Whether the child runs the server garbage collector with dynamic adaptation (DATAS: one heap at rest, up to one per
    /// core under load, given back when idle) rather than the workstation collector the worker keeps. A long PDF or a
    /// large workbook allocates ~1–2 MiB a page or ~9 KiB a row; the workstation collector stops every reading thread and
    /// collects on one core, the server one on all of them (500-page PDF, warm: 1.65–1.86 s → 1.14–1.32 s, GC pause
    /// halved; docs/BENCHMARKS.md). Default true.
    /// </summary>
    public bool ServerGarbageCollection { get; set; } = true;

    /// <summary>
    /// Folder in which each child gets a temporary folder of its own (<c>annotate-child-…</c>, its TMPDIR), deleted with
    /// everything in it when the child exits, killed or not: spilled rows and shared strings of large workbooks, OCR pages,
    /// the sentence encoder's model copy. A worker that starts removes those left by a worker that was killed before it
    /// could. Default: the system's temporary folder.
    /// </summary>
    public string? TemporaryFolder { get; set; }
}
