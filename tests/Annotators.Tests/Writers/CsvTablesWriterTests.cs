using System.Text;
using Annotate.Annotators.Annotations;
using Annotate.Annotators.Tests.Readers.Xlsx;
using Annotate.Annotators.Tests.Support;
using Annotate.Annotators.Writers;
using Annotate.Annotators.Writers.Xlsx;

namespace Annotate.Annotators.Tests.Writers;

public class CsvTablesWriterTests
{
    private readonly CsvTablesWriter _writer = new();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Each_sheet_table_becomes_a_clean_csv_named_after_its_sheet(bool streamed)
    {
        using var dir = new TempDir();
        TestWorkbooks.Ledger(dir.File("ledger.xlsx"));
        var document = XlsxReaderTests.Read(dir.File("ledger.xlsx"), streamed);
        var context = WriterFixtures.Context(document, new AnnotationSet(), dir.File("ledger.xlsx"), dir.File("out"));

        var written = await _writer.WriteAsync(context, CancellationToken.None);

        Assert.Equal(["Ledger.csv", "Secret.csv", "Raw.csv"], written.Select(w => w.Name));
        Assert.All(written, w => Assert.Equal("text/csv", w.MediaType));
        Assert.All(written, w => Assert.Equal("csv", w.Kind));
        var ledger = File.ReadAllBytes(Path.Combine(context.OutputDirectory, "Ledger.csv"));
        Assert.NotEqual(0xEF, ledger[0]);
        Assert.Equal(
            "Date,Customer,Amount,Paid,Customer_2,Column6\r\n" +
            "2024-03-01,Acme GmbH,1250.5,true,anna@example.com,\r\n" +
            "2024-03-02T14:30:00,Globex,-20,false,,note\r\n" +
            ",Merged note,,,,\r\n",
            Encoding.UTF8.GetString(ledger));
        Assert.Equal("Column1,Column2\r\nalpha,beta\r\ngamma,delta\r\n", File.ReadAllText(Path.Combine(context.OutputDirectory, "Raw.csv")));
    }

    [Fact]
    public async Task Sheets_with_several_tables_name_each_file_after_sheet_and_table()
    {
        using var dir = new TempDir();
        var source = TestFiles.Corpus("xlsx/UsingTables.xlsx");
        var context = WriterFixtures.Context(XlsxReaderTests.Read(source, streamed: false), new AnnotationSet(), source, dir.File("out"));

        var written = await _writer.WriteAsync(context, CancellationToken.None);

        Assert.Equal(["Contacts Table-Table1.csv", "Contacts Table-Headers.csv", "Contacts Table-Table2.csv"], written.Select(w => w.Name));
        var lines = File.ReadAllLines(Path.Combine(context.OutputDirectory, "Contacts Table-Table1.csv"));
        Assert.Equal("FName,LName,Outcast,DOB,Income,Age", lines[0]);
        Assert.Equal(4, lines.Length);
        Assert.StartsWith("John,Galt,true,1919-01-21,2000,", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Csv_source_is_written_as_data_csv_with_rfc4180_quoting()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("contacts.csv"), "x");
        var context = WriterFixtures.Context(WriterFixtures.CsvDocument(), new AnnotationSet(), dir.File("contacts.csv"), dir.File("out"));

        var written = Assert.Single(await _writer.WriteAsync(context, CancellationToken.None));

        Assert.Equal("data.csv", written.Name);
        Assert.Equal(
            "Name,Joined,Score,Active,Note\r\n" +
            "\"Ann, Jr.\",2023-05-17,9.5,true,\"said \"\"hi\"\"\nthen left\"\r\n" +
            "Bo,2023-05-18T08:15:00,-1,false,\r\n" +
            "\" Zoë \",,1E+21,,ok\r\n",
            File.ReadAllText(Path.Combine(context.OutputDirectory, "data.csv"), Encoding.UTF8));
    }

    [Theory]
    [InlineData("Q1/Q2: sales?", "Q1_Q2_ sales_")]
    [InlineData("  ..  ", "table")]
    [InlineData("CON", "_CON")]
    [InlineData("nul.txt", "_nul.txt")]
    [InlineData("Übersicht 2024", "Übersicht 2024")]
    public void Sheet_names_are_made_safe_file_names(string sheet, string expected)
    {
        Assert.Equal(expected, OutputFileNames.Clean(sheet));
    }

    [Fact]
    public void Names_that_collide_after_cleaning_are_made_unique()
    {
        var names = new OutputFileNames();

        Assert.Equal("a_b.csv", names.Next("a/b", ".csv"));
        Assert.Equal("a_b-2.csv", names.Next("a:b", ".csv"));
        Assert.Equal("A_B-3.csv", names.Next("A?B", ".csv"));
    }
}
