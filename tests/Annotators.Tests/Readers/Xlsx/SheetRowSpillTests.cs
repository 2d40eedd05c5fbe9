using System.IO.Compression;
using System.Text;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Readers;
using Annotate.Annotators.Readers.Xlsx;
using Annotate.Annotators.Tests.Support;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.Tests.Readers.Xlsx;

/// <summary>
/// The streaming reader parses each sheet once and keeps its rows in a spill file; every later enumeration must see
/// exactly what reading the package again (the path without a spill) sees, and the outputs must not change.
/// </summary>
public sealed partial class SheetRowSpillTests : IDisposable
{
    [System.Text.RegularExpressions.GeneratedRegex("\\bR[0-9a-f]{16}\\b")]
    private static partial System.Text.RegularExpressions.Regex RelationshipIds();

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string> Workbooks => new()
    {
        "corpus:xlsx/UsingTables.xlsx",
        "corpus:xlsx/InsertingTables.xlsx",
        "corpus:xlsx/RegularAutoFilter.xlsx",
        "corpus:xlsx/DateTimeGroupAutoFilter.xlsx",
        "ledger",
        "formulas",
        "large",
        "large-ahead",
        "shared-ahead",
        "odd-cells",
    };

    [Fact]
    public void A_broken_shared_strings_part_fails_the_workbook_alike_while_its_first_sheet_is_parsed_ahead()
    {
        // Both parts past 4 MiB: the sheet is parsed on a second thread while the shared strings are read, and they break.
        var path = _dir.File("broken-shared.xlsx");
        SharedAhead(path, brokenSharedStrings: true);

        var ahead = Record.Exception(() => Read(path, spill: true));
        var inLine = Record.Exception(() => Read(path, spill: false));

        Assert.NotNull(inLine);
        Assert.NotNull(ahead);
        Assert.Equal(inLine.GetType(), ahead.GetType());
        Assert.Equal(inLine.Message, ahead.Message);
        Assert.Contains("broken-shared.xlsx", ahead.Message);
    }

    [Theory]
    [MemberData(nameof(Workbooks))]
    public void Rows_parsed_on_a_second_thread_are_the_rows_parsed_in_line(string workbook)
    {
        var path = Workbook(workbook);
        using var package = new WorkbookPackage(new DocumentSource(path, Path.GetFileName(path)), new ReaderOptions());
        var workbookPart = package.Relationships(string.Empty).First(r => r.Is("officeDocument")).Target;
        var parts = package.Relationships(workbookPart);
        var cells = new StreamingCellReader(
            SharedStringTable.Read(package.OpenXml(parts.FirstOrDefault(r => r.Is("sharedStrings"))?.Target)),
            StreamingStyles.Read(package.OpenXml(parts.FirstOrDefault(r => r.Is("styles"))?.Target)));
        var sheets = parts.Where(r => r.Is("worksheet") && package.HasContent(r.Target)).Select(r => r.Target).ToList();
        Assert.NotEmpty(sheets);
        if (workbook is "large-ahead" or "shared-ahead")
        {
            // The loader parses ahead only parts this large, and reads the shared strings meanwhile only when they are too.
            Assert.True(ReadAheadStream.Pays(package.Length(sheets[0])));
            Assert.Equal(workbook == "shared-ahead", ReadAheadStream.Pays(package.Length(parts.FirstOrDefault(r => r.Is("sharedStrings"))?.Target ?? "")));
        }

        foreach (var sheet in sheets)
        {
            var (mergedInLine, mergedAhead) = (new List<CellRange>(), new List<CellRange>());
            var (truncatedInLine, truncatedAhead) = (new TruncatedCells(), new TruncatedCells());
            // Copied as they go by: the reader hands out one cells list for every row.
            var inLine = cells.ReadRows(package.OpenXml(sheet)!, mergedInLine, truncatedInLine, CancellationToken.None).Select(r => (r.Number, Cells: r.Cells.ToArray())).ToList();
            var ahead = cells.ReadRows(package.OpenXml(sheet)!, mergedAhead, truncatedAhead, CancellationToken.None, parseAhead: true).Select(r => (r.Number, Cells: r.Cells.ToArray())).ToList();

            Assert.Equal(inLine.Count, ahead.Count);
            for (var r = 0; r < inLine.Count; r++)
            {
                Assert.Equal(inLine[r].Number, ahead[r].Number);
                Assert.Equal(inLine[r].Cells, ahead[r].Cells);
            }
            Assert.Equal(mergedInLine, mergedAhead);
            Assert.Equal(truncatedInLine.Count, truncatedAhead.Count);
        }
    }

