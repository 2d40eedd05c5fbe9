using System.ComponentModel.DataAnnotations;
using Annotate.Annotators.Readers;

namespace Annotate.Annotators.Tests.Readers;

public class ReaderOptionsTests
{
    [Theory]
    [InlineData(0, true)]
    [InlineData(512L << 20, true)]
    [InlineData(1L << 30, true)]
    [InlineData((1L << 30) + 1, false)]
    [InlineData(8L << 30, false)]
    [InlineData(-1, false)]
    public void The_in_memory_pdf_size_is_validated_up_to_one_gibibyte(long bytes, bool valid)
    {
        var options = new ReaderOptions { PdfInMemoryMaxBytes = bytes };
        var results = new List<ValidationResult>();

        var passed = Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);

        Assert.Equal(valid, passed);
        Assert.Equal(valid, !results.Any(r => r.MemberNames.Contains(nameof(ReaderOptions.PdfInMemoryMaxBytes))));
    }
}
