using Annotate.Annotators.Semantic;

namespace Annotate.Annotators.Tests.Semantic;

public class LexicalCentralityTests
{
    private static readonly string[] Report =
    [
        "The heat pump cut the building's heating costs by a third in its first winter.",
        "Heating costs fell further once the heat pump ran on the night tariff.",
        "The canteen will serve a vegetarian menu on Fridays from next month.",
        "Engineers checked the heat pump and found its heating output as specified.",
        "It is what it was, and so it will be for all of us.",
    ];

    [Fact]
    public void A_sentence_sharing_the_documents_words_scores_above_one_about_something_else()
    {
        var scores = LexicalCentrality.Score(Report, CancellationToken.None);

        Assert.All(scores, s => Assert.InRange(s, 0.0, 1.0));
        Assert.True(scores[0] > 0 && scores[1] > 0 && scores[3] > 0, string.Join(", ", scores));
        // The two that share the most words with the others (heat, pump, heating, costs) come first.
        Assert.True(scores[0] > scores[3] && scores[1] > scores[3], string.Join(", ", scores));
        Assert.Equal(0, scores[2]);
        // Function words are not the document's words: a sentence of them alone scores nothing.
        Assert.Equal(0, scores[4]);
    }

    [Fact]
    public void Words_are_counted_without_regard_to_case()
    {
        var scores = LexicalCentrality.Score(["HEAT PUMP output was measured daily.", "The heat pump ran all winter.", "Lunch is at noon."], CancellationToken.None);

        Assert.True(scores[0] > 0, string.Join(", ", scores));
        Assert.Equal(scores[1], scores[0], 1e-9);
        // A sentence whose words no other one has is not central, however rare its words.
        Assert.Equal(0, scores[2]);
    }

    [Fact]
    public void Text_written_without_spaces_is_compared_by_pairs_of_characters()
    {
        // Chinese: three sentences on the heat pump (热泵) and heating costs (供暖费用), one on the canteen.
        string[] sentences = ["热泵使供暖费用降低了三分之一。", "夜间电价下热泵的供暖费用更低。", "食堂下个月起周五提供素食。", "工程师检查了热泵的供暖输出。"];

        var scores = LexicalCentrality.Score(sentences, CancellationToken.None);

        Assert.True(scores[0] > 0 && scores[1] > 0 && scores[3] > 0, string.Join(", ", scores));
        Assert.Equal(0, scores[2]);
    }

    [Fact]
    public void The_ranking_has_each_text_once_most_central_first()
    {
        string[] sentences =
        [
            "The canteen will serve a vegetarian menu on Fridays.",
            "The heat pump cut the heating costs.",
            "The heat pump cut the heating costs.",
            "Parking spaces for visitors are next to the canteen.",
            "THE HEAT PUMP CUT THE HEATING COSTS.",
            "The heat pump costs less to run than the boiler.",
        ];

        var ranked = LexicalCentrality.Ranked(sentences, CancellationToken.None);

        // The first of the repeated sentence stands for all three; the two on the heat pump share the most words.
        Assert.Equal([0, 1, 3, 5], ranked.Order());
        Assert.Equal([1, 5], ranked.Take(2).Order());
        Assert.Equal([0], LexicalCentrality.Ranked(sentences[1..3], CancellationToken.None));
        // Of equal scores, the earlier first.
        Assert.Equal([0, 1], LexicalCentrality.Ranked(["The heat pump ran.", "Pump heat was measured."], CancellationToken.None));
        Assert.Equal([0, 1], LexicalCentrality.Ranked(["Pump heat was measured.", "The heat pump ran."], CancellationToken.None));
    }

    [Fact]
    public void Empty_and_wordless_sentences_score_nothing()
    {
        Assert.Empty(LexicalCentrality.Score([], CancellationToken.None));
        Assert.Equal([0.0, 0.0], LexicalCentrality.Score(["12 345 678", "— · —"], CancellationToken.None));
    }
}