    [Theory]
    [MemberData(nameof(Workbooks))]
    public void Spilled_rows_are_the_rows_read_again_from_the_package(string workbook)
    {
        var path = Workbook(workbook);

        var spilled = Read(path, spill: true);
        var reread = Read(path, spill: false);

        Assert.Equal(Describe(reread), Describe(spilled));
        var spilledTables = spilled.Blocks.OfType<TableBlock>().ToList();
        var rereadTables = reread.Blocks.OfType<TableBlock>().ToList();
        Assert.NotEmpty(spilledTables);
        Assert.Equal(rereadTables.Count, spilledTables.Count);
        for (var t = 0; t < spilledTables.Count; t++)
        {
            Assert.Equal(rereadTables[t].Columns, spilledTables[t].Columns);
            Assert.Equal(rereadTables[t].Rows.Count, spilledTables[t].Rows.Count);
            var expected = rereadTables[t].Rows.ToList();
            var actual = spilledTables[t].Rows.ToList();
            Assert.Equal(expected.Count, actual.Count);
            for (var r = 0; r < expected.Count; r++)
            {
                Assert.Equal(expected[r].Number, actual[r].Number);
                Assert.Equal(expected[r].Cells, actual[r].Cells);
            }
            // A second enumeration reads the spill again from its start.
            Assert.Equal(actual.Count, spilledTables[t].Rows.Count());
            // A scan gives the same rows in one cells array; reading the package again, too.
            TableScans.AssertScanIsEnumeration(spilledTables[t].Rows, expected, reusesCells: expected.Count > 1);
            TableScans.AssertScanIsEnumeration(rereadTables[t].Rows, expected, reusesCells: expected.Count > 1);
            Assert.Equal(rereadTables[t].Text, spilledTables[t].Text);
        }
    }

    [Theory]
    [InlineData("large")]
    [InlineData("large-ahead")]
    [InlineData("odd-cells")]
    [InlineData("corpus:xlsx/UsingTables.xlsx")]
    [InlineData("csv")]
    public async Task Pipeline_outputs_are_the_same_with_and_without_the_spill(string workbook)
    {
        var path = Workbook(workbook);

        var withSpill = await RunAsync(path, spill: true, "with");
        var without = await RunAsync(path, spill: false, "without");

        Assert.Equal(without.Keys.Order(), withSpill.Keys.Order());
        foreach (var (name, content) in without)
        {
            Assert.True(content == withSpill[name], $"{name} differs between the spill and reading the package again");
        }
    }

