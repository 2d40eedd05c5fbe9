using System.Text;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Readers;
using Annotate.Annotators.Readers.Text;
using Annotate.Annotators.Tests.Support;

namespace Annotate.Annotators.Tests.Readers.Text;

public class DelimitedTextReaderTests
{
    private readonly DelimitedTextReader _reader = new();

    private async Task<(Document Document, TableBlock Table, List<TableRow> Rows)> Read(byte[] bytes, string name)
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File(name), bytes);
        var document = await _reader.ReadAsync(new DocumentSource(dir.File(name), name), CancellationToken.None);
        var table = Assert.IsType<TableBlock>(Assert.Single(document.Blocks));
        return (document, table, table.Rows.ToList());
    }

    private Task<(Document Document, TableBlock Table, List<TableRow> Rows)> Read(string text, string name) => Read(Encoding.UTF8.GetBytes(text), name);

    [Fact]
    public async Task Csv_with_a_header_row_yields_typed_columns()
    {
        var (document, table, rows) = await Read(
            "Invoice,Date,Amount,Paid,Customer\nINV-001,2024-03-15,1234.50,true,Acme GmbH\nINV-002,2024-04-01,99,false,Globex\n", "invoices.csv");

        Assert.Equal(",", document.Properties.Delimiter);
        Assert.Equal("utf-8", document.Properties.Encoding);
        Assert.Equal("invoices", table.Name);
        Assert.True(table.HasHeaderRow);
        Assert.Equal(["Invoice", "Date", "Amount", "Paid", "Customer"], table.Columns);
        Assert.Equal(1, table.FirstRow);
        Assert.Equal([2L, 3L], rows.Select(r => r.Number));
        var first = rows[0].Cells;
        Assert.Equal(CellValue.FromText("INV-001"), first[0]);
        Assert.Equal(CellValue.FromDateTime(new DateTime(2024, 3, 15)), first[1]);
        Assert.Equal(CellValue.FromNumber(1234.5) with { Display = "1234.50" }, first[2]);
        Assert.Equal(CellValue.FromBoolean(true), first[3]);
        Assert.Equal(99, rows[1].Cells[2].Number);
        Assert.Equal("A1:E3", table.Location.Cell);
    }

    [Fact]
    public async Task Csv_without_a_header_row_keeps_the_first_row_as_data()
    {
        var (_, table, rows) = await Read("2024-01-05,17.5,Widget\n2024-01-06,3,Gadget\n", "export.csv");

        Assert.False(table.HasHeaderRow);
        Assert.Equal(["Column1", "Column2", "Column3"], table.Columns);
        Assert.Equal(2, rows.Count);
        Assert.Equal(1, rows[0].Number);
        Assert.Equal(17.5, rows[0].Cells[1].Number);
    }

    [Fact]
    public async Task Semicolon_file_with_decimal_commas_and_day_first_dates()
    {
        var (document, table, rows) = await Read("Artikel;Preis;Datum\nSchraube;1.234,56;03.04.2024\nMutter;0,5;13.12.2023\n", "preise.csv");

        Assert.Equal(";", document.Properties.Delimiter);
        Assert.True(table.HasHeaderRow);
        Assert.Equal(1234.56, rows[0].Cells[1].Number);
        Assert.Equal(0.5, rows[1].Cells[1].Number);
        Assert.Equal(new DateTime(2024, 4, 3), rows[0].Cells[2].DateTime);
        Assert.Equal(new DateTime(2023, 12, 13), rows[1].Cells[2].DateTime);
    }

    [Fact]
    public async Task Windows_1252_input_is_decoded()
    {
        var bytes = CodePagesEncoding().GetBytes("Name;Stadt;Umsatz\nMüller;Köln;12,50\nGroß;Düsseldorf;7\n");

        var (document, _, rows) = await Read(bytes, "kunden.csv");

        Assert.Equal("windows-1252", document.Properties.Encoding);
        Assert.Equal("Müller", rows[0].Cells[0].Text);
        Assert.Equal("Köln", rows[0].Cells[1].Text);
        Assert.Equal("Düsseldorf", rows[1].Cells[1].Text);
    }

    [Fact]
    public async Task Tab_separated_values_are_read()
    {
        var (document, table, rows) = await Read("id\tname\tscore\n7\tAnn Lee\t3.5\n8\tBo, Jr.\t4\n", "scores.tsv");

        Assert.Equal("\t", document.Properties.Delimiter);
        Assert.Equal(["id", "name", "score"], table.Columns);
        Assert.Equal("Bo, Jr.", rows[1].Cells[1].Text);
        Assert.Equal(4, rows[1].Cells[2].Number);
    }

    [Fact]
    public async Task Quoted_fields_keep_delimiters_and_line_breaks_and_rows_keep_their_line_numbers()
    {
        var (_, table, rows) = await Read(
            "Name,Address,Note\n\"Smith, John\",\"1 Main St\nSpringfield\",\"said \"\"hi\"\"\"\nDoe,Elm Road,none\n", "contacts.csv");

        Assert.True(table.HasHeaderRow);
        Assert.Equal(2, rows.Count);
        Assert.Equal("Smith, John", rows[0].Cells[0].Text);
        Assert.Equal("1 Main St\nSpringfield", rows[0].Cells[1].Text);
        Assert.Equal("said \"hi\"", rows[0].Cells[2].Text);
        Assert.Equal(2, rows[0].Number);
        Assert.Equal(4, rows[1].Number); // the quoted line break took line 3
    }

    [Fact]
    public async Task Identifiers_with_leading_zeros_stay_text()
    {
        var (_, _, rows) = await Read("Postcode,City\n01067,Dresden\n80331,München\n", "plz.csv");

        Assert.Equal(CellKind.Text, rows[0].Cells[0].Kind);
        Assert.Equal("01067", rows[0].Cells[0].Text);
        Assert.Equal(CellKind.Number, rows[1].Cells[0].Kind);
    }

    [Fact]
    public async Task Malformed_quoting_fails_as_corrupt_with_the_line_number()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("bad.csv"), "a,b,c\n1,2,3\n4,\"unclosed,6\n7,8,9\n");

        var ex = await Assert.ThrowsAsync<AnnotationException>(() =>
            _reader.ReadAsync(new DocumentSource(dir.File("bad.csv"), "bad.csv"), CancellationToken.None));

        Assert.Equal(FailureReason.Corrupt, ex.Reason);
        Assert.Contains("'bad.csv'", ex.Message);
        Assert.Contains("line 3", ex.Message);
    }

    [Fact]
    public async Task Text_after_a_closing_quote_fails_as_corrupt()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("bad.csv"), "a,b\n1,2\n3,\"x\"y\n");

        var ex = await Assert.ThrowsAsync<AnnotationException>(() =>
            _reader.ReadAsync(new DocumentSource(dir.File("bad.csv"), "bad.csv"), CancellationToken.None));

        Assert.Equal(FailureReason.Corrupt, ex.Reason);
        Assert.Contains("line 3", ex.Message);
    }

    private static Encoding CodePagesEncoding()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding(1252);
    }
}
