using Annotate.Annotators.KeyValues;

namespace Annotate.Annotators.Tests.KeyValues;

public class KeyVocabularyTests
{
    [Theory]
    [InlineData("Rechnungs-Nr.:", "rechnungs no")]
    [InlineData("Rechnungsnummer", "rechnungs no")]
    [InlineData("Order #", "order no")]
    [InlineData("Order#12", "order no")]
    [InlineData("Facture n°", "facture no")]
    [InlineData("Nº de facture", "no facture")]
    [InlineData("Numéro de la facture", "no facture")]
    [InlineData("Fälligkeits-DATUM", "falligkeits datum")]
    [InlineData("VAT 19 %", "vat")]
    [InlineData("Total (EUR) 2024", "total eur")]
    [InlineData("Größe°C", "große c")]
    [InlineData("", "")]
    public void A_label_is_compared_in_lower_case_without_accents_numbers_or_fillers(string label, string canonical)
    {
        Assert.Equal(canonical, KeyVocabulary.Canonical(label));
    }

    [Fact]
    public void A_label_is_read_to_its_two_hundredth_character()
    {
        var label = new string('a', 199) + "bc" + " total";

        Assert.Equal(new string('a', 199) + "b", KeyVocabulary.Canonical(label));
    }
}
