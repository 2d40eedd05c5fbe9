using System.ComponentModel.DataAnnotations;

namespace Annotate.Annotators.Writers.Markdown;

/// <summary>Options of the <c>content.md</c> writer (configuration section <c>Annotate:Writers:Markdown</c>).</summary>
public sealed class MarkdownWriterOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Annotate:Writers:Markdown";

    /// <summary>
    /// Most rows written per table; the rest are summarised in one line, since the CSV and xlsx outputs hold the full
    /// data and a Markdown table of a million rows helps nobody. Default 1,000.
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxTableRows { get; set; } = 1000;
}
