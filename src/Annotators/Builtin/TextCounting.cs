namespace Annotate.Annotators.Builtin;

/// <summary>Word, letter and character counting shared by the annotators, so their numbers agree.</summary>
internal static class TextCounting
{
    /// <summary>
    /// Moves <paramref name="position"/> past the next run of letters in <paramref name="text"/>, giving where it
    /// starts; false when no letter is left.
    /// </summary>
    public static bool NextLetterRun(ReadOnlySpan<char> text, ref int position, out int start)
    {
        while (position < text.Length && !char.IsLetter(text[position]))
        {
            position++;
        }
        start = position;
        while (position < text.Length && char.IsLetter(text[position]))
        {
            position++;
        }
        return position > start;
    }

    /// <summary>Words: runs of non-white-space characters that hold at least one letter or digit.</summary>
    public static int CountWords(ReadOnlySpan<char> text)
    {
        var words = 0;
        var inWord = false;
        var wordHasContent = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                if (inWord && wordHasContent)
                {
                    words++;
                }
                inWord = false;
                wordHasContent = false;
            }
            else
            {
                inWord = true;
                wordHasContent |= char.IsLetterOrDigit(c);
            }
        }
        return inWord && wordHasContent ? words + 1 : words;
    }

    /// <summary>Characters other than line breaks.</summary>
    public static int CountCharacters(ReadOnlySpan<char> text)
    {
        var count = text.Length;
        foreach (var c in text)
        {
            if (c is '\n' or '\r')
            {
                count--;
            }
        }
        return count;
    }

    /// <summary>Letters (any script).</summary>
    public static int CountLetters(ReadOnlySpan<char> text)
    {
        var count = 0;
        foreach (var c in text)
        {
            if (char.IsLetter(c))
            {
                count++;
            }
        }
        return count;
    }

    /// <summary>Decimal digits (any script), as <see cref="char.IsDigit(char)"/> tells them.</summary>
    public static int CountDigits(ReadOnlySpan<char> text)
    {
        var count = 0;
        foreach (var c in text)
        {
            if (char.IsDigit(c))
            {
                count++;
            }
        }
        return count;
    }

    /// <summary>Whether the text has a letter (any script): without enumerating a string through an interface.</summary>
    public static bool HasLetter(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (char.IsLetter(c))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Whether the text has a decimal digit (any script).</summary>
    public static bool HasDigit(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (char.IsDigit(c))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>A character of a script written without spaces between words: Chinese ideographs, Japanese kana (Korean has spaces).</summary>
    public static bool IsWrittenWithoutSpaces(char c) =>
        c is >= '\u4E00' and <= '\u9FFF' or >= '\u3400' and <= '\u4DBF' or >= '\uF900' and <= '\uFAFF' or >= '\u3040' and <= '\u30FF';
}
