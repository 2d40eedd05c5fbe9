using Annotate.Annotators.Documents;
using Annotate.Annotators.Profiles;

namespace Annotate.Annotators.Writers;

/// <summary>Keeps a copy of the original bytes as <c>original.&lt;ext&gt;</c>, the extension following the detected format.</summary>
public sealed class OriginalFileWriter : IOutputWriter
{
    /// <inheritdoc />
    public string Kind => "original";

    /// <inheritdoc />
    public bool AppliesTo(Document document) => true;

    /// <inheritdoc />
    /// <remarks>A file copy (a large workbook's tens of MB) that waits on the disk more than the CPU: it runs beside the table writers.</remarks>
    public bool RunsAlongside => true;

    /// <inheritdoc />
    public bool NeedsAnnotations(AnnotationProfile profile) => false;

    /// <inheritdoc />
    public async Task<IReadOnlyList<WrittenOutput>> WriteAsync(OutputContext context, CancellationToken cancellationToken)
    {
        var (extension, mediaType) = context.Document.Format switch
        {
            SourceFormat.Pdf => (".pdf", "application/pdf"),
            SourceFormat.Xlsx => (".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            SourceFormat.Docx => (".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            SourceFormat.Csv => (Path.GetExtension(context.Document.FileName).Equals(".tsv", StringComparison.OrdinalIgnoreCase) ? ".tsv" : ".csv", "text/csv"),
            SourceFormat.Markdown => (".md", "text/markdown"),
            SourceFormat.Pptx => (".pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
            SourceFormat.Html => (".html", "text/plain"), // served as text: a stored page must never run in the browser
            SourceFormat.Png => (".png", "image/png"),
            SourceFormat.Jpeg => (".jpg", "image/jpeg"),
            SourceFormat.Tiff => (".tif", "image/tiff"),
            _ => (".txt", "text/plain"),
        };
        var name = "original" + extension;
        await using (var source = context.Source.OpenRead())
        await using (var target = File.Create(Path.Combine(context.OutputDirectory, name)))
        {
            await source.CopyToAsync(target, cancellationToken).ConfigureAwait(false);
        }
        return [WrittenOutput.For(context.OutputDirectory, name, Kind, mediaType)];
    }
}
