using System.Diagnostics.CodeAnalysis;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.PdfFonts;
using UglyToad.PdfPig.Tokens;

namespace Annotate.Annotators.Readers.Pdf;

/// <summary>
/// A loaded font that keeps what PdfPig asks of it for every glyph drawn: the glyph's box and its text by character code.
/// PdfPig's standard-14 fonts look both up by glyph name for every glyph and make a new box object each time (on a
/// 500-page text file two fifths of what a read allocates, a tenth of its time); these are asked again for every
/// letter of a page and do not change, so each code is asked of the font once per document.
/// </summary>
/// <remarks>
/// Type 3 fonts (glyph boxes found by running their glyph procedures) and vertical fonts (PdfPig asks them, through an interface of its own,
/// for more than <see cref="IFont"/>) are left as they are: <see cref="CanHold"/>.
/// </remarks>
internal sealed class PdfGlyphCache(IFont font) : IFont
{
    private const int Direct = 256;

    private readonly CharacterBoundingBox?[] _boxes = new CharacterBoundingBox?[Direct];
    private readonly Dictionary<int, CharacterBoundingBox> _moreBoxes = [];
    private readonly (bool Known, bool Found, string? Text)[] _texts = new (bool, bool, string?)[Direct];
    private readonly Dictionary<int, (bool Found, string? Text)> _moreTexts = [];

    /// <summary>Whether <paramref name="font"/> is one PdfPig asks only through <see cref="IFont"/>.</summary>
    public static bool CanHold(IFont font) => font is not IType3Font and not PdfGlyphCache && !font.IsVertical;

    public NameToken? Name => font.Name;

    public bool IsVertical => font.IsVertical;

    public FontDetails Details => font.Details;

    public int ReadCharacterCode(IInputBytes bytes, out int codeLength) => font.ReadCharacterCode(bytes, out codeLength);

    public bool TryGetUnicode(int characterCode, [NotNullWhen(true)] out string? value)
    {
        if ((uint)characterCode < Direct)
        {
            ref var known = ref _texts[characterCode];
            if (!known.Known)
            {
                known.Found = font.TryGetUnicode(characterCode, out known.Text);
                known.Known = true;
            }
            value = known.Text;
            return known.Found;
        }
        if (!_moreTexts.TryGetValue(characterCode, out var more))
        {
            more.Found = font.TryGetUnicode(characterCode, out more.Text);
            _moreTexts[characterCode] = more;
        }
        value = more.Text;
        return more.Found;
    }

    public CharacterBoundingBox GetBoundingBox(int characterCode)
    {
        if ((uint)characterCode < Direct)
        {
            return _boxes[characterCode] ??= font.GetBoundingBox(characterCode);
        }
        if (!_moreBoxes.TryGetValue(characterCode, out var box))
        {
            box = font.GetBoundingBox(characterCode);
            _moreBoxes[characterCode] = box;
        }
        return box;
    }

    public TransformationMatrix GetFontMatrix() => font.GetFontMatrix();

    public double GetDescent() => font.GetDescent();

    public double GetAscent() => font.GetAscent();

    public bool TryGetPath(int characterCode, [NotNullWhen(true)] out IReadOnlyList<PdfSubpath>? path) => font.TryGetPath(characterCode, out path);

    public bool TryGetNormalisedPath(int characterCode, [NotNullWhen(true)] out IReadOnlyList<PdfSubpath>? path) =>
        font.TryGetNormalisedPath(characterCode, out path);
}
