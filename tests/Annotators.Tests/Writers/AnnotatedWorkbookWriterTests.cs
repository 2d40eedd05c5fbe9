using System.IO.Compression;
using Annotate.Annotators.Annotations;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Readers;
using Annotate.Annotators.Tests.Readers.Xlsx;
using Annotate.Annotators.Tests.Support;
using Annotate.Annotators.Writers;
using Annotate.Annotators.Writers.Xlsx;
using ClosedXML.Excel;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.Tests.Writers;

public class AnnotatedWorkbookWriterTests
{
    public static TheoryData<bool> BothPaths => new() { false, true };

    private static AnnotatedWorkbookWriter Writer(bool packageCopy) =>
        new(Options.Create(new ReaderOptions { StreamingWorkbookBytes = packageCopy ? 0 : long.MaxValue }), NullLogger<AnnotatedWorkbookWriter>.Instance);

    private static (string Output, WrittenOutput Written) Write(TempDir dir, string source, AnnotationSet annotations, bool packageCopy)
    {
        var document = XlsxReaderTests.Read(source, streamed: packageCopy, name: "ledger.xlsx");
        var context = WriterFixtures.Context(document, annotations, source, dir.File("out"));
        var written = Assert.Single(Writer(packageCopy).WriteAsync(context, CancellationToken.None).GetAwaiter().GetResult());
        return (Path.Combine(context.OutputDirectory, written.Name), written);
    }

    [Theory]
    [MemberData(nameof(BothPaths))]
    public void Original_sheets_are_kept_and_an_annotations_sheet_lists_profiles_and_findings(bool packageCopy)
    {
        using var dir = new TempDir();
        var source = dir.File("ledger.xlsx");
        TestWorkbooks.Ledger(source);

        var (output, written) = Write(dir, source, WriterFixtures.LedgerAnnotations(), packageCopy);

        Assert.Equal("annotated.xlsx", written.Name);
        Assert.Equal("xlsx", written.Kind);
        Assert.Equal(new FileInfo(output).Length, written.SizeBytes);
        using var original = new XLWorkbook(source);
        using var annotated = new XLWorkbook(output);
        Assert.Equal(["Ledger", "Secret", "Raw", "Empty", "Annotations"], annotated.Worksheets.Select(w => w.Name));
        Assert.Equal(XLWorksheetVisibility.Hidden, annotated.Worksheet("Secret").Visibility);
        foreach (var sheet in original.Worksheets)
        {
            var copy = annotated.Worksheet(sheet.Name);
            foreach (var cell in sheet.CellsUsed())
            {
                Assert.Equal(cell.Value, copy.Cell(cell.Address.ToString()).Value);
            }
            Assert.Equal(sheet.CellsUsed().Count(), copy.CellsUsed().Count());
        }
        Assert.True(annotated.Worksheet("Ledger").Range("B5:C5").IsMerged());

        var notes = annotated.Worksheet("Annotations");
        var rows = notes.RowsUsed().Select(r => r.Cells(1, 13).Select(c => c.GetString()).ToList()).ToList();
        Assert.Contains(rows, r => r[0] == "File" && r[1] == "ledger.xlsx");
        Assert.Contains(rows, r => r[0] == "Language" && r[1].StartsWith("English (en)", StringComparison.Ordinal));
        var profileHeader = rows.FindIndex(r => r[0] == "Sheet" && r[5] == "Inferred type");
        Assert.True(profileHeader > 0);
        Assert.Equal(AnnotationSheetContent.ProfileHeaders, rows[profileHeader]);
        Assert.Equal(["Ledger", "Ledger", "C", "Amount", "C2:C5", "number", "3"], rows[profileHeader + 1].Take(7));
        Assert.Equal("email", rows[profileHeader + 2][12]);
        var findingsHeader = rows.FindIndex(r => r[0] == "Type" && r[5] == "Cell");
        Assert.Equal(["email", "anna@example.com", "anna@example.com", "", "Ledger", "E2"], rows[findingsHeader + 1].Take(6));
        Assert.Equal(["money", "1250.5", "1250.50", "EUR", "Ledger", "C2"], rows[findingsHeader + 2].Take(6));
        var headerRow = notes.RowsUsed().ElementAt(profileHeader).RowNumber();
        Assert.Equal(3, notes.Cell(headerRow + 1, 7).GetDouble());
        Assert.True(notes.Cell(headerRow, 1).Style.Font.Bold);
        Assert.Equal(headerRow, notes.SheetView.SplitRow);
    }