    [Fact]
    public void Every_kind_of_cell_comes_back_as_it_was_written()
    {
        var strings = SharedStringTable.Read(System.Xml.XmlReader.Create(new StringReader(
            $"<sst xmlns=\"{RawWorkbook.MainNamespace}\"><si><t>shared</t></si><si><t>{new string('s', 5000)}</t></si></sst>")));
        var long1 = new string('é', 200_000);
        RawRow[] rows =
        [
            new(1, [
                new RawCell(1, CellValue.FromText("Header"), Bold: true),
                new RawCell(2, CellValue.FromText(strings[0]), Bold: false, SharedString: 0),
                // A shared string the reader cut to its row's limit comes with its own text and no index.
                new RawCell(3, CellValue.FromText(strings[1][..1234]), Bold: false),
            ]),
            new(7, [
                new RawCell(1, CellValue.FromNumber(-12.5, formula: "A1*2"), Bold: false),
                new RawCell(4, CellValue.FromDateTime(new DateTime(2024, 3, 2, 14, 30, 0)), Bold: false),
                new RawCell(5, CellValue.FromDateTime(new DateTime(2024, 3, 2, 0, 0, 0, DateTimeKind.Utc)), Bold: false),
                new RawCell(6, CellValue.FromBoolean(true), Bold: true),
                new RawCell(7, CellValue.FromBoolean(false, "1=2"), Bold: false),
                new RawCell(8, CellValue.FromError("#DIV/0!", "1/0"), Bold: false),
                new RawCell(9, CellValue.Empty with { Formula = "\"\"" }, Bold: false),
                new RawCell(10, new CellValue { Kind = CellKind.Number, Number = 1234.56, Text = "1234.56", Display = "1.234,56" }, Bold: false),
                new RawCell(16_384, CellValue.FromText("emoji 😀 and \u0001"), Bold: false),
            ]),
            new(1_048_576, [new RawCell(1, CellValue.FromText(long1), Bold: false)]),
        ];
        using var spill = SheetRowSpill.Create(strings, _dir.Path);
        foreach (var row in rows)
        {
            spill.Add(row);
        }
        for (var i = 0; i < 20_000; i++)
        {
            spill.Add(new RawRow(2_000_000 + i, [new RawCell(1 + (i % 3), CellValue.FromNumber(i / 3.0), Bold: false)]));
        }
        spill.Seal();

        var read = spill.Read().ToList();
        Assert.Equal(rows.Length + 20_000, read.Count);
        for (var r = 0; r < rows.Length; r++)
        {
            Assert.Equal(rows[r].Number, read[r].Number);
            Assert.Equal(rows[r].Cells, read[r].Cells);
        }
        Assert.Equal(2_000_000 + 19_999, read[^1].Number);
        Assert.Equal(19_999 / 3.0, read[^1].Cells[0].Value.Number);
        Assert.Equal((19_999 / 3.0).ToString("R", System.Globalization.CultureInfo.InvariantCulture), read[^1].Cells[0].Value.Text);
        // The spill file is unlinked at once: nothing is left in the folder.
        Assert.Empty(Directory.GetFiles(_dir.Path, "annotate-rows-*"));
    }

    [Fact]
    public void A_transient_scan_gives_every_row_read_gives_with_one_array_per_row_width()
    {
        var strings = SharedStringTable.Read(null);
        using var spill = SheetRowSpill.Create(strings, _dir.Path);
        for (var i = 0; i < 5_000; i++)
        {
            // Widths 2, 2, 2, 3 repeating: each width has an array of its own, handed out again for every row of that width.
            var width = i % 4 == 3 ? 3 : 2;
            spill.Add(new RawRow(i + 1, [.. Enumerable.Range(1, width).Select(c => new RawCell(c, CellValue.FromText($"r{i}c{c}"), Bold: false))]));
        }
        spill.Seal();

        var expected = spill.Read().Select(r => (r.Number, Cells: r.Cells.ToArray())).ToList();
        var copied = new List<(long Number, RawCell[] Cells)>();
        var arrays = new HashSet<object>(ReferenceEqualityComparer.Instance);
        foreach (var row in spill.ReadTransient())
        {
            copied.Add((row.Number, row.Cells.ToArray()));
            arrays.Add(row.Cells);
        }

        Assert.Equal(expected.Count, copied.Count);
        for (var r = 0; r < expected.Count; r++)
        {
            Assert.Equal(expected[r].Number, copied[r].Number);
            Assert.Equal(expected[r].Cells, copied[r].Cells);
        }
        Assert.Equal(2, arrays.Count);
    }

    [Fact]
    public void A_cell_naming_a_long_shared_string_costs_its_index_not_its_text()
    {
        // 2,000 cells each naming a 32,767-character string: 64 MB of text as values, a few KB as indexes.
        var sheet = new StringBuilder();
        for (var r = 1; r <= 100; r++)
        {
            sheet.Append($"<row r=\"{r}\">");
            for (var c = 1; c <= 20; c++)
            {
                sheet.Append("<c t=\"s\"><v>0</v></c>");
            }
            sheet.Append("</row>");
        }
        var strings = SharedStringTable.Read(System.Xml.XmlReader.Create(new StringReader(
            $"<sst xmlns=\"{RawWorkbook.MainNamespace}\"><si><t>{new string('x', 32_767)}</t></si></sst>")));
        var cells = new StreamingCellReader(strings, StreamingStyles.Read(null));
        var xml = System.Xml.XmlReader.Create(new StringReader($"<worksheet xmlns=\"{RawWorkbook.MainNamespace}\"><sheetData>{sheet}</sheetData></worksheet>"));

        using var spill = SheetRowSpill.Create(strings, _dir.Path);
        foreach (var row in cells.ReadRows(xml, merged: null, truncated: null, CancellationToken.None))
        {
            spill.Add(row);
        }
        spill.Seal();

        // 20 cells × a few bytes per row, where the XML itself takes 23 bytes per cell.
        Assert.InRange(spill.Length, 1, 100 * 20 * 8);
        Assert.Equal(100, spill.RowCount);
        Assert.All(spill.Read(), row => Assert.All(row.Cells, c => Assert.Equal(32_767, c.Value.Text.Length)));
    }

