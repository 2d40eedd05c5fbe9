namespace Annotate.Annotators.Readers.Xlsx;

/// <summary>
/// Tells whether a number format shows a date or time. Spreadsheets store dates as serial numbers, so the
/// number format is the only thing that makes a cell a date.
/// </summary>
internal static class NumberFormats
{
    /// <summary>True for built-in date/time formats (14–22, 45–47) and custom formats with date or time parts.</summary>
    public static bool IsDate(int numberFormatId, string? formatCode)
    {
        if (numberFormatId is >= 14 and <= 22 or >= 45 and <= 47)
        {
            return true;
        }
        return !string.IsNullOrEmpty(formatCode) && IsDateFormatCode(formatCode);
    }

    /// <summary>
    /// Looks for d, m, y, h or s outside quoted literals, escapes and bracketed sections (colours, locales,
    /// conditions); elapsed-time brackets like <c>[h]</c> count as time.
    /// </summary>
    public static bool IsDateFormatCode(string code)
    {
        // Only the first section (positive numbers) decides how a positive serial is shown.
        for (var i = 0; i < code.Length; i++)
        {
            var c = code[i];
            switch (c)
            {
                case ';':
                    return false;
                case '"':
                    i = code.IndexOf('"', i + 1);
                    if (i < 0)
                    {
                        return false;
                    }
                    break;
                case '\\' or '_' or '*':
                    i++;
                    break;
                case '[':
                    var end = code.IndexOf(']', i + 1);
                    if (end < 0)
                    {
                        return false;
                    }
                    var inside = code.AsSpan(i + 1, end - i - 1);
                    if (inside.Length > 0 && inside.TrimStart("hHmMsS").IsEmpty)
                    {
                        return true;
                    }
                    i = end;
                    break;
                default:
                    if (char.ToLowerInvariant(c) is 'd' or 'm' or 'y' or 'h' or 's')
                    {
                        return true;
                    }
                    if (c is 'e' or 'E' && i + 1 < code.Length && code[i + 1] is '+' or '-')
                    {
                        return false; // scientific notation
                    }
                    break;
            }
        }
        return false;
    }
}
