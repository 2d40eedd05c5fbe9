using System.Globalization;
using System.Text;
using Annotate.Annotators.Builtin;

namespace Annotate.Annotators.Embeddings;

/// <summary>Prepares text the way the encoder's training tokenizer saw it, and cuts long token sequences into windows.</summary>
internal static class EncoderText
{
    /// <summary>
    /// Lower-cases, strips accents and spaces out CJK ideographs, as the uncased BERT tokenizer the model was trained
    /// with does; the packaged tokenizer does neither, which turns <c>café</c> into <c>caf [UNK]</c> and a whole Chinese
    /// phrase into one <c>[UNK]</c>. Whitespace runs become one space; characters outside the basic plane (emoji) go,
    /// as the vocabulary has none of them. Text beyond <paramref name="maxCharacters"/> is cut.
    /// </summary>
    public static string Prepare(string text, int maxCharacters)
    {
        if (text.Length > maxCharacters)
        {
            text = text[..maxCharacters];
        }
        var decomposed = text.Normalize(NormalizationForm.FormD);
        var builder = new StringBuilder(decomposed.Length);
        var pendingSpace = false;
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
            {
                continue;
            }
            if (char.IsWhiteSpace(c) || char.IsControl(c) || char.IsSurrogate(c))
            {
                pendingSpace = builder.Length > 0;
                continue;
            }
            var ideograph = IsIdeograph(c);
            if (pendingSpace || ideograph && builder.Length > 0 && builder[^1] != ' ')
            {
                builder.Append(' ');
            }
            pendingSpace = ideograph;
            builder.Append(char.ToLowerInvariant(c));
        }
        return builder.ToString().Normalize(NormalizationForm.FormC);
    }

    // The tokenizer reads Hangul syllables one by one too.
    private static bool IsIdeograph(char c) => TextCounting.IsWrittenWithoutSpaces(c) || c is >= '\uAC00' and <= '\uD7AF';

    /// <summary>
    /// Cuts word pieces (without [CLS] and [SEP]) into windows of at most <paramref name="windowTokens"/>, never inside a
    /// word, and returns each window's text and its number of pieces. Unknown pieces are left out: written back as
    /// <c>[UNK]</c> they would be read as three tokens.
    /// </summary>
    public static List<(string Text, int Tokens)> Windows(IReadOnlyList<string> pieces, int windowTokens, int maxWindows)
    {
        var windows = new List<(string, int)>();
        var start = 0;
        while (start < pieces.Count && windows.Count < maxWindows)
        {
            var end = Math.Min(start + windowTokens, pieces.Count);
            if (end < pieces.Count)
            {
                var wordStart = end;
                while (wordStart > start + 1 && pieces[wordStart].StartsWith("##", StringComparison.Ordinal))
                {
                    wordStart--;
                }
                // A single word longer than a window is cut inside it rather than not at all.
                end = pieces[wordStart].StartsWith("##", StringComparison.Ordinal) ? end : wordStart;
            }
            var words = new StringBuilder();
            for (var i = start; i < end; i++)
            {
                var piece = pieces[i];
                if (piece == "[UNK]")
                {
                    continue;
                }
                if (piece.StartsWith("##", StringComparison.Ordinal) && words.Length > 0)
                {
                    words.Append(piece.AsSpan(2));
                }
                else
                {
                    if (words.Length > 0)
                    {
                        words.Append(' ');
                    }
                    words.Append(piece);
                }
            }
            windows.Add((words.ToString(), end - start));
            start = end;
        }
        return windows;
    }
}
