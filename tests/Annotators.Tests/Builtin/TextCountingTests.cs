using Annotate.Annotators.Builtin;

namespace Annotate.Annotators.Tests.Builtin;

public class TextCountingTests
{
    [Theory]
    [InlineData("", false, false, 0)]
    [InlineData("12.50 €", false, true, 4)]
    [InlineData("Nº 7", true, true, 1)]
    [InlineData("٣ كتب", true, true, 1)]
    [InlineData("— … %", false, false, 0)]
    [InlineData("abc", true, false, 0)]
    public void Letters_and_digits_of_any_script_are_found_and_counted(string text, bool letter, bool digit, int digits)
    {
        Assert.Equal((letter, digit, digits), (TextCounting.HasLetter(text), TextCounting.HasDigit(text), TextCounting.CountDigits(text)));
    }
}
