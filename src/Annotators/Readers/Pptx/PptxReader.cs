using System.Globalization;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Readers.Docx;
using Annotate.Annotators.Readers.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Presentation;
using Microsoft.Extensions.Options;
using A = DocumentFormat.OpenXml.Drawing;
using Document = Annotate.Annotators.Documents.Document;

namespace Annotate.Annotators.Readers.Pptx;

/// <summary>
/// Reads slide decks (.pptx) with the Open XML SDK, slide by slide in the deck's order (hidden slides included,
/// marked): the slide's title as a heading, its text frames in reading order (top to bottom, then left to right),
/// tables, and the speaker notes. Every block's page is its slide number. Each slide and notes part goes through the
/// same XML guard as a Word part before the SDK loads it, so depth and size cannot crash or balloon the process.
/// </summary>
public sealed class PptxReader(IOptions<ReaderOptions> options) : IDocumentReader
{
    // Group shapes nest; the guard has bounded the markup's depth, this bounds the walk's own.
    private const int MaxGroupDepth = 32;

    /// <inheritdoc />
    public SourceFormat Format => SourceFormat.Pptx;

    /// <inheritdoc />
    public Task<Document> ReadAsync(DocumentSource source, CancellationToken cancellationToken) =>
        Task.Run(() => Read(source, options.Value, cancellationToken), cancellationToken);

