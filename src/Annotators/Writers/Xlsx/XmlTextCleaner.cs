using System.Buffers;
using System.Globalization;
using System.Text;
using Annotate.Annotators.Documents;

namespace Annotate.Annotators.Writers.Xlsx;

/// <summary>
/// Removes the characters XML 1.0 cannot hold (C0 controls other than tab, CR and LF; U+FFFE and U+FFFF; unpaired
/// surrogates) from text bound for a workbook part, and counts them per sheet so the writer can say what it removed and
/// where. A CSV or a model answer may hold a stray NUL; the XML writer would otherwise refuse the whole workbook.
/// </summary>
internal sealed class XmlTextCleaner
{
    /// <summary>Code of the notice raised when characters were removed.</summary>
    public const string NoticeCode = "xml-characters-removed";

    // Every character that may need removing; surrogates are only suspects, since a well-formed pair is kept.
    private static readonly SearchValues<char> Suspects = SearchValues.Create(
        "\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u000B\u000C\u000E\u000F"
        + "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F"
        + "\uFFFE\uFFFF" + string.Concat(Enumerable.Range(0xD800, 0x800).Select(c => (char)c)));

    private readonly List<SheetTally> _sheets = [];

    /// <summary>Characters removed so far.</summary>
    public long Removed => _sheets.Sum(s => s.Count);

    /// <summary>The text without the characters XML 1.0 cannot hold; <paramref name="text"/> itself when it has none.</summary>
    public static string Strip(string text, out int removed)
    {
        removed = 0;
        var first = text.AsSpan().IndexOfAny(Suspects);
        if (first < 0)
        {
            return text;
        }
        var builder = new StringBuilder(text.Length);
        builder.Append(text, 0, first);
        for (var i = first; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                builder.Append(c).Append(text[i + 1]);
                i++;
            }
            else if (IsXmlChar(c))
            {
                builder.Append(c);
            }
            else
            {
                removed++;
            }
        }
        return removed == 0 ? text : builder.ToString();
    }

    /// <summary>Strips <paramref name="text"/> and counts what was removed against the sheet and cell it goes to.</summary>
    public string Clean(string text, string sheet, string cell) => Clean(text, sheet, cell, null, 0);

    /// <summary>As <see cref="Clean(string, string, string)"/>, for column <paramref name="column"/> of the row <paramref name="writer"/> has open.</summary>
    internal string Clean(string text, string sheet, SheetXmlWriter writer, int column) => Clean(text, sheet, null, writer, column);

    private string Clean(string text, string sheet, string? cell, SheetXmlWriter? writer, int column)
    {
        var clean = Strip(text, out var removed);
        if (removed > 0)
        {
            var tally = _sheets.Find(s => s.Sheet == sheet);
            if (tally is null)
            {
                // The cell's reference is made only here, for the notice: the writers clean every cell they write.
                _sheets.Add(tally = new SheetTally(sheet, cell ?? writer!.Reference(column)));
            }
            tally.Count += removed;
        }
        return clean;
    }

    /// <summary>Where characters were removed, e.g. <c>3 in sheet 'Data' (first at B1025)</c>; null when none were.</summary>
    public string? Describe() =>
        _sheets.Count == 0
            ? null
            : string.Join("; ", _sheets.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Count:N0} in sheet '{s.Sheet}' (first at {s.FirstCell})")));

    /// <summary>The notice telling the user what <paramref name="outputFile"/> leaves out; null when nothing was removed.</summary>
    public Notice? ToNotice(string outputFile, string source) =>
        Describe() is { } where
            ? new Notice(NoticeCode, string.Create(CultureInfo.InvariantCulture,
                $"{outputFile} leaves out {Removed:N0} characters XML cannot hold (control characters such as NUL, or broken surrogates) that the document's text has: {where}. The other outputs keep them."))
            { Source = source }
            : null;

    private static bool IsXmlChar(char c) => c is '\t' or '\n' or '\r' || (c >= ' ' && c is not ('\uFFFE' or '\uFFFF') && !char.IsSurrogate(c));

    private sealed class SheetTally(string sheet, string firstCell)
    {
        public string Sheet { get; } = sheet;
        public string FirstCell { get; } = firstCell;
        public long Count { get; set; }
    }
}