    private string Workbook(string name)
    {
        if (name.StartsWith("corpus:", StringComparison.Ordinal))
        {
            return TestFiles.Corpus(name["corpus:".Length..]);
        }
        var path = _dir.File(name + ".xlsx");
        switch (name)
        {
            case "ledger":
                TestWorkbooks.Ledger(path);
                break;
            case "formulas":
                TestWorkbooks.Formulas(path);
                break;
            case "large":
                TestWorkbooks.Large(path, 5_000);
                break;
            case "large-ahead":
                // A sheet part past 4 MiB: inflated, parsed and typed on separate threads.
                TestWorkbooks.Large(path, 40_000);
                break;
            case "shared-ahead":
                SharedAhead(path, brokenSharedStrings: false);
                break;
            case "csv":
                path = _dir.File("ledger.csv");
                File.WriteAllLines(path, ["Invoice;Amount;Booked;Contact", .. Enumerable.Range(1, 5_000).Select(i =>
                    $"INV-{i};{i},{i % 100:00};{(i % 28) + 1:00}.03.2024;{(i % 3 == 0 ? $"user{i}@example.com" : "")}")]);
                break;
            default:
                OddCells(path);
                break;
        }
        return path;
    }

    /// <summary>Cells real producers write that the spill must carry: rows and cells without references, inline and cut text, XFD, errors.</summary>
    private static void OddCells(string path)
    {
        var longShared = string.Concat(Enumerable.Range(0, 8_000).Select(i => (char)('a' + (i % 26)) + "bcd "));
        var sheet = new StringBuilder()
            .Append("<row r=\"1\"><c r=\"A1\" t=\"inlineStr\" s=\"2\"><is><t>Name</t></is></c><c r=\"B1\" t=\"s\" s=\"2\"><v>0</v></c><c r=\"C1\" t=\"s\" s=\"2\"><v>1</v></c><c r=\"D1\" t=\"inlineStr\" s=\"2\"><is><t>When</t></is></c></row>")
            .Append("<row><c t=\"s\"><v>2</v></c><c><v>1.5E3</v></c><c t=\"b\"><v>1</v></c><c s=\"1\"><v>45000.5</v></c></row>")
            .Append("<row r=\"5\"><c r=\"B5\" t=\"e\"><f>1/0</f><v>#DIV/0!</v></c><c r=\"C5\" t=\"str\"><f>A1&amp;\"x\"</f><v>Namex</v></c><c r=\"D5\" t=\"d\"><v>2024-03-01T10:00:00</v></c></row>")
            .Append("<row r=\"6\"><c r=\"A6\" t=\"inlineStr\"><is><r><t>rich </t></r><r><t>text &amp; emoji 😀</t></r></is></c><c r=\"XFD6\"><v>9</v></c><c r=\"XFE6\"><v>10</v></c><c r=\"C6\"><v>not a number</v></c></row>")
            .Append("<row r=\"7\"><c r=\"A7\"><v>   </v></c><c r=\"B7\" t=\"s\"><v>99</v></c><c r=\"C7\"><v>-0</v></c><c r=\"D7\" t=\"b\"><v>true</v></c></row>");
        // Rows whose text passes MaxRowCharacters: the 64th shared string is cut, the rest of the row is dropped.
        for (var r = 8; r <= 10; r++)
        {
            sheet.Append($"<row r=\"{r}\">");
            for (var c = 1; c <= 70; c++)
            {
                sheet.Append("<c t=\"s\"><v>3</v></c>");
            }
            sheet.Append("</row>");
        }
        new RawWorkbook
        {
            Sheets = [new RawSheet("Odd", sheet.ToString())],
            SharedStrings = ["Amount", "Paid", "Acme", longShared],
        }.Save(path);
    }

