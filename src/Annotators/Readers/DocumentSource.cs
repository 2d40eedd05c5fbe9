namespace Annotate.Annotators.Readers;

/// <summary>A document's bytes on the local file system, with the name it was submitted under.</summary>
/// <param name="Path">Local path of the bytes (the name on disk may differ from <paramref name="FileName"/>).</param>
/// <param name="FileName">The original file name; a hint for text formats only.</param>
public sealed record DocumentSource(string Path, string FileName)
{
    /// <summary>Opens the bytes for reading; readers that stream a file open it as often as they need.</summary>
    public Stream OpenRead() =>
        new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 81920, FileOptions.SequentialScan);

    /// <summary>The OCR settings of the document's profile, over the global ones; null for the global ones.</summary>
    public Ocr.ProfileOcrSettings? Ocr { get; init; }

    /// <summary>
    /// A local folder into which a reader of a container (an e-mail, a ZIP archive) writes the files it finds inside, each
    /// to become a document of its own; null when they are only listed (a format check, a benchmark, too deep a nesting).
    /// </summary>
    public string? PartsDirectory { get; init; }

    /// <summary>Size of the file in bytes.</summary>
    public long Length => new FileInfo(Path).Length;
}
