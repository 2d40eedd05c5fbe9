using System.Runtime.CompilerServices;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Filters;
using UglyToad.PdfPig.Geometry;
using UglyToad.PdfPig.Graphics;
using UglyToad.PdfPig.Graphics.Operations;
using UglyToad.PdfPig.Outline.Destinations;
using UglyToad.PdfPig.Parser;
using UglyToad.PdfPig.PdfFonts;
using UglyToad.PdfPig.Tokenization.Scanner;
using UglyToad.PdfPig.Tokens;
using UglyToad.PdfPig.Util;

namespace Annotate.Annotators.Readers.Pdf;

/// <summary>
/// A glyph as PdfPig places it on the page, with what the layout reads of a <see cref="Letter"/>, held in a list of
/// values instead of an object per glyph (a long PDF has millions).
/// </summary>
/// <param name="Value">The text of the glyph.</param>
/// <param name="BoundingBox">The glyph's box, or its advance box when the glyph has no ink.</param>
/// <param name="StartBaseLine">Where the glyph's baseline starts.</param>
/// <param name="EndBaseLine">Where it ends (after the advance).</param>
/// <param name="Width">The advance.</param>
/// <param name="PointSize">The size in points as drawn.</param>
/// <param name="FontDetails">The font's name and weight.</param>
/// <param name="TextSequence">The text object the glyph was drawn in (a diacritic joins a letter of the same one).</param>
internal readonly record struct PdfGlyph(string Value, PdfRectangle BoundingBox, PdfPoint StartBaseLine, PdfPoint EndBaseLine,
    double Width, double PointSize, FontDetails? FontDetails, int TextSequence)
{
    /// <summary>The direction of the text, as <see cref="Letter.TextOrientation"/> tells it.</summary>
    public TextOrientation TextOrientation { get; } = Orientation(StartBaseLine, EndBaseLine, BoundingBox);

    /// <summary>The font's name.</summary>
    public string? FontName => FontDetails?.Name;

    private static TextOrientation Orientation(PdfPoint start, PdfPoint end, PdfRectangle box)
    {
        if (Math.Abs(start.Y - end.Y) < 0.0001)
        {
            return Math.Abs(start.X - end.X) < 0.0001 ? ByRotation(box)
                : start.X > end.X ? TextOrientation.Rotate180 : TextOrientation.Horizontal;
        }
        if (Math.Abs(start.X - end.X) < 0.0001)
        {
            return start.Y > end.Y ? TextOrientation.Rotate90 : TextOrientation.Rotate270;
        }
        return TextOrientation.Other;
    }

    private static TextOrientation ByRotation(PdfRectangle box)
    {
        var rotation = box.Rotation;
        if (Math.Abs(rotation % 90) >= 0.0001)
        {
            return TextOrientation.Other;
        }
        return (int)Math.Round(rotation, MidpointRounding.AwayFromZero) switch
        {
            0 => TextOrientation.Horizontal,
            -90 => TextOrientation.Rotate90,
            -180 or 180 => TextOrientation.Rotate180,
            90 => TextOrientation.Rotate270,
            _ => TextOrientation.Other,
        };
    }
}

/// <summary>A page's glyphs in content-stream order, its visible size and its images, without PdfPig's page object.</summary>
internal sealed class PdfGlyphPage
{
    public required int Number { get; init; }

    /// <summary>Width of the visible page in points (its crop box, turned by its rotation).</summary>
    public required double Width { get; init; }

    /// <summary>Height of the visible page in points.</summary>
    public required double Height { get; init; }

    /// <summary>
    /// The glyphs in content-stream order. The list is the document's, handed to each page read from it in turn (a
    /// page's glyphs are ~140 bytes each, so a new list per page would grow in the large-object heap and bring on full
    /// collections): read it before the next page of the same document.
    /// </summary>
    public required List<PdfGlyph> Glyphs { get; init; }

    /// <summary>Images drawn on the page (each time one is drawn).</summary>
    public int NumberOfImages { get; set; }

    /// <summary>The area the images cover, in square points, overlaps counted twice.</summary>
    public double ImageArea { get; set; }
}

/// <summary>
/// Reads pages as <see cref="PdfGlyphPage"/>s through PdfPig's page-factory hook: its content-stream processor, with the
/// letter geometry of PdfPig's own (the same boxes, baselines, combined diacritics and replacement text), but without
/// a <see cref="Letter"/> per glyph and without building the page's vector paths, which the layout does not read (so
/// PdfPig's <see cref="ParsingOptions.ClipPaths"/>, which drops glyphs outside the clipping path, does not apply here).
/// </summary>
internal static class PdfGlyphs
{
    private static readonly ConditionalWeakTable<PdfDocument, object> Prepared = [];