    [Fact]
    public void Large_workbooks_get_the_sheet_added_without_rewriting_their_worksheets()
    {
        using var dir = new TempDir();
        var source = dir.File("ledger.xlsx");
        TestWorkbooks.Ledger(source);

        var (output, _) = Write(dir, source, WriterFixtures.LedgerAnnotations(), packageCopy: true);

        using var before = ZipFile.OpenRead(source);
        using var after = ZipFile.OpenRead(output);
        var sheets = before.Entries.Where(e => e.FullName.StartsWith("xl/worksheets/", StringComparison.Ordinal) && e.FullName.EndsWith(".xml", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(sheets);
        foreach (var entry in sheets)
        {
            Assert.Equal(Bytes(entry), Bytes(after.GetEntry(entry.FullName)!));
        }
        Assert.Equal(sheets.Count + 1, after.Entries.Count(e => e.FullName.StartsWith("xl/worksheets/", StringComparison.Ordinal) && e.FullName.EndsWith(".xml", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_large_worksheet_is_put_back_whole_after_the_annotations_sheet_is_added()
    {
        using var dir = new TempDir();
        var source = dir.File("big.xlsx");
        TestWorkbooks.Large(source, 5000);
        using (var zip = ZipFile.OpenRead(source))
        {
            // Large enough to be left out of the copy the SDK edits, and put back from the source.
            Assert.True(zip.GetEntry("xl/worksheets/sheet1.xml")!.Length >= StreamingRowColumns.LargePartBytes);
        }

        var (output, _) = Write(dir, source, WriterFixtures.LedgerAnnotations(), packageCopy: true);

        using (var before = ZipFile.OpenRead(source))
        using (var after = ZipFile.OpenRead(output))
        {
            Assert.Equal(Bytes(before.GetEntry("xl/worksheets/sheet1.xml")!), Bytes(after.GetEntry("xl/worksheets/sheet1.xml")!));
        }
        // Copied as its compressed bytes, not inflated and deflated again.
        Assert.Equal(CompressedSheet(source), CompressedSheet(output));
        AssertValidWithSheets(output);
    }

    [Fact]
    public void A_large_worksheet_is_put_back_through_the_zip_library_when_the_original_cannot_be_copied_raw()
    {
        using var dir = new TempDir();
        var source = dir.File("big.xlsx");
        TestWorkbooks.Large(source, 5000);
        // The first entry's local header names it differently from the central directory: the zip library reads such
        // a file (it takes names from the directory), the raw copy does not trust it.
        var bytes = File.ReadAllBytes(source);
        var letter = Enumerable.Range(30, BitConverter.ToUInt16(bytes, 26)).First(i => char.IsAsciiLetter((char)bytes[i]));
        bytes[letter] ^= 0x20;
        File.WriteAllBytes(source, bytes);
        using (var stream = File.OpenRead(source))
        {
            Assert.Null(RawZipDirectory.TryRead(stream));
        }

        var (output, _) = Write(dir, source, WriterFixtures.LedgerAnnotations(), packageCopy: true);

        using (var before = ZipFile.OpenRead(source))
        using (var after = ZipFile.OpenRead(output))
        {
            Assert.Equal(Bytes(before.GetEntry("xl/worksheets/sheet1.xml")!), Bytes(after.GetEntry("xl/worksheets/sheet1.xml")!));
            // Deflated again (at the fastest level), so not the original's compressed size.
            Assert.NotEqual(before.GetEntry("xl/worksheets/sheet1.xml")!.CompressedLength, after.GetEntry("xl/worksheets/sheet1.xml")!.CompressedLength);
        }
        AssertValidWithSheets(output);
    }

    private static byte[] CompressedSheet(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var entry = RawZipDirectory.TryRead(new MemoryStream(bytes))!.Single(e => e.Name == "xl/worksheets/sheet1.xml");
        return bytes.AsSpan((int)entry.DataOffset, (int)entry.CompressedSize).ToArray();
    }

    /// <summary>The package is valid against the Open XML schema.</summary>
    private static void AssertValid(string output)
    {
        using var package = DocumentFormat.OpenXml.Packaging.SpreadsheetDocument.Open(output, isEditable: false);
        var errors = new DocumentFormat.OpenXml.Validation.OpenXmlValidator().Validate(package).Select(e => $"{e.Path?.XPath}: {e.Description}").ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    private static void AssertValidWithSheets(string output)
    {
        AssertValid(output);
        using var annotated = new XLWorkbook(output);
        Assert.Equal(["Big", "Annotations"], annotated.Worksheets.Select(w => w.Name));
        Assert.Equal(2500.0, annotated.Worksheet("Big").Cell("C5001").GetDouble());
        Assert.Contains(annotated.Worksheet("Annotations").RowsUsed(), r => r.Cell(1).GetString() == "File");
    }

    [Theory]
    [MemberData(nameof(BothPaths))]
    public void An_existing_annotations_sheet_is_left_alone_and_the_new_one_is_numbered(bool packageCopy)
    {
        using var dir = new TempDir();
        var source = dir.File("a.xlsx");
        TestWorkbooks.FromRows(source, "Annotations", ["mine"], ["keep"]);

        var (output, _) = Write(dir, source, new AnnotationSet(), packageCopy);

        using var annotated = new XLWorkbook(output);
        Assert.Equal(["Annotations", "Annotations (2)"], annotated.Worksheets.Select(w => w.Name));
        Assert.Equal("keep", annotated.Worksheet("Annotations").Cell("A2").GetString());
        var added = annotated.Worksheet("Annotations (2)").RowsUsed().Select(r => r.Cell(1).GetString()).ToList();
        Assert.Contains("(no column profiles)", added);
        Assert.Contains("(no findings)", added);
    }

    [Fact]
    public async Task Csv_source_becomes_a_typed_data_sheet_followed_by_the_annotations()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("contacts.csv"), "unused by this writer");
        var annotations = new AnnotationSet();
        annotations.Entities.Add(new EntityAnnotation { Type = "date", Text = "2023-05-17", Value = "2023-05-17", Location = new SourceLocation { Cell = "B2", Line = 2 }, Annotator = "patterns" });
        var context = WriterFixtures.Context(WriterFixtures.CsvDocument(), annotations, dir.File("contacts.csv"), dir.File("out"));

        var written = Assert.Single(await Writer(packageCopy: false).WriteAsync(context, CancellationToken.None));

        // Both sheets are written as streamed XML: valid against the schema, header rows frozen.
        AssertValid(Path.Combine(context.OutputDirectory, written.Name));
        using var workbook = new XLWorkbook(Path.Combine(context.OutputDirectory, written.Name));
        Assert.Equal(["Data", "Annotations"], workbook.Worksheets.Select(w => w.Name));
        var data = workbook.Worksheet("Data");
        Assert.Equal(1, data.SheetView.SplitRow);
        Assert.Equal("Name", data.Cell("A1").GetString());
        Assert.True(data.Cell("A1").Style.Font.Bold);
        Assert.Equal("Ann, Jr.", data.Cell("A2").GetString());
        Assert.Equal(XLDataType.DateTime, data.Cell("B2").DataType);
        Assert.Equal(new DateTime(2023, 5, 17), data.Cell("B2").GetDateTime());
        Assert.Equal(new DateTime(2023, 5, 18, 8, 15, 0), data.Cell("B3").GetDateTime());
        Assert.Equal(9.5, data.Cell("C2").GetDouble());
        Assert.True(data.Cell("D2").GetBoolean());
        Assert.Equal(1e21, data.Cell("C4").GetDouble());
        Assert.True(data.Cell("B4").IsEmpty());
        var findings = workbook.Worksheet("Annotations").RowsUsed().Select(r => r.Cells(1, 6).Select(c => c.GetString()).ToList()).ToList();
        Assert.Contains(findings, r => r.SequenceEqual(["date", "2023-05-17", "2023-05-17", "", "Data", "B2"]));
    }

    [Fact]
    public async Task A_csv_without_a_table_gets_an_empty_data_sheet_and_a_note_saying_so()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("empty.csv"), "");
        var document = WriterFixtures.CsvDocument() with { FileName = "empty.csv", Blocks = [] };
        var context = WriterFixtures.Context(document, new AnnotationSet(), dir.File("empty.csv"), dir.File("out"));

        var written = Assert.Single(await Writer(packageCopy: false).WriteAsync(context, CancellationToken.None));

        AssertValid(Path.Combine(context.OutputDirectory, written.Name));
        using var workbook = new XLWorkbook(Path.Combine(context.OutputDirectory, written.Name));
        Assert.Equal(["Data", "Annotations"], workbook.Worksheets.Select(w => w.Name));
        Assert.Empty(workbook.Worksheet("Data").CellsUsed());
        Assert.Contains(workbook.Worksheet("Annotations").CellsUsed(), c => c.GetString() == "The CSV held no table.");
    }

    [Fact]
    public void Findings_are_capped_with_a_note_saying_how_many_there_were()
    {
        var annotations = new AnnotationSet();
        for (var i = 0; i < AnnotationSheetContent.MaxFindings + 5; i++)
        {
            annotations.Entities.Add(new EntityAnnotation { Type = "email", Text = "x", Value = "x", Location = SourceLocation.InSheet("S", "A1"), Annotator = "patterns" });
        }
        var document = new Document { FileName = "big.xlsx", Format = SourceFormat.Xlsx };

        var content = AnnotationSheetContent.Build(document, annotations, null, []);

        Assert.Equal(AnnotationSheetContent.MaxFindings, content.Rows.Count(r => r.Cells.Count == 6 && Equals(r.Cells[0], "email")));
        Assert.Contains(content.Rows, r => r.Cells.Count == 1 && r.Cells[0] is string s && s.Contains("100,000 of 100,005", StringComparison.Ordinal));
    }

    private static byte[] Bytes(ZipArchiveEntry entry)
    {
        using var stream = entry.Open();
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }
}
