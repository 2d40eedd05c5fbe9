namespace Annotate.Annotators.Documents;

/// <summary>The kind of a <see cref="Block"/>.</summary>
public enum BlockKind
{
    /// <summary>A heading, with a level.</summary>
    Heading,
    /// <summary>A paragraph of running text.</summary>
    Paragraph,
    /// <summary>A bulleted or numbered list.</summary>
    List,
    /// <summary>A table of rows and columns.</summary>
    Table,
}

/// <summary>What part of a document a block comes from: the body, or text the body only refers to or frames.</summary>
public enum BlockRole
{
    /// <summary>The running body.</summary>
    Body,
    /// <summary>A page header (Word), read once however many pages repeat it.</summary>
    Header,
    /// <summary>A page footer (Word), read once however many pages repeat it.</summary>
    Footer,
    /// <summary>A text box or a shape with text, anchored in the body.</summary>
    TextBox,
    /// <summary>A footnote, linked from its reference in the body.</summary>
    Footnote,
    /// <summary>An endnote, linked from its reference in the body.</summary>
    Endnote,
    /// <summary>A reviewer's comment, linked from the end of the text it refers to.</summary>
    Comment,
    /// <summary>A slide's speaker notes.</summary>
    SpeakerNotes,
}

/// <summary>One structural piece of a document: a heading, paragraph, list or table, with where it came from.</summary>
public abstract record Block
{
    /// <summary>What kind of block this is.</summary>
    public abstract BlockKind Kind { get; }

    /// <summary>Where the block starts in the source.</summary>
    public SourceLocation Location { get; init; } = new();

    /// <summary>What part of the document the block comes from.</summary>
    public BlockRole Role { get; init; } = BlockRole.Body;

    /// <summary>The block's plain text (for a table, its header and cells as tab-separated lines, bounded for large tables).</summary>
    public abstract string Text { get; }
}

/// <summary>A heading.</summary>
public sealed record HeadingBlock(int Level, string Content) : Block
{
    /// <inheritdoc />
    public override BlockKind Kind => BlockKind.Heading;

    /// <inheritdoc />
    public override string Text => Content;
}

/// <summary>A paragraph of running text.</summary>
public sealed record ParagraphBlock(string Content) : Block
{
    /// <inheritdoc />
    public override BlockKind Kind => BlockKind.Paragraph;

    /// <inheritdoc />
    public override string Text => Content;

    /// <summary>
    /// Labels of the notes this paragraph refers to; each reference stands in <see cref="Content"/> as <c>[^label]</c>,
    /// the way Markdown writes a footnote reference.
    /// </summary>
    public IReadOnlyList<string> NoteReferences { get; init; } = [];
}

/// <summary>
/// A footnote, endnote or comment: its text, under the label its reference carries in the body (<c>[^label]</c>).
/// A comment's text starts with its author and the text it refers to.
/// </summary>
public sealed record NoteBlock(string Label, string Content) : Block
{
    /// <inheritdoc />
    public override BlockKind Kind => BlockKind.Paragraph;

    /// <inheritdoc />
    public override string Text => Content;
}

/// <summary>A bulleted or numbered list.</summary>
public sealed record ListBlock(bool Ordered, IReadOnlyList<string> Items) : Block
{
    /// <inheritdoc />
    public override BlockKind Kind => BlockKind.List;

    /// <summary>
    /// The number each item carries in the source (<c>3.</c>, <c>2.1</c>, <c>b)</c>), one per item, when the source
    /// numbers them itself (Word); empty when items are numbered by their place in the list.
    /// </summary>
    public IReadOnlyList<string> Numbers { get; init; } = [];

    /// <inheritdoc />
    public override string Text => string.Join('\n', Items);
}
