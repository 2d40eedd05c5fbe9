namespace Annotate.Annotators.Documents;

/// <summary>
/// A file found inside a document (an e-mail's attachment, a ZIP archive's entry) that becomes a document of its own.
/// </summary>
public sealed record EmbeddedFile
{
    /// <summary>The file name the child document gets: the last part of the name it had, made safe to show and store.</summary>
    public required string Name { get; init; }

    /// <summary>Where in the container it was, for people: <c>reports/2024/q1.pdf</c> in a ZIP, <c>attachment 2</c> in an e-mail.</summary>
    public required string Path { get; init; }

    /// <summary>Size of its bytes.</summary>
    public long SizeBytes { get; init; }

    /// <summary>Lowercase hex SHA-256 of its bytes.</summary>
    public required string Sha256 { get; init; }

    /// <summary>The id of the document it becomes, once the pipeline has named it; null when it is only listed.</summary>
    public string? DocumentId { get; init; }

    /// <summary>The local file its bytes were written to (in <see cref="Readers.DocumentSource.PartsDirectory"/>); null when only listed.</summary>
    public string? StagedPath { get; init; }
}
