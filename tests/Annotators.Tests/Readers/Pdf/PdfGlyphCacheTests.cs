using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Annotate.Annotators.Readers.Pdf;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.PdfFonts;
using UglyToad.PdfPig.Tokens;

namespace Annotate.Annotators.Tests.Readers.Pdf;

public class PdfGlyphCacheTests
{
    [Fact]
    public void Each_code_s_box_and_text_are_asked_of_the_font_once_and_answered_the_same_every_time()
    {
        var font = new CountingFont();
        var cache = new PdfGlyphCache(font);
        int[] codes = [0, 65, 255, 256, 300, 0x4E2D, 65535];

        for (var round = 0; round < 3; round++)
        {
            foreach (var code in codes)
            {
                var box = cache.GetBoundingBox(code);
                var found = cache.TryGetUnicode(code, out var text);

                Assert.Equal(code * 10.0, box.Width);
                Assert.Equal(font.Boxes[code], box);
                Assert.Equal(code % 2 == 0, found);
                Assert.Equal(code % 2 == 0 ? char.ConvertFromUtf32(code + 1) : null, text);
            }
        }

        Assert.All(codes, code => Assert.Equal(1, font.BoxCalls[code]));
        Assert.All(codes, code => Assert.Equal(1, font.TextCalls[code]));
    }

    [Fact]
    public void What_is_not_asked_by_code_is_the_font_s_own()
    {
        var font = new CountingFont();
        var cache = new PdfGlyphCache(font);

        Assert.Same(font.Details, cache.Details);
        Assert.Equal(font.Name, cache.Name);
        Assert.Equal(font.GetFontMatrix(), cache.GetFontMatrix());
        Assert.Equal((font.GetAscent(), font.GetDescent()), (cache.GetAscent(), cache.GetDescent()));
        Assert.Equal(65, cache.ReadCharacterCode(new MemoryInputBytes(new byte[] { 65, 66 }), out var length));
        Assert.Equal(1, length);
    }

    [Fact]
    public void Vertical_fonts_and_caches_are_not_held_again()
    {
        Assert.True(PdfGlyphCache.CanHold(new CountingFont()));
        Assert.False(PdfGlyphCache.CanHold(new CountingFont { IsVertical = true }));
        Assert.False(PdfGlyphCache.CanHold(new PdfGlyphCache(new CountingFont())));
    }

    /// <summary>A font whose box for a code is as wide as ten times the code and whose even codes have text.</summary>
    private sealed class CountingFont : IFont
    {
        public Dictionary<int, CharacterBoundingBox> Boxes { get; } = [];

        public Dictionary<int, int> BoxCalls { get; } = [];

        public Dictionary<int, int> TextCalls { get; } = [];

        public NameToken? Name { get; } = NameToken.Create("Counting");

        public bool IsVertical { get; init; }

        public FontDetails Details { get; } = new("Counting", false, 400, false);

        public int ReadCharacterCode(IInputBytes bytes, out int codeLength)
        {
            codeLength = 1;
            bytes.MoveNext();
            return bytes.CurrentByte;
        }

        public bool TryGetUnicode(int characterCode, [NotNullWhen(true)] out string? value)
        {
            TextCalls[characterCode] = TextCalls.GetValueOrDefault(characterCode) + 1;
            value = characterCode % 2 == 0 ? char.ConvertFromUtf32(characterCode + 1) : null;
            return value is not null;
        }

        public CharacterBoundingBox GetBoundingBox(int characterCode)
        {
            BoxCalls[characterCode] = BoxCalls.GetValueOrDefault(characterCode) + 1;
            // A new object at every call, as PdfPig's standard fonts make: the cache must hand back the first.
            // (PdfPig makes its boxes itself: the constructor is its own.)
            var box = (CharacterBoundingBox)Activator.CreateInstance(typeof(CharacterBoundingBox), BindingFlags.Instance | BindingFlags.NonPublic,
                null, [new PdfRectangle(0, 0, characterCode, 1), characterCode * 10.0], null)!;
            Boxes.TryAdd(characterCode, box);
            return box;
        }

        public TransformationMatrix GetFontMatrix() => TransformationMatrix.FromValues(0.001, 0, 0, 0.001, 0, 0);

        public double GetDescent() => -0.2;

        public double GetAscent() => 0.8;

        public bool TryGetPath(int characterCode, [NotNullWhen(true)] out IReadOnlyList<PdfSubpath>? path)
        {
            path = null;
            return false;
        }

        public bool TryGetNormalisedPath(int characterCode, [NotNullWhen(true)] out IReadOnlyList<PdfSubpath>? path)
        {
            path = null;
            return false;
        }
    }
}
