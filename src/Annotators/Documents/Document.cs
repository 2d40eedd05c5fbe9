namespace Annotate.Annotators.Documents;

/// <summary>A document read into Annotate's neutral model: properties, blocks in reading order, outline and sheets.</summary>
public sealed record Document
{
    /// <summary>The file name the document was submitted under.</summary>
    public required string FileName { get; init; }

    /// <summary>The format detected from the bytes.</summary>
    public required SourceFormat Format { get; init; }

    /// <summary>Size of the source in bytes.</summary>
    public long SizeBytes { get; init; }

    /// <summary>Lowercase hex SHA-256 of the source bytes (set by the pipeline).</summary>
    public string? Sha256 { get; init; }

    /// <summary>Document-level properties.</summary>
    public DocumentProperties Properties { get; init; } = new();

    /// <summary>Headings, paragraphs, lists and tables in reading order.</summary>
    public IReadOnlyList<Block> Blocks { get; init; } = [];

    /// <summary>Outline (bookmarks) of a PDF, or the heading tree of other formats.</summary>
    public IReadOnlyList<OutlineEntry> Outline { get; init; } = [];

    /// <summary>Sheets of a workbook, in workbook order.</summary>
    public IReadOnlyList<SheetInfo> Sheets { get; init; } = [];

    /// <summary>Facts the reader noticed that a user should know, e.g. <c>no-text-layer</c>.</summary>
    public IReadOnlyList<Notice> Notices { get; init; } = [];

    /// <summary>Page texts of paged formats (PDF), 1-based page i at index i-1; empty for other formats.</summary>
    public IReadOnlyList<string> Pages { get; init; } = [];

    /// <summary>
    /// The words of PDF pages with their boxes, page by page (at most <see cref="MaxPositionedWords"/> words in all; pages
    /// past the bound have none); empty for other formats.
    /// </summary>
    public IReadOnlyList<PageWords> PageWords { get; init; } = [];

    /// <summary>
    /// Files found inside the document (an e-mail's attachments, a ZIP archive's entries), in the order found; each one
    /// kept becomes a document of its own, linked to this one. Empty for other formats.
    /// </summary>
    public IReadOnlyList<EmbeddedFile> Parts { get; init; } = [];

    /// <summary>The id of the document this one was found inside (set by the pipeline); null for a document sent on its own.</summary>
    public string? ParentDocumentId { get; init; }

    /// <summary>Most words whose positions a document keeps, so a huge PDF does not hold every word twice.</summary>
    public const int MaxPositionedWords = 200_000;
}

/// <summary>Document-level properties from the file's own metadata.</summary>
public sealed record DocumentProperties
{
    /// <summary>Title.</summary>
    public string? Title { get; init; }
    /// <summary>Author.</summary>
    public string? Author { get; init; }
    /// <summary>Subject.</summary>
    public string? Subject { get; init; }
    /// <summary>Keywords, as written in the file.</summary>
    public string? Keywords { get; init; }
    /// <summary>Producer (the library that wrote the file).</summary>
    public string? Producer { get; init; }
    /// <summary>Creator (the application the document was made in).</summary>
    public string? Creator { get; init; }
    /// <summary>Creation date.</summary>
    public DateTimeOffset? Created { get; init; }
    /// <summary>Last modification date.</summary>
    public DateTimeOffset? Modified { get; init; }
    /// <summary>Number of pages (PDF).</summary>
    public int? PageCount { get; init; }
    /// <summary>Text encoding of text-based sources, e.g. <c>utf-8</c>.</summary>
    public string? Encoding { get; init; }
    /// <summary>Field delimiter of CSV sources.</summary>
    public string? Delimiter { get; init; }
    /// <summary>
    /// Which of a format's readers read the document when it has more than one, e.g. <c>closedxml</c> or
    /// <c>streaming</c> for workbooks; null when the format has one reader.
    /// </summary>
    public string? Reader { get; init; }
    /// <summary>An e-mail's header fields; null for other formats.</summary>
    public EmailHeaders? Email { get; init; }
}

/// <summary>The header fields of an e-mail that say who wrote it to whom, when and about what.</summary>
public sealed record EmailHeaders
{
    /// <summary>The From field: the authors' addresses, as written (<c>Jane Doe &lt;jane@example.com&gt;</c>).</summary>
    public IReadOnlyList<string> From { get; init; } = [];
    /// <summary>The To field's addresses.</summary>
    public IReadOnlyList<string> To { get; init; } = [];
    /// <summary>The Cc field's addresses.</summary>
    public IReadOnlyList<string> Cc { get; init; } = [];
    /// <summary>The Date field.</summary>
    public DateTimeOffset? Date { get; init; }
    /// <summary>The Subject field.</summary>
    public string? Subject { get; init; }
    /// <summary>The Message-ID field, without its angle brackets.</summary>
    public string? MessageId { get; init; }
}

/// <summary>One outline entry (bookmark) with its nesting level and target page.</summary>
public sealed record OutlineEntry(string Title, int Level, int? Page);

/// <summary>A sheet of a workbook.</summary>
public sealed record SheetInfo
{
    /// <summary>Sheet name.</summary>
    public required string Name { get; init; }
    /// <summary>1-based position in the workbook.</summary>
    public int Index { get; init; }
    /// <summary>True when the sheet is hidden or very hidden.</summary>
    public bool Hidden { get; init; }
    /// <summary>Used range, A1-style, e.g. <c>A1:F120</c>; null for an empty sheet.</summary>
    public string? Dimension { get; init; }
    /// <summary>Number of rows with content.</summary>
    public long RowCount { get; init; }
    /// <summary>Number of columns of the used range.</summary>
    public int ColumnCount { get; init; }
    /// <summary>Merged ranges of the sheet, A1-style.</summary>
    public IReadOnlyList<string> MergedRanges { get; init; } = [];
    /// <summary>True when the sheet was read row by row with the streaming reader.</summary>
    public bool Streamed { get; init; }
}

/// <summary>A fact worth telling the user, with a stable code.</summary>
public sealed record Notice(string Code, string Message)
{
    /// <summary>Name of the reader or annotator that raised it.</summary>
    public string? Source { get; init; }
}
