using Annotate.Annotators.Documents;
using Annotate.Annotators.Readers.Text;

namespace Annotate.Annotators.Readers.Pdf;

/// <summary>Turns the regions of all pages into headings, paragraphs and lists.</summary>
internal static partial class PdfBlockBuilder
{
    /// <summary>A heading's font is at least this much larger than the page's body text.</summary>
    private const double HeadingSizeRatio = 1.15;
    private const int MaxHeadingLength = 200;
    private const int MaxBoldHeadingLength = 100;

    public static IReadOnlyList<Block> Build(IReadOnlyList<PdfPageText> pages)
    {
        // Heading levels follow font sizes across the whole document: the largest heading size is level 1.
        var headingSizes = pages
            .SelectMany(p => p.Regions.Where(r => IsLargeHeading(r, p.BodyFontSize)).Select(r => Round(r.FontSize)))
            .Distinct()
            .OrderDescending()
            .ToList();

        var blocks = new List<Block>();
        foreach (var page in pages)
        {
            var location = SourceLocation.OnPage(page.Page);
            for (var index = 0; index < page.Regions.Count; index++)
            {
                var region = page.Regions[index];
                if (IsSectionNumber(region, page.BodyFontSize) && index + 1 < page.Regions.Count
                    && (IsLargeHeading(page.Regions[index + 1], page.BodyFontSize) || IsBoldHeading(page.Regions[index + 1], page.BodyFontSize)))
                {
                    // "1.2" and "Results" set apart by a wide space are one heading.
                    var next = page.Regions[++index];
                    region = next with { Lines = [next.Lines[0] with { Text = region.Text + " " + next.Lines[0].Text }, .. next.Lines.Skip(1)] };
                }
                if (IsLargeHeading(region, page.BodyFontSize))
                {
                    var level = Math.Min(6, headingSizes.IndexOf(Round(region.FontSize)) + 1);
                    blocks.Add(new HeadingBlock(level, region.Text) { Location = location });
                }
                else if (IsBoldHeading(region, page.BodyFontSize))
                {
                    var larger = headingSizes.Count(size => size > Round(region.FontSize));
                    blocks.Add(new HeadingBlock(Math.Min(6, larger + 1), region.Text) { Location = location });
                }
                else
                {
                    AddText(region.Lines, location, blocks);
                }
            }
        }
        return blocks.Select((b, i) => b with { Location = b.Location with { Block = i } }).ToList();
    }

    private static bool IsLargeHeading(PdfTextRegion region, double bodySize) =>
        region.Lines.Count <= 3
        && region.Text.Length <= MaxHeadingLength
        && region.FontSize >= bodySize * HeadingSizeRatio
        && region.Text.Any(char.IsLetter)
        && !region.Text.EndsWith('.');

    private static bool IsSectionNumber(PdfTextRegion region, double bodySize) =>
        region.Lines.Count == 1
        && (region.Bold || region.FontSize >= bodySize * HeadingSizeRatio)
        && SectionNumber().IsMatch(region.Text);

    private static bool IsBoldHeading(PdfTextRegion region, double bodySize) =>
        region.Bold
        && region.Lines.Count == 1
        && region.Text.Length <= MaxBoldHeadingLength
        && region.FontSize >= bodySize * 0.95
        && region.Text.Any(char.IsLetter)
        && !region.Text.EndsWith('.') && !region.Text.EndsWith(',') && !region.Text.EndsWith(':');

    /// <summary>Splits a region into a paragraph and a list when its lines, from some line on, start with list markers.</summary>
    private static void AddText(IReadOnlyList<PdfTextLine> lines, SourceLocation location, List<Block> blocks)
    {
        var firstMarker = -1;
        var markers = 0;
        for (var i = 0; i < lines.Count; i++)
        {
            if (ListMarkers.TryParse(lines[i].Text, out _, out _))
            {
                markers++;
                if (firstMarker < 0)
                {
                    firstMarker = i;
                }
            }
        }
        // One marker line in the middle of a paragraph is more likely a wrapped "- " or "1." than a list.
        if (firstMarker < 0 || (firstMarker > 0 && markers < 2))
        {
            blocks.Add(new ParagraphBlock(JoinLines(lines.Select(l => l.Text))) { Location = location });
            return;
        }
        if (firstMarker > 0)
        {
            blocks.Add(new ParagraphBlock(JoinLines(lines.Take(firstMarker).Select(l => l.Text))) { Location = location });
        }

        var items = new List<List<string>>();
        var ordered = false;
        foreach (var line in lines.Skip(firstMarker))
        {
            if (ListMarkers.TryParse(line.Text, out var isOrdered, out var item))
            {
                if (items.Count == 0)
                {
                    ordered = isOrdered;
                }
                items.Add([item]);
            }
            else
            {
                items[^1].Add(line.Text); // a wrapped item continues on the next line
            }
        }
        var texts = items.Select(JoinLines).ToList();

        // Items set apart by wider spacing, or a nested item indented after a short one, are regions of their own:
        // continue the list just before on the same page.
        if (blocks.Count > 0 && blocks[^1] is ListBlock previous && previous.Ordered == ordered && previous.Location.Page == location.Page)
        {
            blocks[^1] = previous with { Items = [.. previous.Items, .. texts] };
            return;
        }
        blocks.Add(new ListBlock(ordered, texts) { Location = location });
    }

    /// <summary>Joins wrapped lines, rejoining words hyphenated at the line end ("Maece-" + "nas").</summary>
    internal static string JoinLines(IEnumerable<string> lines)
    {
        var text = new System.Text.StringBuilder();
        foreach (var line in lines)
        {
            var next = line.Trim();
            if (next.Length == 0)
            {
                continue;
            }
            if (text.Length > 1 && text[^1] == '-' && char.IsLetter(text[^2]) && char.IsLower(next[0]))
            {
                text.Length--;
            }
            else if (text.Length > 0)
            {
                text.Append(' ');
            }
            text.Append(next);
        }
        return text.ToString();
    }

    private static double Round(double size) => Math.Round(size * 2) / 2;

    [System.Text.RegularExpressions.GeneratedRegex(@"^(?:\d{1,2}(?:\.\d{1,2})*\.?|[IVX]{1,4}\.|[A-Z]\.)$")]
    private static partial System.Text.RegularExpressions.Regex SectionNumber();
}
