using System.Text.Json.Nodes;
using Annotate.Annotators.Annotations;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Models.Tasks;

namespace Annotate.Annotators.Tests.Models.Tasks;

public class GroundingTests
{
    private static readonly Document Invoice = new()
    {
        FileName = "invoice.txt",
        Format = SourceFormat.Text,
        Blocks =
        [
            new HeadingBlock(1, "INVOICE  No. INV-2024-117") { Location = SourceLocation.AtLine(1) },
            new ParagraphBlock("Issued on 15 March 2024 by Acme\n  Trading Ltd. Total due: 1.234,50 EUR by 15.04.2024.") { Location = SourceLocation.AtLine(3) },
            new TableBlock
            {
                Name = "Items",
                Columns = ["Item", "Amount", "Date"],
                HasHeaderRow = true,
                Location = SourceLocation.InSheet("Items", "A1"),
                Rows = new InMemoryRows(
                [
                    new TableRow(2, [CellValue.FromText("Consulting"), CellValue.FromNumber(1000), CellValue.FromDateTime(new DateTime(2024, 3, 1))]),
                    new TableRow(3, [CellValue.FromText("Travel"), CellValue.FromText("234,5"), CellValue.Empty]),
                ]),
            },
        ],
    };

    private static ExtractedField Ground(JsonNode value) =>
        Assert.Single(new Grounding().Ground(Invoice, new JsonObject { ["v"] = value }));

    [Fact]
    public void A_number_is_found_whatever_notation_the_text_uses()
    {
        var field = Ground(JsonValue.Create(1234.5m));
        Assert.True(field.Grounded);
        Assert.Equal(ExtractedField.GroundedStatus, field.Status);
        Assert.Equal("1.234,50", field.Text);
        Assert.Equal(1, field.Location!.Block);
        Assert.Equal(((ParagraphBlock)Invoice.Blocks[1]).Content.IndexOf("1.234,50", StringComparison.Ordinal), field.Location.Offset);
    }

    [Theory]
    [InlineData("1,234.50")]
    [InlineData("1234.5")]
    [InlineData("1 234,50")]
    public void A_number_written_as_text_is_found_too(string text)
    {
        Assert.True(Ground(JsonValue.Create(text)).Grounded);
    }

    [Fact]
    public void Numbers_in_cells_match_by_value_and_point_at_the_cell()
    {
        var amount = Ground(JsonValue.Create(1000));
        Assert.True(amount.Grounded);
        Assert.Equal("Items", amount.Location!.Sheet);
        Assert.Equal("B2", amount.Location.Cell);

        var travel = Ground(JsonValue.Create(234.5));
        Assert.Equal("B3", travel.Location!.Cell);
    }

    [Theory]
    [InlineData("2024-03-15", 1, null)]
    [InlineData("2024-04-15", 1, null)]
    [InlineData("2024-03-01", 2, "C2")]
    public void Dates_match_across_formats(string iso, int block, string? cell)
    {
        var field = Ground(JsonValue.Create(iso));
        Assert.True(field.Grounded, iso);
        Assert.Equal(block, field.Location!.Block);
        Assert.Equal(cell, field.Location.Cell);
    }

    [Fact]
    public void Case_and_white_space_do_not_matter_and_the_location_spans_the_original_text()
    {
        var field = Ground(JsonValue.Create("acme trading LTD"));
        Assert.True(field.Grounded);
        Assert.Equal("Acme\n  Trading Ltd", field.Text);
        var paragraph = ((ParagraphBlock)Invoice.Blocks[1]).Content;
        Assert.Equal(field.Text, paragraph.Substring(field.Location!.Offset!.Value, field.Location.Length!.Value));

        Assert.True(Ground(JsonValue.Create("inv-2024-117")).Grounded);
    }

    [Theory]
    [InlineData("Globex Corporation")]
    [InlineData("2024-03-16")]
    [InlineData("99.99")]
    [InlineData("5")]
    public void A_value_absent_from_the_text_is_ungrounded(string value)
    {
        var field = Ground(JsonValue.Create(value));
        Assert.False(field.Grounded);
        Assert.Equal(ExtractedField.UngroundedStatus, field.Status);
        Assert.Null(field.Location);
    }

    private static ExtractedField GroundIn(string text, string json) =>
        Assert.Single(new Grounding().Ground(
            new Document { FileName = "case.txt", Format = SourceFormat.Text, Blocks = [new ParagraphBlock(text) { Location = SourceLocation.AtLine(1) }] },
            new JsonObject { ["v"] = JsonNode.Parse(json) }));

