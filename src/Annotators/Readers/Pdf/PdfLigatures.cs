using System.Text;

namespace Annotate.Annotators.Readers.Pdf;

/// <summary>
/// Expands the typographic ligatures of the Unicode block U+FB00–U+FB06 (ﬀ ﬁ ﬂ ﬃ ﬄ ﬅ ﬆ) into their letters, as
/// <c>pdftotext</c> does. PDF fonts map a ligature glyph to the single ligature character, which breaks search, the
/// entity patterns and the model's tokens ("misﬁts" is not "misfits").
/// </summary>
internal static class PdfLigatures
{
    private const char First = '\uFB00';
    private const char Last = '\uFB06';

    private static readonly string[] Expansions = ["ff", "fi", "fl", "ffi", "ffl", "st", "st"];

    /// <summary>The text with every ligature expanded; <paramref name="text"/> itself when it has none.</summary>
    public static string Expand(string text)
    {
        var first = text.AsSpan().IndexOfAnyInRange(First, Last);
        if (first < 0)
        {
            return text;
        }
        var expanded = new StringBuilder(text.Length + 8);
        expanded.Append(text, 0, first);
        for (var i = first; i < text.Length; i++)
        {
            var c = text[i];
            if (c is >= First and <= Last)
            {
                expanded.Append(Expansions[c - First]);
            }
            else
            {
                expanded.Append(c);
            }
        }
        return expanded.ToString();
    }
}
