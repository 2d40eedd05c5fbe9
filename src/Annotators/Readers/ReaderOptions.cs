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
    /// A workbook or CSV file of at least this many bytes is a large table: before it is read, the engine gives back the
    /// caches such a table does without (the language detector's models for short texts, ~290 MiB for the default
    /// languages: a table's language is told from a long sample of its cells), as an idle process does, so that its rows
    /// have the memory; the next document that needs them loads them again. 0 never does. Default 16 MiB (a workbook of
    /// some 200,000 rows).
    /// </summary>
    [Range(0, long.MaxValue)]
    public long LargeTableBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>
    /// Workbooks whose parts inflate to more than this many bytes in all (the sizes their ZIP central directory declares)
    /// are read row by row with the streaming reader; those up to it are read whole with ClosedXML, which holds the whole
    /// workbook in memory at roughly ten times its inflated XML. Measured on what a workbook inflates to, not its file
    /// size: 341 KB of identical rows inflate to 40 MB. Default 0: every workbook is streamed. Both readers give the same
    /// tables and values, and the streaming one reads more workbooks, ran a 2,000- to 25,000-row workbook through the
    /// pipeline about eight times faster in a third of the memory, and copies the package for <c>annotated.xlsx</c>
    /// instead of rewriting it (docs/BENCHMARKS.md). Until 2026-12-05 the default was 16 MiB.
    /// </summary>
    [Range(0, long.MaxValue)]
    public long StreamingWorkbookBytes { get; set; }

    /// <summary>
    /// CSV/TSV files larger than this many bytes are streamed record by record each time their rows are read,
    /// instead of being held in memory. Default 5 MB.
    /// </summary>
    [Range(0, long.MaxValue)]
    public long StreamingTextBytes { get; set; } = 5L * 1024 * 1024;

    /// <summary>
    /// Most bytes a ZIP-based document (xlsx, docx) may inflate to, all parts together, as its central directory declares
    /// and as actually read; beyond it the document fails with <c>too-large</c>. Default 2 GiB.
    /// </summary>
    [Range(1, long.MaxValue)]
    public long MaxUncompressedBytes { get; set; } = 2L * 1024 * 1024 * 1024;

    /// <summary>
    /// Highest compression ratio (uncompressed ÷ compressed) allowed for a ZIP part larger than
    /// <see cref="ZipRatioCheckBytes"/>; higher ratios are the mark of a decompression bomb. Default 1,000: Deflate
    /// cannot pass about 1,032:1, which only long runs of one byte reach (a 1.5 GB string of one letter in a 1.5 MB
    /// file), while valid workbooks of repeated rows written without cell references reach 400:1 (1.04 million
    /// identical rows: 33 MB in 81 KB), so Apache POI's 100 refused them. Memory does not rest on this check: readers
    /// stream parts and bound what they keep.
    /// </summary>
    [Range(1, int.MaxValue)]
    public int MaxCompressionRatio { get; set; } = 1000;

    /// <summary>Parts up to this many uncompressed bytes are not held to <see cref="MaxCompressionRatio"/>. Default 1 MiB.</summary>
    [Range(0, long.MaxValue)]
    public long ZipRatioCheckBytes { get; set; } = 1024 * 1024;

    /// <summary>Most entries a ZIP-based document may hold. Default 10,000.</summary>
    [Range(1, int.MaxValue)]
    public int MaxZipEntries { get; set; } = 10_000;

    /// <summary>Rows kept in memory per streamed table for previews and samples. Default 1,000.</summary>
    [Range(1, 1_000_000)]
    public int StreamedSampleRows { get; set; } = 1000;

    /// <summary>
    /// True (the default) to keep a streamed workbook's rows, as the reader's one pass typed them, in a compact binary
    /// file in the temporary folder (unlinked at once, gone when the document is collected or the process ends), so that
    /// annotators and writers scan it instead of inflating and parsing the sheet again; it takes about what the sheet's
    /// XML inflates to, or less. False re-reads the package on every enumeration (no disk space used); the reader also
    /// falls back to that when the file cannot be written.
    /// </summary>
    public bool SpillStreamedRows { get; set; } = true;

    /// <summary>
    /// Deepest element nesting accepted in the XML parts of a .docx; deeper documents fail with <c>corrupt</c> before any
    /// part is parsed into objects. Word nests a table about six elements deeper than its container
    /// (w:tbl/w:tr/w:tc/w:p/w:r/w:t), so the default of 256 allows some forty levels of nested tables, far more than real
    /// documents use, while keeping the parsers' recursion short.
    /// </summary>
    [Range(16, 10_000)]
    public int MaxDocxXmlDepth { get; set; } = 256;

    /// <summary>
    /// Most bytes any one XML part of a .docx (the document body, styles, numbering…) may inflate to, enforced while reading
    /// whatever the ZIP declares; larger documents fail with <c>too-large</c>. Bounds what the XML parser buffers and the
    /// text and blocks the document yields, which cost several times their markup in memory. Default 64 MiB, thousands of
    /// pages of text.
    /// </summary>
    [Range(64 * 1024, long.MaxValue)]
    public long MaxDocxPartBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// Most bytes of XML the .docx reader loads into memory as one piece: one top-level paragraph or table of the body (the
    /// body itself is streamed block by block), or a whole styles, numbering, properties or relationships part. Larger
    /// documents fail with <c>too-large</c>. Default 16 MiB, a table of several thousand rows.
    /// </summary>
    [Range(64 * 1024, long.MaxValue)]
    public long MaxDocxBlockBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>
    /// Most table cells a .docx yields, all tables together, counting the empty cells that pad short rows to their
    /// table's width (a one-row table 100,000 cells wide would otherwise pad every later row). Beyond it the document fails
    /// with <c>too-large</c>. Default 2,000,000, some 150 MB of cells.
    /// </summary>
    [Range(1, int.MaxValue)]
    public int MaxDocxTableCells { get; set; } = 2_000_000;

    /// <summary>Most slides of a deck (.pptx); a deck with more fails with <c>too-large</c>.</summary>
    [Range(1, int.MaxValue)]
    public int MaxSlides { get; set; } = 5_000;

    /// <summary>Largest web page (HTML) read; its tree takes several times its size in memory. Larger fails with <c>too-large</c>.</summary>
    [Range(1, long.MaxValue)]
    public long MaxHtmlBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>
    /// Most threads that read the pages of one PDF at once. Each extra thread opens the file once more and reads runs of
    /// pages with it (a PdfPig document is not thread-safe); the pages come out in order, the same as read by one thread.
    /// Default 2, the reference machine's cores: page layout analysis is CPU-bound and <c>pdftotext</c> uses one core
    /// (docs/BENCHMARKS.md, issue 12; the gain is to be measured on an idle machine). 1 reads every page on the
    /// document's own thread.
    /// </summary>
    [Range(1, 64)]
    public int PdfPageThreads { get; set; } = 2;

    /// <summary>
    /// PDFs with fewer pages are read by one thread whatever <see cref="PdfPageThreads"/> says: opening the file again
    /// costs more than it saves on a short document. Default 16.
    /// </summary>
    [Range(1, int.MaxValue)]
    public int PdfParallelMinPages { get; set; } = 16;

    /// <summary>
    /// PDFs up to this size are read into memory once, and every page thread's copy of the document reads those bytes:
    /// PdfPig then reads from an array, not a call to the file stream per byte (a 500-page read ~15 % faster,
    /// docs/BENCHMARKS.md). Larger ones are read from the file as PdfPig needs them, one open file per thread.
    /// Default 512 MiB, at most 1 GiB (the file is held for the read; the document limit is 100 MiB by default); 0 always
    /// reads from the file.
    /// </summary>
    [Range(0d, 1 << 30)]
    public long PdfInMemoryMaxBytes { get; set; } = 512L << 20;
}
