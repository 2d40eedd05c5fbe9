using Annotate.Annotators.Annotations;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Profiles;
using Annotate.Annotators.Readers;

namespace Annotate.Annotators.Writers;

/// <summary>Writes one kind of output (annotations.json, content.md, annotated.xlsx…) into a document's output folder.</summary>
public interface IOutputWriter
{
    /// <summary>Output kind, as named in <c>AnnotateDocument.Outputs</c>: <c>annotations</c>, <c>markdown</c>, <c>xlsx</c>, <c>csv</c>, <c>original</c>.</summary>
    string Kind { get; }

    /// <summary>Whether this writer produces anything for the document (e.g. <c>xlsx</c> only for workbooks and CSV).</summary>
    bool AppliesTo(Document document);

    /// <summary>Writes the output files and returns what it wrote.</summary>
    Task<IReadOnlyList<WrittenOutput>> WriteAsync(OutputContext context, CancellationToken cancellationToken);

    /// <summary>
    /// True for a writer that may run at the same time as the writers registered right next to it that say so too, on
    /// another core: it writes only its own files, reads the document and annotations without changing what they read,
    /// and reads nothing they change but what <see cref="DescribesOtherOutputs"/> covers (a writer may add notices, under
    /// the lock of the notices list, and the table writers record where they put the row fields). The table writers say
    /// so (each scans every row of a long table), the copy of the original and annotations.json, registered next to them.
    /// </summary>
    bool RunsAlongside => false;

    /// <summary>
    /// True for a writer whose files describe what the writers beside it record in the annotations as they write
    /// (annotations.json): the notices they add, and where the table writers put the row fields (the CSV file and its
    /// records, the workbook's sheet and column). It runs beside them only when the document has no row fields to place,
    /// and is written again once they have finished when one of them added a notice meanwhile; it reads the notices under
    /// the list's lock.
    /// </summary>
    bool DescribesOtherOutputs => false;

    /// <summary>
    /// False for a writer whose files, under <paramref name="profile"/>, hold nothing the annotators add (the table
    /// writers' CSV without row fields, the copy of the original): when it <see cref="RunsAlongside"/> too, it writes
    /// while the annotators run, on the core they leave free, rather than after them. It must then neither read nor
    /// change the annotations (not even add a notice): the annotators are still filling them in.
    /// </summary>
    bool NeedsAnnotations(AnnotationProfile profile) => true;
}

/// <summary>What a writer works on.</summary>
/// <param name="DocumentId">Identifier of the document.</param>
/// <param name="Document">The document model.</param>
/// <param name="Annotations">The annotations.</param>
/// <param name="Source">The original bytes.</param>
/// <param name="OutputDirectory">Existing local folder to write into.</param>
public sealed record OutputContext(string DocumentId, Document Document, AnnotationSet Annotations, DocumentSource Source, string OutputDirectory);

/// <summary>One file a writer wrote.</summary>
public sealed record WrittenOutput(string Name, string Kind, string MediaType, long SizeBytes)
{
    /// <summary>Describes a file just written in <paramref name="directory"/>.</summary>
    public static WrittenOutput For(string directory, string name, string kind, string mediaType) =>
        new(name, kind, mediaType, new FileInfo(System.IO.Path.Combine(directory, name)).Length);
}