    private static Document Read(DocumentSource source, ReaderOptions options, CancellationToken cancellationToken)
    {
        var fileName = source.FileName;
        try
        {
            using var stream = OpenXmlPackages.OpenChecked(source, options);
            using var deck = PresentationDocument.Open(stream, isEditable: false,
                new OpenSettings { MaxCharactersInPart = options.MaxDocxPartBytes });
            var presentation = deck.PresentationPart
                ?? throw new AnnotationException(FailureReason.Corrupt, $"'{fileName}' has no presentation part: it is not a complete slide deck.");
            OpenXmlPackages.CheckWhole(presentation, fileName, options);
            var slideIds = presentation.Presentation?.SlideIdList?.Elements<SlideId>().ToList() ?? [];
            if (slideIds.Count > options.MaxSlides)
            {
                throw ZipPackageLimits.TooLarge(fileName,
                    $"it has {slideIds.Count.ToString("N0", CultureInfo.InvariantCulture)} slides, more than {options.MaxSlides.ToString("N0", CultureInfo.InvariantCulture)} (Annotate:Readers:MaxSlides)");
            }

            var blocks = new List<Block>();
            var outline = new List<OutlineEntry>();
            var pages = new List<string>();
            var tables = 0;
            long cells = 0;
            var number = 0;
            string? firstTitle = null;
            foreach (var slideId in slideIds)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (slideId.RelationshipId?.Value is not { } relationship || presentation.GetPartById(relationship) is not SlidePart slidePart)
                {
                    continue;
                }
                number++;
                var start = blocks.Count;
                OpenXmlPackages.CheckWhole(slidePart, fileName, options);
                var slide = slidePart.Slide;
                var shapes = new List<(long Y, long X, int Order, OpenXmlElement Shape)>();
                if (slide?.CommonSlideData?.ShapeTree is { } tree)
                {
                    Collect(tree, shapes, depth: 0);
                }
                var title = shapes.Select(s => s.Shape).OfType<Shape>().FirstOrDefault(IsTitle);
                var titleText = title is null ? null : Text(title.TextBody);
                var hidden = slide?.Show?.Value == false;
                firstTitle ??= string.IsNullOrWhiteSpace(titleText) ? null : OneLine(titleText);
                var heading = (string.IsNullOrWhiteSpace(titleText) ? $"Slide {number}" : $"Slide {number}: {OneLine(titleText)}")
                    + (hidden ? " (hidden)" : string.Empty);
                Add(blocks, new HeadingBlock(2, heading), number);
                outline.Add(new OutlineEntry(heading, 2, number));
                foreach (var (_, _, _, shape) in shapes.OrderBy(s => s.Y).ThenBy(s => s.X).ThenBy(s => s.Order))
                {
                    switch (shape)
                    {
                        case Shape text when !ReferenceEquals(text, title):
                            AddTextBody(blocks, text.TextBody, number);
                            break;
                        case GraphicFrame frame when frame.Descendants<A.Table>().FirstOrDefault() is { } table:
                            AddTable(blocks, table, number, ++tables, ref cells, fileName, options);
                            break;
                    }
                }
                if (slidePart.NotesSlidePart is { } notesPart)
                {
                    OpenXmlPackages.CheckWhole(notesPart, fileName, options);
                    var notes = notesPart.NotesSlide?.CommonSlideData?.ShapeTree?.Elements<Shape>()
                        .Where(s => s.NonVisualShapeProperties?.ApplicationNonVisualDrawingProperties?.PlaceholderShape?.Type?.Value == PlaceholderValues.Body)
                        .Select(s => Text(s.TextBody))
                        .Where(t => !string.IsNullOrWhiteSpace(t))
                        .ToList() ?? [];
                    if (notes.Count > 0)
                    {
                        Add(blocks, new ParagraphBlock(string.Join("\n", notes).Trim()) { Role = BlockRole.SpeakerNotes }, number);
                    }
                }
                pages.Add(string.Join("\n\n", blocks.Skip(start).Select(b => b.Text)));
            }

            var properties = OpenXmlPackages.ReadProperties(deck, fileName, options);
            return new Document
            {
                FileName = fileName,
                Format = SourceFormat.Pptx,
                SizeBytes = source.Length,
                // A deck's title is the one its properties give, else its first slide's.
                Properties = properties with { PageCount = number, Title = properties.Title ?? firstTitle },
                Blocks = blocks,
                Outline = outline,
                Pages = pages,
            };
        }
        catch (Exception ex) when (OpenXmlPackages.IsDamaged(ex))
        {
            throw new AnnotationException(FailureReason.Corrupt,
                $"'{fileName}' is not a readable slide deck (damaged or truncated): {ex.Message}", inner: ex);
        }
    }

    /// <summary>Shapes and tables of a shape tree with their position; group shapes are opened (their children are placed in the group's frame).</summary>
    private static void Collect(OpenXmlCompositeElement tree, List<(long Y, long X, int Order, OpenXmlElement Shape)> shapes, int depth)
    {
        foreach (var element in tree.Elements())
        {
            switch (element)
            {
                case Shape shape:
                    var offset = shape.ShapeProperties?.Transform2D?.Offset;
                    shapes.Add((Placed(offset?.Y, shape), offset?.X?.Value ?? 0, shapes.Count, shape));
                    break;
                case GraphicFrame frame:
                    var at = frame.Transform?.Offset;
                    shapes.Add((at?.Y?.Value ?? long.MaxValue / 2, at?.X?.Value ?? 0, shapes.Count, frame));
                    break;
                case GroupShape group when depth < MaxGroupDepth:
                    Collect(group, shapes, depth + 1);
                    break;
            }
        }
    }

    // A placeholder without its own position sits where its layout puts it: titles on top, bodies below.
    private static long Placed(Int64Value? y, Shape shape) =>
        y?.Value ?? (IsTitle(shape) ? long.MinValue / 2 : long.MaxValue / 4);

    private static bool IsTitle(Shape shape) =>
        shape.NonVisualShapeProperties?.ApplicationNonVisualDrawingProperties?.PlaceholderShape?.Type?.Value is { } type
        && (type == PlaceholderValues.Title || type == PlaceholderValues.CenteredTitle);

    /// <summary>A text frame: its paragraphs as one paragraph block, or as a list when they are bulleted items at several levels.</summary>
    private static void AddTextBody(List<Block> blocks, OpenXmlCompositeElement? body, int slide)
    {
        if (body is null)
        {
            return;
        }
        var lines = body.Elements<A.Paragraph>().Select(ParagraphText).Where(l => !string.IsNullOrWhiteSpace(l)).Select(l => l.Trim()).ToList();
        if (lines.Count == 0)
        {
            return;
        }
        // Slide bodies are bullet points in all but name: several lines read as a list, one line as a paragraph.
        Add(blocks, lines.Count > 1 ? new ListBlock(false, lines) : new ParagraphBlock(lines[0]), slide);
    }

    private static void AddTable(List<Block> blocks, A.Table table, int slide, int index, ref long cells, string fileName, ReaderOptions options)
    {
        var rows = table.Elements<A.TableRow>()
            .Select(r => r.Elements<A.TableCell>().Select(c => OneLine(Text(c.TextBody))).ToList())
            .Where(r => r.Count > 0)
            .ToList();
        if (rows.Count == 0)
        {
            return;
        }
        var width = rows.Max(r => r.Count);
        cells += (long)rows.Count * width;
        if (cells > options.MaxDocxTableCells)
        {
            throw ZipPackageLimits.TooLarge(fileName,
                $"its tables hold more than {options.MaxDocxTableCells.ToString("N0", CultureInfo.InvariantCulture)} cells (Annotate:Readers:MaxDocxTableCells)");
        }
        var header = rows[0];
        Add(blocks, new TableBlock
        {
            Name = $"Table{index}",
            Columns = Enumerable.Range(0, width).Select(i => i < header.Count && header[i].Length > 0 ? header[i] : $"Column{i + 1}").ToList(),
            HasHeaderRow = true,
            Rows = new InMemoryRows(rows.Skip(1)
                .Select((r, i) => new Documents.TableRow(i + 2,
                    Enumerable.Range(0, width).Select(c => c < r.Count ? CellValueParser.Parse(r[c]) : CellValue.Empty).ToList()))
                .ToList()),
        }, slide);
    }

    private static void Add(List<Block> blocks, Block block, int slide) =>
        blocks.Add(block with { Location = new SourceLocation { Page = slide, Block = blocks.Count } });

    private static string Text(OpenXmlCompositeElement? body) =>
        body is null ? string.Empty : string.Join("\n", body.Elements<A.Paragraph>().Select(ParagraphText)).Trim();

    private static string ParagraphText(A.Paragraph paragraph)
    {
        var text = new System.Text.StringBuilder();
        foreach (var element in paragraph.Elements())
        {
            switch (element)
            {
                case A.Run run:
                    text.Append(run.Text?.Text);
                    break;
                case A.Field field:
                    text.Append(field.Text?.Text);
                    break;
                case A.Break:
                    text.Append('\n');
                    break;
            }
        }
        return text.ToString();
    }

    private static string OneLine(string text) => string.Join(' ', text.Split((char[])['\n', '\r', '\v'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