    /// <summary>
    /// A sheet and shared strings both past 4 MiB, with a merged range after the rows: the loader parses the sheet on a
    /// second thread while it reads the shared strings. Broken, the shared strings end in a tag that is never closed.
    /// </summary>
    private static void SharedAhead(string path, bool brokenSharedStrings)
    {
        const int rows = 150_000;
        var sheet = new StringBuilder("<row r=\"1\"><c r=\"A1\" t=\"inlineStr\" s=\"2\"><is><t>Customer</t></is></c><c r=\"B1\" t=\"inlineStr\" s=\"2\"><is><t>Amount</t></is></c></row>");
        for (var r = 2; r <= rows; r++)
        {
            sheet.Append(System.Globalization.CultureInfo.InvariantCulture, $"<row r=\"{r}\"><c r=\"A{r}\" t=\"s\"><v>{r - 2}</v></c><c r=\"B{r}\"><v>{r * 1.5}</v></c></row>");
        }
        var strings = Enumerable.Range(0, rows).Select(i => $"customer {i:D8} of the ledger").ToList();
        new RawWorkbook
        {
            Sheets = [new RawSheet("Ledger", sheet.ToString(), AfterSheetData: "<mergeCells count=\"1\"><mergeCell ref=\"C1:D1\"/></mergeCells>")],
            SharedStrings = brokenSharedStrings ? null : strings,
            SharedStringsXml = brokenSharedStrings
                ? string.Concat(strings.Select(s => $"<si><t>{s}</t></si>")) + "<si><t>never closed</si>"
                : null,
        }.Save(path);
    }

    private static Document Read(string path, bool spill) =>
        new XlsxReader(Options.Create(new ReaderOptions { StreamingWorkbookBytes = 0, SpillStreamedRows = spill }))
            .ReadAsync(new DocumentSource(path, Path.GetFileName(path)), CancellationToken.None).GetAwaiter().GetResult();

    private static string Describe(Document document) =>
        string.Join('\n', document.Sheets.Select(s => $"{s.Name} {s.Dimension} {s.RowCount} {s.ColumnCount} {string.Join(',', s.MergedRanges)}")
            .Concat(document.Notices.Select(n => n.Code + " " + n.Message))
            .Concat(document.Blocks.Select(b => $"{b.Kind} {b.Location}")));

    /// <summary>Every output's content; workbooks by their entries (entry times differ), annotations.json without its times.</summary>
    private async Task<Dictionary<string, string>> RunAsync(string path, bool spill, string name)
    {
        var pipeline = TestPipeline.Create(new Dictionary<string, string?>
        {
            ["Annotate:Readers:StreamingWorkbookBytes"] = "0",
            ["Annotate:Readers:StreamingTextBytes"] = "0",
            ["Annotate:Readers:StreamedSampleRows"] = "100",
            ["Annotate:Readers:SpillStreamedRows"] = spill ? "true" : "false",
        });
        var output = _dir.File("out-" + name);
        var result = await pipeline.RunAsync(new Annotate.Annotators.Pipeline.AnnotationRequest
        {
            DocumentId = "doc",
            Source = new DocumentSource(path, Path.GetFileName(path)),
            OutputDirectory = output,
        }, CancellationToken.None);
        Assert.True(result.Document.Sheets.All(s => s.Streamed));
        var contents = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(output, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(output, file);
            if (file.EndsWith(".xlsx", StringComparison.OrdinalIgnoreCase))
            {
                using var zip = ZipFile.OpenRead(file);
                foreach (var entry in zip.Entries.OrderBy(e => e.FullName, StringComparer.Ordinal))
                {
                    using var reader = new StreamReader(entry.Open());
                    // The OpenXml SDK names the relationships it adds at random (R followed by 16 hex digits).
                    contents[relative + "!" + entry.FullName] = RelationshipIds().Replace(await reader.ReadToEndAsync(), "R*");
                }
                continue;
            }
            var text = await File.ReadAllTextAsync(file);
            if (relative == "annotations.json")
            {
                text = AnnotationsJsonText.Without(text, "generatedAt", "durationMs");
            }
            contents[relative] = text;
        }
        return contents;
    }
}
