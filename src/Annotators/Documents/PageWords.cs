using System.Text.Json.Serialization;

namespace Annotate.Annotators.Documents;

/// <summary>A rectangle on a page in PDF points, origin at the bottom left of the page.</summary>
/// <param name="Left">Left edge.</param>
/// <param name="Bottom">Bottom edge.</param>
/// <param name="Right">Right edge.</param>
/// <param name="Top">Top edge.</param>
public readonly record struct PageBox(double Left, double Bottom, double Right, double Top)
{
    /// <summary>Width of the box.</summary>
    [JsonIgnore]
    public double Width => Right - Left;

    /// <summary>Height of the box.</summary>
    [JsonIgnore]
    public double Height => Top - Bottom;

    /// <summary>The smallest box holding both.</summary>
    public PageBox Union(PageBox other) =>
        new(Math.Min(Left, other.Left), Math.Min(Bottom, other.Bottom), Math.Max(Right, other.Right), Math.Max(Top, other.Top));
}

/// <summary>A word on a page and its box.</summary>
/// <param name="Text">The word, ligatures expanded.</param>
/// <param name="Box">Where it is on the page.</param>
public sealed record PageWord(string Text, PageBox Box)
{
    /// <summary>How sure OCR is of the word, 0–100; null for words of a text layer.</summary>
    public double? Confidence { get; init; }
}

/// <summary>The words of one page with their positions, for annotators that read layout (labels above values).</summary>
/// <param name="Page">1-based page number.</param>
/// <param name="Words">The words in the order the reader found them.</param>
public sealed record PageWords(int Page, IReadOnlyList<PageWord> Words);
