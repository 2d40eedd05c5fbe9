using System.Text;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Ocr;
using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Readers.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Exceptions;
using UglyToad.PdfPig.Outline;

namespace Annotate.Annotators.Readers.Pdf;

/// <summary>
/// Reads PDFs with PdfPig: text in reading order (columns one after the other), headings, paragraphs and lists
/// with their pages, page texts, document information and the outline.
/// </summary>
public sealed class PdfReader(ILogger<PdfReader> logger, TesseractOcr? ocr = null, IOptions<ReaderOptions>? options = null) : IDocumentReader
{
    private readonly ReaderOptions _options = options?.Value ?? new ReaderOptions();

    /// <summary>Name used as <see cref="Notice.Source"/>.</summary>
    public const string NoticeSource = "pdf";

    /// <inheritdoc />
    public SourceFormat Format => SourceFormat.Pdf;

    /// <inheritdoc />
    public Task<Document> ReadAsync(DocumentSource source, CancellationToken cancellationToken) =>
        Task.Run(() => ReadCoreAsync(source, cancellationToken), cancellationToken);

    private async Task<Document> ReadCoreAsync(DocumentSource source, CancellationToken cancellationToken)
    {
        try
        {
            // In memory when it fits: every thread's copy of the document then reads the same bytes, and PdfPig reads
            // them from an array instead of one call to the stream per byte.
            var bytes = source.Length <= _options.PdfInMemoryMaxBytes
                ? await File.ReadAllBytesAsync(source.Path, cancellationToken).ConfigureAwait(false)
                : null;
            using var stream = bytes is null ? source.OpenRead() : null;
            using var pdf = bytes is null ? PdfDocument.Open(stream!, Parsing) : PdfDocument.Open(bytes, Parsing);
            var pages = ReadPages(pdf, bytes is null ? () => OpenAgain(source) : () => PdfDocument.Open(bytes, Parsing), cancellationToken);
            string? doubt;
            // Where a scanned page's own image is taken from: not from the damaged file when its pages came from a repair.
            var imagesFrom = pdf;
            // A stream of its own: PdfPig keeps reading from the one it was given, and the check moves around the file.
            using (var raw = bytes is null ? source.OpenRead() : new MemoryStream(bytes, writable: false))
            {
                doubt = PdfPageCountCheck.Doubt(pdf, raw);
                if (doubt is not null && Rebuilt(pdf, raw, source.FileName, cancellationToken) is { } rebuilt)
                {
                    pages = rebuilt;
                    imagesFrom = null;
                }
            }
            // Scanned pages: recognised after the text layer is read, each in place of its empty or near-empty page.
            var ocrNotices = new List<Notice>();
            pages = await PdfPageOcr.ApplyAsync(ocr, source, pages, imagesFrom, ocrNotices, cancellationToken).ConfigureAwait(false);
            var blocks = PdfBlockBuilder.Build(pages);
            var properties = ReadProperties(pdf);
            return new Document
            {
                FileName = source.FileName,
                Format = SourceFormat.Pdf,
                SizeBytes = source.Length,
                // A count read from a repaired file is a guess; the notice says so instead of stating it.
                Properties = doubt is null ? properties : properties with { PageCount = null },
                Blocks = blocks,
                Pages = PageTexts(pages.Select(p => p.Page), blocks),
                PageWords = PositionedWords(pages),
                Outline = ReadOutline(pdf, source.FileName),
                // Pages made up for an unreachable page tree have no text; that says nothing about a scan.
                Notices = [.. doubt is null ? Notices(pages, source.FileName) : [PageCountNotice(doubt, pages, source.FileName)], .. ocrNotices],
            };
        }
        catch (PdfDocumentEncryptedException ex)
        {
            throw new AnnotationException(FailureReason.Encrypted,
                $"'{source.FileName}' is password-protected; remove the password and submit it again.", inner: ex);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not AnnotationException)
        {
            throw new AnnotationException(FailureReason.Corrupt,
                $"'{source.FileName}' is not a readable PDF (damaged or truncated): {ex.Message}", inner: ex);
        }
    }

    private static readonly ParsingOptions Parsing = new() { UseLenientParsing = true, SkipMissingFonts = true };

    private List<PdfPageText> ReadPages(PdfDocument pdf, Func<PdfDocument> openAgain, CancellationToken cancellationToken) =>
        PdfPageReader.Read(pdf, openAgain, _options.PdfPageThreads, _options.PdfParallelMinPages, cancellationToken);

