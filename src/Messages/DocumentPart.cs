namespace Annotate.Messages;

/// <summary>
/// A file found inside an annotated document (an e-mail's attachment, a ZIP archive's entry), stored for annotation as a
/// document of its own under <see cref="DocumentId"/>; listed on <see cref="DocumentAnnotated.Parts"/>.
/// </summary>
public sealed record DocumentPart
{
    /// <summary>The id the child document is to have (derived from the parent's id and the file's place, so always the same).</summary>
    public required string DocumentId { get; init; }

    /// <summary>The file's name, made safe (the last part of the name it had, without control characters).</summary>
    public required string FileName { get; init; }

    /// <summary>Where its bytes are: a <c>blob:content/sha256/…</c> reference into the shared blob store.</summary>
    public required string SourceUri { get; init; }

    /// <summary>Size in bytes.</summary>
    public long SizeBytes { get; init; }

    /// <summary>Lowercase hex SHA-256 of its bytes.</summary>
    public required string ContentSha256 { get; init; }

    /// <summary>Where in the parent it was, for people: <c>reports/q1.pdf</c> in a ZIP, <c>attachment 2: q1.pdf</c> in an e-mail.</summary>
    public string? Path { get; init; }
}