    /// <summary>Page <paramref name="number"/> of <paramref name="document"/> (a document is used by one thread at a time).</summary>
    public static PdfGlyphPage Page(PdfDocument document, int number)
    {
        if (Prepared.TryAdd(document, Prepared))
        {
            document.AddPageFactory<PdfGlyphPage, Factory>();
        }
        return document.GetPage<PdfGlyphPage>(number);
    }

    /// <summary>Made by PdfPig (by its constructor's parameters) once per document.</summary>
    private sealed class Factory(IPdfTokenScanner pdfScanner, IResourceStore resourceStore, ILookupFilterProvider filterProvider,
        IPageContentParser pageContentParser, ParsingOptions parsingOptions)
        : BasePageFactory<PdfGlyphPage>(pdfScanner, PdfFontSharing.Wrap(resourceStore, pdfScanner), filterProvider,
            new PdfContentParser(pageContentParser), parsingOptions)
    {
        private readonly List<PdfGlyph> _glyphs = [];

        protected override PdfGlyphPage ProcessPage(int pageNumber, DictionaryToken dictionary, NamedDestinations namedDestinations,
            MediaBox mediaBox, CropBox cropBox, UserSpaceUnit userSpaceUnit, PageRotationDegrees rotation, TransformationMatrix initialMatrix,
            IReadOnlyList<IGraphicsStateOperation> operations)
        {
            var visible = cropBox.GetVisibleBounds(rotation);
            _glyphs.Clear();
            var page = new PdfGlyphPage { Number = pageNumber, Width = visible.Width, Height = visible.Height, Glyphs = _glyphs };
            if (operations is { Count: > 0 })
            {
                new Processor(page, ResourceStore, PdfScanner, PageContentParser, FilterProvider, cropBox, userSpaceUnit, rotation,
                    initialMatrix, ParsingOptions).Process(pageNumber, operations);
            }
            return page;
        }
    }

