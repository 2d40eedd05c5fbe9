using System.ComponentModel.DataAnnotations;

namespace Annotate.Annotators.Readers;

/// <summary>Limits and switches for reading documents (configuration section <c>Annotate:Readers</c>).</summary>
public sealed class ReaderOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Annotate:Readers";

    /// <summary>Largest document read, in bytes; larger ones fail with <c>too-large</c>. Default 100 MB.</summary>
    [Range(1, long.MaxValue)]
    public long MaxDocumentBytes { get; set; } = 100L * 1024 * 1024;

    /// <summary>
    /// Workbooks larger than this many bytes are read row by row with the streaming reader instead of ClosedXML,
    /// which holds the whole workbook in memory. Default 5 MB.
    /// </summary>
    [Range(0, long.MaxValue)]
    public long StreamingWorkbookBytes { get; set; } = 5L * 1024 * 1024;

    /// <summary>
    /// CSV/TSV files larger than this many bytes are streamed record by record each time their rows are read,
    /// instead of being held in memory. Default 5 MB.
    /// </summary>
    [Range(0, long.MaxValue)]
    public long StreamingTextBytes { get; set; } = 5L * 1024 * 1024;

    /// <summary>Rows kept in memory per streamed table for previews and samples. Default 1,000.</summary>
    [Range(1, 1_000_000)]
    public int StreamedSampleRows { get; set; } = 1000;
}
