using System.ComponentModel.DataAnnotations;
using Annotate.Annotators.Ocr;

namespace Annotate.Annotators.Tests.Ocr;

public class OcrOptionsTests
{
    [Theory]
    [InlineData(60_000_000, true)]
    [InlineData(1_000_000_000, true)]
    [InlineData(1_000_000_001, false)]
    // Past what an int holds: a validation failure, not an overflow thrown by the validator.
    [InlineData(5_000_000_000, false)]
    [InlineData(9_999, false)]
    public void The_largest_page_in_pixels_is_validated(long pixels, bool valid)
    {
        var options = new OcrOptions { MaxPixels = pixels };
        var results = new List<ValidationResult>();

        var passed = Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);

        Assert.Equal(valid, passed);
        Assert.Equal(valid, !results.Any(r => r.MemberNames.Contains(nameof(OcrOptions.MaxPixels))));
    }
}
