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

/// <summary>One structural piece of a document: a heading, paragraph, list or table, with where it came from.</summary>
public abstract record Block
{
    /// <summary>What kind of block this is.</summary>
    public abstract BlockKind Kind { get; }

    /// <summary>Where the block starts in the source.</summary>
    public SourceLocation Location { get; init; } = new();

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
}

/// <summary>A bulleted or numbered list.</summary>
public sealed record ListBlock(bool Ordered, IReadOnlyList<string> Items) : Block
{
    /// <inheritdoc />
    public override BlockKind Kind => BlockKind.List;

    /// <inheritdoc />
    public override string Text => string.Join('\n', Items);
}
