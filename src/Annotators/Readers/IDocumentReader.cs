using Annotate.Annotators.Documents;

namespace Annotate.Annotators.Readers;

/// <summary>Reads one format into the neutral <see cref="Document"/> model.</summary>
public interface IDocumentReader
{
    /// <summary>The format this reader handles.</summary>
    SourceFormat Format { get; }

    /// <summary>
    /// Reads the document. Throws <see cref="Pipeline.AnnotationException"/> with a specific reason
    /// (<c>corrupt</c>, <c>encrypted</c>…) when the bytes cannot be read.
    /// </summary>
    Task<Document> ReadAsync(DocumentSource source, CancellationToken cancellationToken);
}