    // Values as the model writes them (JSON), the text that holds them, and the span that grounds them: null when no
    // whole token of the text says the value.
    [Theory]
    // A number is not grounded by a part of a date, a time, an identifier, a phone number, an IBAN or a longer number.
    [InlineData("Issued 2024-03-14.", "-3", null)]
    [InlineData("Issued 2024-03-14.", "3", null)]
    [InlineData("Issued 2024-03-14.", "\"-3\"", null)]
    [InlineData("Issued 2024-03-14.", "14", null)]
    [InlineData("Issued 2024-03-14.", "2024", null)]
    [InlineData("Issued 14.03.2024.", "3", null)]
    [InlineData("Issued 14.03.2024.", "14", null)]
    [InlineData("Issued March 14, 2024.", "14", null)]
    [InlineData("Issued 15 March 2024.", "2024", null)]
    [InlineData("Invoice INV-2291-14", "14", null)]
    [InlineData("Invoice INV-2291-14", "-14", null)]
    [InlineData("Invoice INV-2291-14", "2291", null)]
    [InlineData("Invoice INV/2291", "2291", null)]
    [InlineData("Invoice INV-2291-14", "\"INV-2291\"", null)]
    [InlineData("Order 123", "12", null)]
    [InlineData("Order 123", "23", null)]
    [InlineData("Delivery at 12:30", "30", null)]
    [InlineData("Delivery at 12:30", "12", null)]
    [InlineData("Call +49 30 1234567", "49", null)]
    [InlineData("Call +49 30 1234567", "30", null)]
    [InlineData("Call +49 30 1234567", "1234567", null)]
    [InlineData("IBAN DE89 3704 0044 0532 0130 00", "22", null)]
    [InlineData("IBAN DE89 3704 0044 0532 0130 00", "89", null)]
    [InlineData("IBAN DE89 3704 0044 0532 0130 00", "3704", null)]
    [InlineData("Amount 1,250,000", "1250", null)]
    // A date is grounded as a date, and never inside a longer number.
    [InlineData("Ref 2024-03-14-7", "\"2024-03-14\"", null)]
    [InlineData("Ref 12024-03-14", "\"2024-03-14\"", null)]
    [InlineData("Ref 2024-03-1499", "\"2024-03-14\"", null)]
    [InlineData("Ref 2024-03-14.5", "\"2024-03-14\"", null)]
    [InlineData("Issued 14.03.2024.", "\"2024-03-14\"", "14.03.2024")]
    [InlineData("Issued March 14, 2024.", "\"2024-03-14\"", "March 14, 2024")]
    [InlineData("Issued 2024-03-14.", "\"2024-03-14\"", "2024-03-14")]
    [InlineData("Issued 2024-03-14T10:00.", "\"2024-03-14\"", "2024-03-14")]
    // Whole numbers in any notation still ground.
    [InlineData("Total 1,250.00", "1250", "1,250.00")]
    [InlineData("Total 1.250,00", "1250", "1.250,00")]
    [InlineData("Total 1 250,00", "1250", "1 250,00")]
    [InlineData("Total 1,250", "1250", "1,250")]
    [InlineData("Total:1250.", "1250", "1250")]
    [InlineData("Total 1250", "\"1,250\"", "1250")]
    [InlineData("VAT 19 %", "19", "19")]
    [InlineData("VAT 19%", "19", "19")]
    [InlineData("Due EUR 1,250.00 by Friday", "1250", "1,250.00")]
    [InlineData("Due 1.250,00 EUR", "1250", "1.250,00")]
    [InlineData("Balance -3 EUR", "-3", "-3")]
    [InlineData("Balance: -3", "\"-3\"", "-3")]
    [InlineData("Fiscal year 2024", "2024", "2024")]
    [InlineData("Order 123", "123", "123")]
    [InlineData("Items: 12, 30 and 14.", "14", "14")]
    public void A_value_is_grounded_only_by_a_whole_token_that_says_it(string text, string json, string? groundedBy)
    {
        var field = GroundIn(text, json);

        Assert.Equal(groundedBy is not null, field.Grounded);
        Assert.Equal(groundedBy, field.Text);
        if (groundedBy is not null)
        {
            Assert.Equal(text.IndexOf(groundedBy, StringComparison.Ordinal), field.Location!.Offset);
            Assert.Equal(groundedBy.Length, field.Location.Length);
        }
    }

    [Fact]
    public void Nested_leaves_get_json_pointers_nulls_are_skipped_and_booleans_are_unverifiable()
    {
        var values = new JsonObject
        {
            ["seller"] = "Acme Trading Ltd",
            ["buyer"] = null,
            ["paid"] = true,
            ["lineItems"] = new JsonArray(new JsonObject { ["description"] = "Travel", ["amount"] = 234.5 }),
        };

        var fields = new Grounding().Ground(Invoice, values);

        Assert.Equal(["/seller", "/paid", "/lineItems/0/description", "/lineItems/0/amount"], fields.Select(f => f.Path));
        Assert.Equal(ExtractedField.UnverifiableStatus, fields[1].Status);
        Assert.False(fields[1].Grounded);
        Assert.True(fields[2].Grounded);
        Assert.Equal("A3", fields[2].Location!.Cell);
    }

    [Fact]
    public void Number_readings_cover_the_ambiguous_thousands_separator()
    {
        Assert.Equal([1.234m, 1234m], Grounding.NumberReadings("1,234").Order());
        Assert.Equal([1234.5m], Grounding.NumberReadings("1.234,50"));
        Assert.Equal([-1234567.89m], Grounding.NumberReadings("-1,234,567.89"));
        Assert.Equal([12.5m], Grounding.NumberReadings("12,5"));
    }
}
