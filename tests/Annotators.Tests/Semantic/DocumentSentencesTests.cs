using Annotate.Annotators.Documents;
using Annotate.Annotators.Semantic;

namespace Annotate.Annotators.Tests.Semantic;

public class DocumentSentencesTests
{
    private static List<string> Sentences(string text) =>
        [.. DocumentSentences.Read(new Document
        {
            FileName = "document.txt",
            Format = SourceFormat.Text,
            Blocks = [new ParagraphBlock(text) { Location = SourceLocation.AtLine(1) }],
        }, 100, CancellationToken.None).Select(s => s.Text)];

    [Fact]
    public void Text_wrapped_at_a_fixed_width_is_read_as_its_sentences_not_its_lines()
    {
        const string Wrapped = "The licences for most software are designed\nto take away your freedom to share and\nchange it. By contrast, the licence is\n  intended to guarantee your freedom.";

        Assert.Equal(
            ["The licences for most software are designed\nto take away your freedom to share and\nchange it.", "By contrast, the licence is\n  intended to guarantee your freedom."],
            Sentences(Wrapped));
    }

    [Fact]
    public void A_line_wrapped_at_the_paragraphs_width_goes_on_in_the_next_whatever_its_case()
    {
        const string Wrapped = """
            This program is free software: you can redistribute it and/or modify it
            under the terms of the GNU General Public License as published by the Free
            Software Foundation, either version 3 of the License, or any later version.
            See the GNU General Public License for more details.
            Short line without a stop
            Another one
            """;

        Assert.Equal(
            [
                "This program is free software: you can redistribute it and/or modify it\nunder the terms of the GNU General Public License as published by the Free\nSoftware Foundation, either version 3 of the License, or any later version.",
                "See the GNU General Public License for more details.",
                "Short line without a stop",
                "Another one",
            ],
            Sentences(Wrapped));
    }

    [Fact]
    public void A_paragraph_that_begins_or_ends_with_a_line_break_is_read_without_error()
    {
        var wide = new string('x', 70);

        Assert.Equal([$"Wide {wide}\nline", "Next"], Sentences($"\nWide {wide}\nline\nNext\n"));
        Assert.Equal([$"Wide {wide} line"], Sentences($"\n\nWide {wide} line\n\n\n"));
    }

    [Fact]
    public void Lines_of_a_paragraph_narrower_than_a_wrapping_width_are_sentences_of_their_own()
    {
        // Three lines, the longest under 60 characters: labels and values, not text wrapped at a width.
        Assert.Equal(["Bill to: Contoso Ltd, 1 Main Street, Springfield", "Payment terms: Net 30 days", "Total: EUR 1,190.00"],
            Sentences("Bill to: Contoso Ltd, 1 Main Street, Springfield\nPayment terms: Net 30 days\nTotal: EUR 1,190.00"));
    }

    [Fact]
    public void A_line_that_starts_otherwise_than_in_lower_case_starts_a_sentence()
    {
        Assert.Equal(["Invoice number: 4711", "Date: 3 March 2025", "- two chairs", "120.00 EUR", "Nr. 5 is due"],
            Sentences("Invoice number: 4711\nDate: 3 March 2025\n- two chairs\n120.00 EUR\nNr. 5 is due"));
    }

    [Theory]
    [InlineData("The board approved the budget.", true)]
    [InlineData("Did the board approve the budget?", true)]
    [InlineData("He said \"the budget is approved.\"", true)]
    [InlineData("(The budget was approved.)  ", true)]
    [InlineData("理事会批准了预算。", true)]
    [InlineData("Total: 268.94 EUR", false)]
    [InlineData("Copy paper A4       20    4.50         90.00", false)]
    [InlineData("- two chairs and a table", false)]
    [InlineData("Payment terms: 30 days net", false)]
    [InlineData("provide the argument --project on the command line.", false)]
    [InlineData("--instance=INSTANCE The Cloud Spanner instance for the database.", false)]
    [InlineData("• Two chairs were delivered.", false)]
    [InlineData("¿Dónde está la factura?", true)]
    [InlineData("2024 was a good year.", true)]
    [InlineData("", false)]
    public void A_sentence_reads_as_one_from_a_capital_digit_quote_or_bracket_to_its_final_mark_before_closing_quotes_or_brackets(string text, bool reads)
    {
        Assert.Equal(reads, DocumentSentences.ReadsAsSentence(text));
    }

    [Fact]
    public void A_blank_line_ends_a_sentence_whatever_follows()
    {
        Assert.Equal(["The first paragraph ends without a stop", "and the second begins in lower case."],
            Sentences("The first paragraph ends without a stop\n \n\nand the second begins in lower case."));
    }

    [Fact]
    public void A_stop_ends_a_sentence_unless_what_follows_continues_it()
    {
        Assert.Equal(["See No. 5 of the contract, e.g. the clause on May.", "It applies from June!", "When does it end?", "In December…", "Not after that."],
            Sentences("See No. 5 of the contract, e.g. the clause on May. It applies from June! When does it end? In December… Not after that."));
    }
}