    private sealed class Processor(PdfGlyphPage page, IResourceStore resourceStore, IPdfTokenScanner pdfScanner,
        IPageContentParser pageContentParser, ILookupFilterProvider filterProvider, CropBox cropBox, UserSpaceUnit userSpaceUnit,
        PageRotationDegrees rotation, TransformationMatrix initialMatrix, ParsingOptions parsingOptions)
        : BaseStreamProcessor<PdfGlyphPage>(page.Number, resourceStore, pdfScanner, pageContentParser, filterProvider, cropBox,
            userSpaceUnit, rotation, in initialMatrix, parsingOptions)
    {
        // Replacement text (/ActualText) of the marked-content sequence being drawn, as PdfPig applies it when asked to.
        private string? _actualText;
        private bool _firstActualTextGlyph;

        public override PdfGlyphPage Process(int pageNumberCurrent, IReadOnlyList<IGraphicsStateOperation> operations)
        {
            PageNumber = pageNumberCurrent;
            CloneAllStates();
            ProcessOperations(operations);
            return page;
        }

        public override void RenderGlyph(IFont font, CurrentGraphicsState currentState, double fontSize, double pointSize, int code,
            string unicode, long currentOffset, in TransformationMatrix renderingMatrix, in TransformationMatrix textMatrix,
            in TransformationMatrix transformationMatrix, CharacterBoundingBox characterBoundingBox)
        {
            if (_actualText is not null)
            {
                unicode = _firstActualTextGlyph ? _actualText : string.Empty;
                _firstActualTextGlyph = false;
            }
            var glyphBounds = Transform(renderingMatrix, textMatrix, transformationMatrix, characterBoundingBox.GlyphBounds);
            var glyphs = page.Glyphs;
            if (Diacritics.IsInCombiningDiacriticRange(unicode) && currentOffset > 0 && glyphs.Count > 0)
            {
                var attachTo = glyphs[^1];
                if (attachTo.TextSequence == TextSequence && Diacritics.TryCombineDiacriticWithPreviousLetter(unicode, attachTo.Value, out var combined))
                {
                    glyphs[^1] = attachTo with { Value = combined };
                    return;
                }
            }
            var hasInk = glyphBounds.Width > double.Epsilon || glyphBounds.Height > double.Epsilon;
            // The advance box, PdfRectangle(0, 0, width, units), corner by corner.
            var (width, units) = (characterBoundingBox.Width, UserSpaceUnit.PointMultiples);
            var advance = new PdfRectangle(Apply(renderingMatrix, textMatrix, transformationMatrix, 0, units),
                Apply(renderingMatrix, textMatrix, transformationMatrix, width, units),
                Apply(renderingMatrix, textMatrix, transformationMatrix, 0, 0),
                Apply(renderingMatrix, textMatrix, transformationMatrix, width, 0));
            glyphs.Add(new PdfGlyph(unicode, hasInk ? glyphBounds : advance, advance.BottomLeft, advance.BottomRight, advance.Width,
                pointSize, font.Details, TextSequence));
        }

        /// <summary>
        /// <paramref name="box"/> under the three matrices as PdfPig's <see cref="PerformantRectangleTransformer"/> places
        /// it (the same operations on each corner in the same order: the same bits), without copying rectangles through it.
        /// </summary>
        private static PdfRectangle Transform(in TransformationMatrix first, in TransformationMatrix second, in TransformationMatrix third,
            in PdfRectangle box) =>
            new(Apply(first, second, third, box.TopLeft.X, box.TopLeft.Y), Apply(first, second, third, box.TopRight.X, box.TopRight.Y),
                Apply(first, second, third, box.BottomLeft.X, box.BottomLeft.Y), Apply(first, second, third, box.BottomRight.X, box.BottomRight.Y));

        /// <summary>A point under the three matrices, first to third, as <see cref="PerformantRectangleTransformer"/> moves a corner.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static PdfPoint Apply(in TransformationMatrix first, in TransformationMatrix second, in TransformationMatrix third, double x, double y)
        {
            var (x1, y1) = (first.A * x + first.C * y + first.E, first.B * x + first.D * y + first.F);
            var (x2, y2) = (second.A * x1 + second.C * y1 + second.E, second.B * x1 + second.D * y1 + second.F);
            return new PdfPoint(third.A * x2 + third.C * y2 + third.E, third.B * x2 + third.D * y2 + third.F);
        }

        protected override void RenderXObjectImage(XObjectContentRecord xObjectContentRecord)
        {
            // Where PdfPig's image would be: the unit square under the image's transformation (no need to decode its dictionary).
            var bounds = xObjectContentRecord.AppliedTransformation.Transform(new PdfRectangle(new PdfPoint(0, 0), new PdfPoint(1, 1)));
            AddImage(bounds);
        }

        protected override void RenderInlineImage(InlineImage inlineImage) => AddImage(inlineImage.BoundingBox);

        private void AddImage(PdfRectangle bounds)
        {
            page.NumberOfImages++;
            page.ImageArea += Math.Abs(bounds.Width * bounds.Height);
        }

        public override void BeginMarkedContent(NameToken name, NameToken? propertyDictionaryName, DictionaryToken? properties)
        {
            if (!ParsingOptions.UseActualText)
            {
                return;
            }
            if (propertyDictionaryName is not null)
            {
                properties = ResourceStore.GetMarkedContentPropertiesDictionary(propertyDictionaryName) ?? properties;
            }
            if (properties is not null && properties.TryGet<IDataToken<string>>(NameToken.ActualText, PdfScanner, out var text))
            {
                _actualText = text.Data?.Replace("\u00ad", string.Empty, StringComparison.Ordinal);
                _firstActualTextGlyph = true;
            }
            else
            {
                _actualText = null;
            }
        }

        public override void EndMarkedContent() => _actualText = null;

        // The layout reads text and images only: paths, clipping and shadings are not built (nor the pen position,
        // which only path construction reads).
        public override void BeginSubpath()
        {
        }

        public override PdfPoint? CloseSubpath() => null;

        public override void StrokePath(bool close)
        {
        }

        public override void FillPath(FillingRule fillingRule, bool close)
        {
        }

        public override void FillStrokePath(FillingRule fillingRule, bool close)
        {
        }

        public override void MoveTo(double x, double y)
        {
        }

        public override void BezierCurveTo(double x2, double y2, double x3, double y3)
        {
        }

        public override void BezierCurveTo(double x1, double y1, double x2, double y2, double x3, double y3)
        {
        }

        public override void LineTo(double x, double y)
        {
        }

        public override void Rectangle(double x, double y, double width, double height)
        {
        }

        public override void EndPath()
        {
        }

        public override void ClosePath()
        {
        }

        public override void ModifyClippingIntersect(FillingRule clippingRule)
        {
        }

        protected override void ClipToRectangle(PdfRectangle rectangle, FillingRule clippingRule)
        {
        }

        public override void PaintShading(NameToken shading)
        {
        }
    }
}
