using System.Text;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Readers;
using Annotate.Annotators.Readers.Text;
using Annotate.Annotators.Tests.Support;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.Tests.Readers.Text;

/// <summary>A large CSV is typed once into a spill; enumerations must see exactly what parsing the file again sees.</summary>
public class DelimitedTextSpillTests
{
    static DelimitedTextSpillTests() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    [Theory]
    [InlineData(",", "utf-8", true, true)]
    [InlineData(",", "utf-8", false, true)]
    [InlineData(";", "windows-1252", true, false)]
    [InlineData("\t", "utf-8", true, false)]
    public async Task Spilled_records_are_the_records_parsed_again_from_the_file(string delimiter, string encoding, bool header, bool ragged)
    {
        using var dir = new TempDir();
        var path = dir.File("data.csv");
        var text = new StringBuilder();
        if (header)
        {
            text.Append(string.Join(delimiter, "Name", "Amount", "Booked", "Paid", "Note")).Append('\n');
        }
        for (var i = 0; i < 3_000; i++)
        {
            var amount = delimiter == ";" ? $"{i}.{i % 1000:000},{i % 100:00}" : (i * 1.25).ToString(System.Globalization.CultureInfo.InvariantCulture);
            // Ragged rows, quoted fields and line breaks, empty fields, umlauts and emoji.
            // The first rows are regular, as in real files, so the delimiter is detected from them.
            var fields = (i < 20 ? 4 : i % 7) switch
            {
                0 when ragged => new[] { $"Müller-{i}", amount },
                1 when ragged => [$"Quoted-{i}", amount, "2024-03-15", "true", "\"two\nlines\""],
                2 => ["", "", "", "", ""],
                3 when ragged => [$"x{i}", amount, "15.03.2024", "no", "😀", "extra"],
                3 => [$"x{i}", amount, "15.03.2024", "no", "😀"],
                _ => [$"row-{i}", amount, $"2023-01-{(i % 28) + 1:00}", i % 2 == 0 ? "TRUE" : "false", "spaced"],
            };
            text.Append(string.Join(delimiter, fields)).Append('\n');
        }
        var bytes = encoding == "utf-8" ? Encoding.UTF8.GetBytes(text.ToString()) : Encoding.GetEncoding(1252).GetBytes(text.ToString().Replace("😀", "?"));
        await File.WriteAllBytesAsync(path, bytes);
        var source = new DocumentSource(path, "data.csv");

        var spilled = await Reader(spill: true).ReadAsync(source, CancellationToken.None);
        var parsed = await Reader(spill: false).ReadAsync(source, CancellationToken.None);

        var a = Assert.IsType<TableBlock>(Assert.Single(spilled.Blocks));
        var e = Assert.IsType<TableBlock>(Assert.Single(parsed.Blocks));
        Assert.Equal(e.Columns, a.Columns);
        Assert.Equal(e.HasHeaderRow, a.HasHeaderRow);
        Assert.Equal(e.Location, a.Location);
        Assert.Equal(e.Rows.Count, a.Rows.Count);
        var expected = e.Rows.ToList();
        var actual = a.Rows.ToList();
        Assert.Equal(expected.Count, actual.Count);
        for (var r = 0; r < expected.Count; r++)
        {
            Assert.Equal(expected[r].Number, actual[r].Number);
            Assert.Equal(expected[r].Cells, actual[r].Cells);
        }
        Assert.Equal(actual.Count, a.Rows.Count());
        TableScans.AssertScanIsEnumeration(a.Rows, expected);
        TableScans.AssertScanIsEnumeration(e.Rows, expected, reusesCells: false);
    }

    private static DelimitedTextReader Reader(bool spill) =>
        new(Options.Create(new ReaderOptions { StreamingTextBytes = 0, StreamedSampleRows = 100, SpillStreamedRows = spill }));
}
