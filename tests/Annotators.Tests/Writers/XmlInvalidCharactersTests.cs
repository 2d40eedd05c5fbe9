using System.Text;
using Annotate.Annotators.Annotations;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Readers;
using Annotate.Annotators.Tests.Readers.Xlsx;
using Annotate.Annotators.Tests.Support;
using Annotate.Annotators.Writers;
using Annotate.Annotators.Writers.Xlsx;
using ClosedXML.Excel;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.Tests.Writers;

public class XmlInvalidCharactersTests
{
    private static IDocumentPipeline Pipeline(bool streamed) =>
        new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?> { ["Annotate:Readers:StreamingTextBytes"] = streamed ? "0" : null })
                .Build())
            .AddLogging()
            .AddAnnotators()
            .BuildServiceProvider()
            .GetRequiredService<IDocumentPipeline>();

    /// <summary>A CSV of more than 64 KB of ordinary rows, then one row whose note holds a NUL and a vertical tab.</summary>
    private static string WriteCsvWithControlCharactersLate(TempDir dir, out int hostileLine)
    {
        var text = new StringBuilder("Id,Name,Note\n");
        var line = 1;
        while (text.Length < 80 * 1024)
        {
            line++;
            text.Append(line).Append(",Customer ").Append(line).Append(",ordinary note\n");
        }
        hostileLine = ++line;
        text.Append(line).Append(",Nul\0Customer,bad\vnote\n");
        text.Append(line + 1).Append(",Last,fine\n");
        var path = dir.File("late-nul.csv");
        File.WriteAllText(path, text.ToString(), new UTF8Encoding(false));
        return path;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_csv_with_a_nul_after_64_KB_completes_with_a_workbook_that_opens_and_a_notice_of_the_removed_characters(bool streamed)
    {
        using var dir = new TempDir();
        var path = WriteCsvWithControlCharactersLate(dir, out var hostileLine);

        var result = await Pipeline(streamed).RunAsync(new AnnotationRequest
        {
            DocumentId = "late-nul",
            Source = new DocumentSource(path, "late-nul.csv"),
            OutputDirectory = dir.File("out"),
        }, CancellationToken.None);

        // The reader keeps the text: stray control characters do not make a CSV binary.
        var table = Assert.Single(result.Document.Blocks.OfType<Annotate.Annotators.Documents.TableBlock>());
        var row = table.Rows.Single(r => r.Number == hostileLine);
        Assert.Equal("Nul\0Customer", row.Cells[1].Text);

        using (var workbook = new XLWorkbook(Path.Combine(dir.File("out"), AnnotatedWorkbookWriter.FileName)))
        {
            var data = workbook.Worksheet(AnnotatedWorkbookWriter.DataSheetName);
            Assert.Equal("NulCustomer", data.Cell(hostileLine, 2).GetString());
            Assert.Equal("badnote", data.Cell(hostileLine, 3).GetString());
            var notes = workbook.Worksheet(AnnotatedWorkbookWriter.SheetName).ColumnsUsed().First().CellsUsed().Select(c => c.GetString()).ToList();
            Assert.Contains("Note", notes);
        }

        var notice = Assert.Single(result.Annotations.Notices, n => n.Code == "xml-characters-removed");
        // The NUL and the vertical tab of the Data sheet; the Annotations sheet may quote the cell again as an example.
        Assert.Contains($"2 in sheet 'Data' (first at B{hostileLine})", notice.Message, StringComparison.Ordinal);
        Assert.Contains("annotated.xlsx", notice.Message, StringComparison.Ordinal);

        // annotations.json, written beside the workbook, is written again once the workbook added the notice: it lists it too.
        var json = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(dir.File("out"), "annotations.json")))!;
        Assert.Contains(json["notices"]!.AsArray(), n => (string?)n!["code"] == "xml-characters-removed");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Findings_holding_control_characters_leave_a_workbook_that_opens_on_both_paths(bool packageCopy)
    {
        using var dir = new TempDir();
        var source = dir.File("ledger.xlsx");
        TestWorkbooks.Ledger(source);
        var document = XlsxReaderTests.Read(source, streamed: packageCopy, name: "ledger.xlsx");
        var annotations = WriterFixtures.LedgerAnnotations();
        annotations.Entities.Add(new EntityAnnotation
        {
            Type = "email", Text = "x\u0001y\uFFFE@example.com\uD800", Value = "normalised@example.com", Location = SourceLocation.InSheet("Ledger", "E3"), Annotator = "patterns",
        });
        var context = WriterFixtures.Context(document, annotations, source, dir.File("out"));
        var writer = new AnnotatedWorkbookWriter(Options.Create(new ReaderOptions { StreamingWorkbookBytes = packageCopy ? 0 : long.MaxValue }), NullLogger<AnnotatedWorkbookWriter>.Instance);

        await writer.WriteAsync(context, CancellationToken.None);

        using var workbook = new XLWorkbook(Path.Combine(context.OutputDirectory, AnnotatedWorkbookWriter.FileName));
        var texts = workbook.Worksheet(AnnotatedWorkbookWriter.SheetName).CellsUsed().Select(c => c.GetString()).ToList();
        Assert.Contains("xy@example.com", texts);
        var notice = Assert.Single(annotations.Notices, n => n.Code == "xml-characters-removed");
        Assert.Contains("3 characters", notice.Message, StringComparison.Ordinal);
        Assert.Contains("'Annotations'", notice.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Strip_removes_controls_noncharacters_and_lone_surrogates_but_keeps_tabs_line_breaks_and_pairs()
    {
        // A lone low surrogate, then a lone high one right before a well-formed pair (an emoji).
        var text = "a\0b\tc\r\nd\u001Fe\uFFFEf\uFFFFg\uDC00h\uD800" + char.ConvertFromUtf32(0x1F600) + "\u0085i";

        var clean = XmlTextCleaner.Strip(text, out var removed);

        Assert.Equal("ab\tc\r\ndefgh" + char.ConvertFromUtf32(0x1F600) + "\u0085i", clean);
        Assert.Equal(6, removed);
    }

    [Fact]
    public void Strip_returns_clean_text_itself()
    {
        var text = "plain text with an emoji " + char.ConvertFromUtf32(0x1F600);

        Assert.Same(text, XmlTextCleaner.Strip(text, out var removed));
        Assert.Equal(0, removed);
    }

    [Fact]
    public void Fit_never_cuts_a_surrogate_pair_in_half()
    {
        var emoji = char.ConvertFromUtf32(0x1F600);
        var text = new string('a', AnnotationSheetContent.MaxCellText - 2) + emoji + "tail";

        var fitted = AnnotationSheetContent.Fit(text);

        Assert.True(fitted.Length <= AnnotationSheetContent.MaxCellText);
        XmlTextCleaner.Strip(fitted, out var removed);
        Assert.Equal(0, removed);
        Assert.EndsWith("a…", fitted, StringComparison.Ordinal);
    }
}
