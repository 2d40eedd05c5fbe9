using DocumentFormat.OpenXml.Spreadsheet;

namespace Annotate.Annotators.Readers.Xlsx;

/// <summary>Per cell-style index: whether it formats numbers as dates and whether its font is bold.</summary>
internal sealed class StreamingStyles(bool[] dates, bool[] bold)
{
    public bool IsDate(int styleIndex) => styleIndex >= 0 && styleIndex < dates.Length && dates[styleIndex];

    public bool IsBold(int styleIndex) => styleIndex >= 0 && styleIndex < bold.Length && bold[styleIndex];

    public static StreamingStyles Read(Stylesheet? stylesheet)
    {
        if (stylesheet?.CellFormats is null)
        {
            return new StreamingStyles([], []);
        }
        var codes = stylesheet.NumberingFormats?.Elements<NumberingFormat>()
            .Where(f => f.NumberFormatId is not null)
            .GroupBy(f => f.NumberFormatId!.Value)
            .ToDictionary(g => g.Key, g => g.First().FormatCode?.Value) ?? [];
        var fonts = stylesheet.Fonts?.Elements<Font>().Select(IsBold).ToArray() ?? [];
        var formats = stylesheet.CellFormats.Elements<CellFormat>().ToList();
        var dates = new bool[formats.Count];
        var bold = new bool[formats.Count];
        for (var i = 0; i < formats.Count; i++)
        {
            var id = formats[i].NumberFormatId?.Value ?? 0;
            dates[i] = NumberFormats.IsDate((int)id, codes.GetValueOrDefault(id));
            var font = (int)(formats[i].FontId?.Value ?? 0);
            bold[i] = font < fonts.Length && fonts[font];
        }
        return new StreamingStyles(dates, bold);
    }

    private static bool IsBold(Font font) => font.Bold is { } b && (b.Val is null || b.Val.Value);
}
