using System.Xml.Linq;
using Annotate.Annotators.Writers.Xlsx;

namespace Annotate.Annotators.Tests.Writers.Xlsx;

public class SheetXmlWriterTests
{
    private static readonly XNamespace Main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";

    private static XDocument Write(Action<SheetXmlWriter> rows, int frozen = 0, double[]? widths = null)
    {
        var stream = new MemoryStream();
        using (var writer = new SheetXmlWriter(stream))
        {
            writer.FrozenRows(frozen);
            if (widths is not null)
            {
                writer.Columns(widths);
            }
            writer.StartSheetData();
            rows(writer);
            writer.Finish();
        }
        stream.Position = 0;
        return XDocument.Load(stream);
    }

    private static List<XElement> Cells(XDocument sheet) => [.. sheet.Descendants(Main + "c")];

    [Fact]
    public void Cells_of_every_kind_read_back_as_written()
    {
        const string text = "a < b & c > d \"quoted\" 'single'\ttab\nline € 𝄞 ä";
        var sheet = Write(w =>
        {
            w.StartRow(1);
            w.Text(1, "Header", 7);
            w.EndRow();
            w.StartRow(2);
            w.Number(1, 1234.5, 0);
            w.Number(2, -0.1, 3);
            w.Boolean(3, true, 0);
            w.Boolean(28, false, 0);
            w.Error(29, "#N/A");
            w.Text(30, text, 0);
            w.EndRow();
        }, frozen: 1, widths: [12.5, 40]);

        Assert.Equal(Main + "worksheet", sheet.Root!.Name);
        Assert.Equal("yes", sheet.Declaration!.Standalone);
        var pane = sheet.Descendants(Main + "pane").Single();
        Assert.Equal(("1", "A2", "frozen"), ((string)pane.Attribute("ySplit")!, (string)pane.Attribute("topLeftCell")!, (string)pane.Attribute("state")!));
        Assert.Equal(["12.5", "40"], sheet.Descendants(Main + "col").Select(c => (string)c.Attribute("width")!));
        Assert.Equal(["1", "2"], sheet.Descendants(Main + "row").Select(r => (string)r.Attribute("r")!));
        var cells = Cells(sheet);
        Assert.Equal(["A1", "A2", "B2", "C2", "AB2", "AC2", "AD2"], cells.Select(c => (string)c.Attribute("r")!));
        Assert.Equal(["7", null, "3", null, null, null, null], cells.Select(c => (string?)c.Attribute("s")));
        Assert.Equal(["inlineStr", null, null, "b", "b", "e", "inlineStr"], cells.Select(c => (string?)c.Attribute("t")));
        Assert.Equal(["Header", "1234.5", "-0.1", "1", "0", "#N/A", text], cells.Select(c => c.Value));
    }

    [Fact]
    public void Text_longer_than_the_buffer_is_written_whole_and_cut_to_what_a_cell_holds()
    {
        // Two-byte and four-byte characters across the writer's 64 KB buffer, and past the 32,767 characters of a cell.
        var longText = string.Concat(Enumerable.Repeat("é𝄞&", 20_000));
        var sheet = Write(w =>
        {
            for (var r = 1; r <= 3; r++)
            {
                w.StartRow(r);
                w.Text(1, longText, 0);
                w.EndRow();
            }
        });

        var expected = AnnotationSheetContent.Fit(longText);
        Assert.InRange(expected.Length, AnnotationSheetContent.MaxCellText - 1, AnnotationSheetContent.MaxCellText);
        Assert.EndsWith("…", expected, StringComparison.Ordinal);
        Assert.All(Cells(sheet), c => Assert.Equal(expected, c.Value));
    }

    [Theory]
    [InlineData(0x0007)] // a control character
    [InlineData(0x0000)]
    [InlineData(0xD800)] // a lone surrogate (built here: an attribute's string would not keep it)
    [InlineData(0xDC00)]
    [InlineData(0xFFFE)] // not a character
    public void Text_XML_cannot_hold_is_refused(int code)
    {
        using var writer = new SheetXmlWriter(new MemoryStream());
        writer.StartSheetData();
        writer.StartRow(1);
        Assert.Throws<ArgumentException>(() => writer.Text(1, "before " + (char)code + " after", 0));
    }
}
