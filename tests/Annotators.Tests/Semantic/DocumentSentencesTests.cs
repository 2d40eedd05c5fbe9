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
    public void A_line_that_starts_otherwise_than_in_lower_case_starts_a_sentence()
    {
        Assert.Equal(["Invoice number: 4711", "Date: 3 March 2025", "- two chairs", "120.00 EUR", "Nr. 5 is due"],
            Sentences("Invoice number: 4711\nDate: 3 March 2025\n- two chairs\n120.00 EUR\nNr. 5 is due"));
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