    /// <summary>The file opened once more for another thread; the document owns its stream and closes it when disposed.</summary>
    private static PdfDocument OpenAgain(DocumentSource source)
    {
        var stream = source.OpenRead();
        try
        {
            return PdfDocument.Open(stream, Parsing);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The pages of the file read again under a rebuilt page tree, when that finds more pages than the file's own tree
    /// gave; null otherwise. Its own tree may be unreachable, and PdfPig then makes up a single empty page.
    /// </summary>
    private List<PdfPageText>? Rebuilt(PdfDocument pdf, Stream file, string fileName, CancellationToken cancellationToken)
    {
        try
        {
            if (PdfPageTreeRepair.TryRebuild(pdf, file, PdfPageCountCheck.DeclaredXrefOffset(file), cancellationToken) is not { } bytes)
            {
                return null;
            }
            using var repaired = PdfDocument.Open(bytes, Parsing);
            return repaired.NumberOfPages > pdf.NumberOfPages ? ReadPages(repaired, () => PdfDocument.Open(bytes, Parsing), cancellationToken) : null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The repair is a second chance; the pages already read stand, with their notice.
            logger.LogWarning(ex, "The page tree of {FileName} could not be rebuilt", fileName);
            return null;
        }
    }

    private static List<PageWords> PositionedWords(IReadOnlyList<PdfPageText> pages)
    {
        return pages.TakeWhile(p => p.Words.Count > 0 || !p.HasText).Select(p => new PageWords(p.Page, p.Words)).ToList();
    }

    private static DocumentProperties ReadProperties(PdfDocument pdf)
    {
        var info = pdf.Information;
        return new DocumentProperties
        {
            Title = Clean(info.Title),
            Author = Clean(info.Author),
            Subject = Clean(info.Subject),
            Keywords = Clean(info.Keywords),
            Producer = Clean(info.Producer),
            Creator = Clean(info.Creator),
            Created = PdfDates.Parse(info.CreationDate),
            Modified = PdfDates.Parse(info.ModifiedDate),
            PageCount = pdf.NumberOfPages,
        };
    }

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private IReadOnlyList<OutlineEntry> ReadOutline(PdfDocument pdf, string fileName)
    {
        try
        {
            if (!pdf.TryGetBookmarks(out var bookmarks))
            {
                return [];
            }
            var entries = new List<OutlineEntry>();
            foreach (var root in bookmarks.Roots)
            {
                AddOutline(root, entries);
            }
            return entries;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A broken outline must not cost the user the document's text.
            logger.LogWarning(ex, "The outline of {FileName} could not be read", fileName);
            return [];
        }
    }

    private static void AddOutline(BookmarkNode node, List<OutlineEntry> entries)
    {
        int? page = node is DocumentBookmarkNode target && target.PageNumber > 0 ? target.PageNumber : null;
        entries.Add(new OutlineEntry(PdfLigatures.Expand(node.Title?.Trim() ?? string.Empty), node.Level + 1, page));
        foreach (var child in node.Children)
        {
            AddOutline(child, entries);
        }
    }

    /// <summary>The text of each page: its blocks' texts in order, set apart by blank lines; one pass over the blocks.</summary>
    internal static List<string> PageTexts(IEnumerable<int> pages, IReadOnlyList<Block> blocks)
    {
        var byPage = new Dictionary<int, StringBuilder>();
        foreach (var block in blocks)
        {
            if (block.Location.Page is not { } page)
            {
                continue;
            }
            if (!byPage.TryGetValue(page, out var text))
            {
                byPage[page] = text = new StringBuilder();
            }
            if (text.Length > 0)
            {
                text.Append("\n\n");
            }
            text.Append(block.Text);
        }
        return pages.Select(p => byPage.TryGetValue(p, out var text) ? text.ToString() : string.Empty).ToList();
    }

    internal static string PageText(int page, IReadOnlyList<Block> blocks)
    {
        var text = new StringBuilder();
        foreach (var block in blocks.Where(b => b.Location.Page == page))
        {
            if (text.Length > 0)
            {
                text.Append("\n\n");
            }
            text.Append(block.Text);
        }
        return text.ToString();
    }

    /// <summary>Notice raised when the file's structure is damaged and the number of pages read may not be all it has.</summary>
    public const string PageCountUncertainNotice = "page-count-uncertain";

    private static Notice PageCountNotice(string doubt, IReadOnlyList<PdfPageText> pages, string fileName)
    {
        var withText = pages.Count(p => p.HasText);
        return new Notice(PageCountUncertainNotice,
            $"'{fileName}' is damaged ({doubt}): after repairing it {pages.Count} page(s) were found, {withText} of them with text, but the file may have more or fewer pages.")
        { Source = NoticeSource };
    }

    private static IReadOnlyList<Notice> Notices(IReadOnlyList<PdfPageText> pages, string fileName)
    {
        if (pages.Count == 0)
        {
            return [new Notice("no-pages", $"'{fileName}' has no pages.") { Source = NoticeSource }];
        }
        var withoutText = pages.Where(p => !p.HasText).Select(p => p.Page).ToList();
        if (withoutText.Count == pages.Count)
        {
            return
            [
                new Notice("no-text-layer",
                    $"'{fileName}' has {pages.Count} page(s) but no text layer: it looks scanned or drawn. Run it through OCR to annotate its content.")
                { Source = NoticeSource },
            ];
        }
        var scanned = pages.Where(p => !p.HasText && p.HasImages).Select(p => p.Page).ToList();
        if (scanned.Count > 0)
        {
            return
            [
                new Notice("pages-without-text",
                    $"Page(s) {string.Join(", ", scanned)} of '{fileName}' hold images but no text; their content is not annotated.")
                { Source = NoticeSource },
            ];
        }
        return [];
    }
}
