using System.Runtime;
using Annotate.Annotators.Documents;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.Readers.Xlsx;

/// <summary>
/// Reads .xlsx workbooks: sheets, Excel tables (or each sheet's used region) with typed cell values. The package is
/// first checked against <see cref="ReaderOptions"/>' ZIP limits (<see cref="ZipPackageLimits"/>), then streamed row by
/// row, so a million-row sheet is never held in memory. Only workbooks that inflate to at most
/// <see cref="ReaderOptions.StreamingWorkbookBytes"/> (0 unless configured) are read whole with ClosedXML, and any
/// ClosedXML cannot load are streamed all the same.
/// </summary>
public sealed class XlsxReader(IOptions<ReaderOptions> options) : IDocumentReader
{
    /// <summary>Value of <see cref="DocumentProperties.Reader"/> for a workbook read whole by ClosedXML.</summary>
    public const string ClosedXmlReaderName = "closedxml";

    /// <summary>Value of <see cref="DocumentProperties.Reader"/> for a workbook read by the streaming reader.</summary>
    public const string StreamingReaderName = "streaming";

    /// <summary>Notice code: ClosedXML could not load the workbook and the streaming reader read it instead.</summary>
    public const string FallbackNotice = "reader-fallback";

    /// <summary>
    /// After ClosedXML read (or failed to read) a package inflating past this many bytes (4 MiB, about 60 MB of ClosedXML
    /// objects), the heap is compacted so the process gives back what the whole-workbook model took instead of keeping
    /// it until the next large document. Compacting a few hundred MB takes tens of milliseconds.
    /// </summary>
    internal const long CompactHeapAfterBytes = 4L * 1024 * 1024;

    /// <inheritdoc />
    public SourceFormat Format => SourceFormat.Xlsx;

    /// <inheritdoc />
    public Task<Document> ReadAsync(DocumentSource source, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var limits = options.Value;
        ZipPackageInfo package;
        try
        {
            package = ZipPackageLimits.Check(source, limits);
        }
        catch (Exception ex) when (WorkbookErrors.IsReadFailure(ex))
        {
            throw WorkbookErrors.NotAPackage(source.FileName, ex);
        }
        // Chosen by what the package inflates to, not its compressed size: 341 KB of identical rows inflate to
        // tens of MB, and ClosedXML holds every cell of them.
        var document = package.UncompressedBytes > limits.StreamingWorkbookBytes
            ? Streamed(source, limits, cancellationToken)
            : WholeOrStreamed(source, limits, package, cancellationToken);
        return Task.FromResult(document with { SizeBytes = source.Length });
    }

    private static Document Streamed(DocumentSource source, ReaderOptions limits, CancellationToken cancellationToken)
    {
        try
        {
            var document = StreamingWorkbookLoader.Load(source, limits, cancellationToken);
            return document with { Properties = document.Properties with { Reader = StreamingReaderName } };
        }
        catch (Exception ex) when (WorkbookErrors.IsReadFailure(ex))
        {
            throw WorkbookErrors.Corrupt(source.FileName, ex);
        }
    }

    /// <summary>
    /// ClosedXML first; when it throws, the streaming reader. One library failing is no proof the file is damaged
    /// (ClosedXML 0.95 throws on pictures, pivot tables, empty stylesheets, colours it cannot parse…), so the workbook
    /// is <c>corrupt</c> only when neither can read it, and the message gives both readers' errors.
    /// </summary>
    private static Document WholeOrStreamed(DocumentSource source, ReaderOptions limits, ZipPackageInfo package, CancellationToken cancellationToken)
    {
        if (ClosedXmlWorkbookLoader.Misreads(source, limits) is { } why)
        {
            return Fallback(Streamed(source, limits, cancellationToken), $"'{source.FileName}' was read by the streaming reader because {why}.");
        }
        Exception closedXmlError;
        try
        {
            var document = ClosedXmlWorkbookLoader.Load(source, cancellationToken);
            return document with { Properties = document.Properties with { Reader = ClosedXmlReaderName } };
        }
        catch (Exception ex) when (WorkbookErrors.IsReadFailure(ex))
        {
            closedXmlError = ex;
        }
        finally
        {
            if (package.UncompressedBytes > CompactHeapAfterBytes)
            {
                GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
                GC.Collect();
            }
        }
        Document streamed;
        try
        {
            streamed = StreamingWorkbookLoader.Load(source, limits, cancellationToken);
        }
        catch (Exception ex) when (WorkbookErrors.IsReadFailure(ex))
        {
            throw WorkbookErrors.CorruptForBoth(source.FileName, closedXmlError, ex);
        }
        return Fallback(streamed,
            $"'{source.FileName}' was read by the streaming reader because ClosedXML could not load it ({WorkbookErrors.Describe(closedXmlError)}); "
            + "values and tables are read alike.");
    }

    private static Document Fallback(Document streamed, string why) => streamed with
    {
        Properties = streamed.Properties with { Reader = StreamingReaderName },
        Notices = [.. streamed.Notices, new Notice(FallbackNotice, why) { Source = "xlsx" }],
    };
}
