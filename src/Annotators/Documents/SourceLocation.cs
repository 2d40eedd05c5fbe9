namespace Annotate.Annotators.Documents;

/// <summary>Where in the source a block, cell or annotation is: a page, a sheet and cell range, or a line.</summary>
public sealed record SourceLocation
{
    /// <summary>1-based page number (PDF).</summary>
    public int? Page { get; init; }

    /// <summary>Sheet name (workbooks; <c>null</c> for CSV).</summary>
    public string? Sheet { get; init; }

    /// <summary>A1-style cell or range, e.g. <c>B7</c> or <c>A1:D20</c> (workbooks and CSV).</summary>
    public string? Cell { get; init; }

    /// <summary>1-based line number (text, Markdown, CSV).</summary>
    public int? Line { get; init; }

    /// <summary>0-based index of the block in <see cref="Document.Blocks"/>.</summary>
    public int? Block { get; init; }

    /// <summary>Character offset of the match inside the block's text, when the location points into a block.</summary>
    public int? Offset { get; init; }

    /// <summary>Length in characters of the match inside the block's text.</summary>
    public int? Length { get; init; }

    /// <summary>Where on the page (PDF points, origin bottom left), when the finding comes from the page layout.</summary>
    public PageBox? Box { get; init; }

    /// <summary>A location on a page.</summary>
    public static SourceLocation OnPage(int page) => new() { Page = page };

    /// <summary>A cell or range of a sheet.</summary>
    public static SourceLocation InSheet(string? sheet, string cell) => new() { Sheet = sheet, Cell = cell };

    /// <summary>A line of a text file.</summary>
    public static SourceLocation AtLine(int line) => new() { Line = line };
}
