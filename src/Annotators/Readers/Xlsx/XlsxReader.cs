using Annotate.Annotators.Documents;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.Readers.Xlsx;

/// <summary>
/// Reads .xlsx workbooks: sheets, Excel tables (or each sheet's used region) with typed cell values. Workbooks
/// up to <see cref="ReaderOptions.StreamingWorkbookBytes"/> are read whole with ClosedXML; larger ones are
/// streamed row by row, so a million-row sheet is never held in memory.
/// </summary>
public sealed class XlsxReader(IOptions<ReaderOptions> options) : IDocumentReader
{
    /// <inheritdoc />
    public SourceFormat Format => SourceFormat.Xlsx;

    /// <inheritdoc />
    public Task<Document> ReadAsync(DocumentSource source, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var streamed = source.Length > options.Value.StreamingWorkbookBytes;
        try
        {
            var document = streamed
                ? StreamingWorkbookLoader.Load(source, cancellationToken)
                : ClosedXmlWorkbookLoader.Load(source, cancellationToken);
            return Task.FromResult(document with { SizeBytes = source.Length });
        }
        catch (Exception ex) when (WorkbookErrors.IsReadFailure(ex))
        {
            throw WorkbookErrors.Corrupt(source.FileName, ex);
        }
    }
}
