using Annotate.Annotators.Evaluation;

namespace Annotate.Annotators.Tests.Evaluation;

public sealed class ValueNormaliserTests
{
    [Theory]
    [InlineData("1,234.50", "1234.5")]
    [InlineData("1.234,50", "1234.5")]
    [InlineData("1 234,50", "1234.5")]
    [InlineData("1\u202F234,50", "1234.5")]
    [InlineData("1'234.50", "1234.5")]
    [InlineData("1234.5", "1234.5")]
    [InlineData("1234", "1234")]
    [InlineData("1,234", "1234")]
    [InlineData("1.234.567", "1234567")]
    [InlineData("0.125", "0.125")]
    [InlineData("12,5", "12.5")]
    [InlineData("-7.10", "-7.1")]
    [InlineData("(7.10)", "-7.1")]
    public void Numbers_in_any_common_notation_are_one_number(string text, string expected) =>
        Assert.Equal(expected, ValueNormaliser.Normalise(text, FieldKind.Number));

    [Theory]
    [InlineData("12.34.5")]
    [InlineData("1,23,4")]
    [InlineData("1.234,5.6")]
    [InlineData("12a")]
    [InlineData("")]
    [InlineData("2024-03-15")]
    public void Text_that_is_not_one_number_is_not_read_as_one(string text) =>
        Assert.Null(ValueNormaliser.Number(text));

    [Theory]
    [InlineData("2024-03-15")]
    [InlineData("15.03.2024")]
    [InlineData("15/03/2024")]
    [InlineData("03/15/2024")]
    [InlineData("15 March 2024")]
    [InlineData("March 15, 2024")]
    [InlineData("15. März 2024")]
    [InlineData("15 mars 2024")]
    [InlineData("2024-03-15T10:30:00Z")]
    public void Dates_in_common_formats_are_iso(string text) =>
        Assert.Equal("2024-03-15", ValueNormaliser.Date(text));

    [Theory]
    [InlineData("1,190.00 EUR", "1190 €", true)]
    [InlineData("EUR 1.190,00", "1190", true)]
    [InlineData("$1,190.00", "1190.00 USD", true)]
    [InlineData("1,190.00 EUR", "1190.00 USD", false)]
    [InlineData("1,190.00 EUR", "1190.01 EUR", false)]
    public void Amounts_match_on_number_and_currency(string expected, string produced, bool matches) =>
        Assert.Equal(matches, ValueNormaliser.Matches(expected, produced, FieldKind.Amount));

    [Theory]
    [InlineData("Müller GmbH", "MULLER  gmbh", true)]
    [InlineData("Straße AG", "Strasse AG", true)]
    [InlineData("ACME, Inc.", "acme inc", true)]
    [InlineData("Acme", "Acme Ltd", false)]
    public void Names_match_without_case_diacritics_punctuation_or_spacing(string expected, string produced, bool matches) =>
        Assert.Equal(matches, ValueNormaliser.Matches(expected, produced, FieldKind.Name));

    [Theory]
    [InlineData("2024-03-15", FieldKind.Date)]
    [InlineData("1.190,00 €", FieldKind.Amount)]
    [InlineData("1,190.00", FieldKind.Number)]
    [InlineData("INV-2024-17", FieldKind.Name)]
    public void Kind_is_told_from_the_reference_value(string value, FieldKind kind) =>
        Assert.Equal(kind, ValueNormaliser.Infer(value));
}
