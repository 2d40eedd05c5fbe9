using Annotate.Annotators.Readers.Pdf;

namespace Annotate.Annotators.Tests.Readers.Pdf;

public class PdfDatesTests
{
    [Theory]
    [InlineData("D:20240315120000+01'00'", "2024-03-15T12:00:00+01:00")]
    [InlineData("D:20240315120000+01'00", "2024-03-15T12:00:00+01:00")]
    [InlineData("D:20240315120000-05'30'", "2024-03-15T12:00:00-05:30")]
    [InlineData("D:20240315120000Z", "2024-03-15T12:00:00+00:00")]
    [InlineData("D:20240315120000Z00'00'", "2024-03-15T12:00:00+00:00")]
    [InlineData("20240315", "2024-03-15T00:00:00+00:00")]
    [InlineData("D:2024", "2024-01-01T00:00:00+00:00")]
    public void Pdf_date_strings_are_parsed_with_their_offset(string value, string expected)
    {
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), PdfDates.Parse(value));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("yesterday")]
    [InlineData("D:20241345000000")]
    [InlineData("D:20240230000000")]
    public void Invalid_pdf_dates_are_null(string? value)
    {
        Assert.Null(PdfDates.Parse(value));
    }
}
