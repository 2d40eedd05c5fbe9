using System.Globalization;
using System.Xml;

namespace Annotate.Annotators.Readers.Xlsx;

/// <summary>Per cell-style index: whether it formats numbers as dates and whether its font is bold.</summary>
internal sealed class StreamingStyles(bool[] dates, bool[] bold)
{
    /// <summary>
    /// Most fonts, number formats and cell formats kept from a styles part. Excel allows 64,000 cell formats; a part
    /// listing more is not from a spreadsheet application, and the extra entries would only cost memory.
    /// </summary>
    public const int MaxEntries = 1 << 16;

    public static StreamingStyles None { get; } = new([], []);

    public bool IsDate(int styleIndex) => styleIndex >= 0 && styleIndex < dates.Length && dates[styleIndex];

    public bool IsBold(int styleIndex) => styleIndex >= 0 && styleIndex < bold.Length && bold[styleIndex];

    /// <summary>Reads the number formats, fonts and cell formats (<c>cellXfs</c>) of a styles part; none when it is missing or empty.</summary>
    public static StreamingStyles Read(XmlReader? reader)
    {
        if (reader is null)
        {
            return None;
        }
        var dateFormats = new Dictionary<uint, bool>();
        var fonts = new List<bool>();
        var formats = new List<(uint NumberFormat, int Font)>();
        string? section = null;
        using (reader)
        {
            while (reader.Read())
            {
                if (!SpreadsheetNamespaces.IsMain(reader.NamespaceURI))
                {
                    continue;
                }
                if (reader.NodeType == XmlNodeType.EndElement)
                {
                    if (reader.LocalName is "numFmts" or "fonts" or "cellXfs")
                    {
                        section = null;
                    }
                    continue;
                }
                if (reader.NodeType != XmlNodeType.Element)
                {
                    continue;
                }
                switch (reader.LocalName)
                {
                    case "numFmts" or "fonts" or "cellXfs" when !reader.IsEmptyElement:
                        section = reader.LocalName;
                        break;
                    case "numFmt" when section == "numFmts" && dateFormats.Count < MaxEntries:
                        if (TryUInt(reader.GetAttribute("numFmtId"), out var id))
                        {
                            dateFormats.TryAdd(id, NumberFormats.IsDate((int)Math.Min(id, int.MaxValue), reader.GetAttribute("formatCode")));
                        }
                        break;
                    case "font" when section == "fonts" && fonts.Count < MaxEntries:
                        fonts.Add(false);
                        break;
                    case "b" when section == "fonts" && fonts.Count > 0:
                        fonts[^1] = reader.GetAttribute("val") is not ("0" or "false");
                        break;
                    case "xf" when section == "cellXfs" && formats.Count < MaxEntries:
                        formats.Add((TryUInt(reader.GetAttribute("numFmtId"), out var format) ? format : 0,
                            TryUInt(reader.GetAttribute("fontId"), out var font) ? (int)Math.Min(font, int.MaxValue) : 0));
                        break;
                }
            }
        }
        var dates = new bool[formats.Count];
        var bold = new bool[formats.Count];
        for (var i = 0; i < formats.Count; i++)
        {
            var (numberFormat, font) = formats[i];
            dates[i] = dateFormats.TryGetValue(numberFormat, out var isDate) ? isDate : NumberFormats.IsDate((int)Math.Min(numberFormat, int.MaxValue), null);
            bold[i] = font < fonts.Count && fonts[font];
        }
        return new StreamingStyles(dates, bold);
    }

    private static bool TryUInt(string? text, out uint value) =>
        uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
}
