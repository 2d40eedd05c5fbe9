using Annotate.Annotators.KeyValues;

namespace Annotate.Annotators.Tests.KeyValues;

public class LabelLineTests
{
    /// <summary>The label and value of each pair <see cref="LabelLine.Find"/> finds in a line of words.</summary>
    private static List<(string Label, string Value)> Pairs(string line)
    {
        var tokens = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return LabelLine.Find(tokens).Select(s => (TextPairs.LabelText(tokens, s), LabelLine.Join(tokens, s.ValueFrom, s.ValueTo))).ToList();
    }

    [Theory]
    [InlineData("Invoice number: 100482", "Invoice number", "100482")]
    // Six label words after a word that is not one (a number) are a label, as before.
    [InlineData("Payable within 14 days to our account with IBAN: DE89", "days to our account with IBAN", "DE89")]
    [InlineData("Date of supply of goods: 15.03.2024", "Date of supply of goods", "15.03.2024")]
    [InlineData("Amount payable in total incl. VAT: 1,190.00 EUR", "Amount payable in total incl. VAT", "1,190.00 EUR")]
    public void Labels_of_up_to_six_words_that_open_a_line_are_found(string line, string label, string value)
    {
        Assert.Equal([(label, value)], Pairs(line));
    }

    [Theory]
    [InlineData("The following values of arch are accepted: x86 arm")]
    [InlineData("For a list of the commands that are supported see: help")]
    [InlineData("If you want more detail refer to the conditions overview guide: page 4")]
    public void A_colon_after_a_sentence_longer_than_a_label_makes_no_pair(string line)
    {
        Assert.Empty(Pairs(line));
    }

    [Theory]
    [InlineData("Please transfer the amount due to our account at the bank with IBAN: DE89 3704 0044 0532 0130 00", "IBAN", "DE89 3704 0044 0532 0130 00")]
    // The longest run of words that names the key: an article is one of the words a key's name may have.
    [InlineData("Bitte geben Sie bei jeder Zahlung immer die Rechnungsnummer: 2024-0117", "die Rechnungsnummer", "2024-0117")]
    public void A_sentence_that_ends_with_a_key_s_name_before_its_colon_gives_that_name_as_the_label(string line, string label, string value)
    {
        Assert.Equal([(label, value)], Pairs(line));
    }

    [Fact]
    public void Labels_after_an_earlier_pair_on_the_line_are_still_found()
    {
        Assert.Equal([("Invoice No.", "F-17"), ("Date", "15.03.2024")], Pairs("Invoice No.: F-17 Date: 15.03.2024"));
    }
}
