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

    [Theory]
    [InlineData("order-number", "4711", true)]
    [InlineData("order-number", "PO-2024-117", true)]
    [InlineData("order-number", "No. 4411 of 3 May", true)]
    [InlineData("order-number", "--flatten, --sort-by, --filter, --limit.", false)]
    [InlineData("order-number", "$ gcloud alpha storage buckets relocate gs://my-bucket --location=us-central1", false)]
    [InlineData("customer-number", "Contoso Retail Inc.", false)]
    [InlineData("vat-id", "DE 123 456 789", true)]
    [InlineData("total", "1,190.00 EUR", true)]
    [InlineData("iban", "Sparkasse Berlin, IBAN DE89 3704 0044 0532 0130 00", true)]
    [InlineData("iban", "Sparkasse Berlin", false)]
    [InlineData("net-total", "\"projects/PROJECT_NAME/global/networks/NETWORK_NAME\"", false)]
    [InlineData("date", "15 March 2024", true)]
    [InlineData("due-date", "upon receipt", true)]
    [InlineData("date", "$ gcloud projects list --format=\"table(projectNumber,createTime)\"", false)]
    [InlineData("bic", "COBADEFFXXX", true)]
    [InlineData("bic", "the bank's code", false)]
    [InlineData("currency", "EUR", true)]
    [InlineData("currency", "the currency of every amount in this document", false)]
    [InlineData("email", "billing@contoso.example", true)]
    [InlineData("email", "see the website", false)]
    [InlineData("phone", "+49 30 1234567", true)]
    [InlineData("phone", "ask at the desk", false)]
    [InlineData("delivery-address", "Hauptstraße 5, 10115 Berlin", true)]
    [InlineData("delivery-address", "--", false)]
    [InlineData("delivery-address", "--location=LOCATION] [GCLOUD_WIDE_FLAG ...]", false)]
    [InlineData("payment-terms", "{\"age\": 365} } ] }", false)]
    [InlineData("payment-terms", "30 days net", true)]
    [InlineData("reference", "\"Q3 review\"", true)]
    [InlineData("reference", "#4411", true)]
    [InlineData("no-such-key", "--", true)]
    public void A_key_fits_only_values_of_its_shape(string key, string value, bool fits)
    {
        Assert.Equal(fits, KeyVocabulary.Fits(key, value));
    }

    [Theory]
    [InlineData("Customer account number", true)]
    [InlineData("Amount payable in total", true)]
    [InlineData("Gesamtsumme brutto", true)]
    [InlineData("Montant à régler", true)]
    [InlineData("Payment due on", true)]
    [InlineData("Purchase order reference", true)]
    [InlineData("The following keys are accepted", false)]
    [InlineData("Weather forecast", false)]
    [InlineData("Please note the following", false)]
    [InlineData("Serial No.", false)]
    [InlineData("登録番号", false)]
    [InlineData("", false)]
    public void A_label_shares_a_word_with_the_vocabulary_by_its_first_five_letters(string label, bool shares)
    {
        Assert.Equal(shares, KeyVocabulary.SharesAWord(label));
    }

    [Theory]
    [InlineData("Ordered by", false)]
    [InlineData("Invoice paid by", false)]
    [InlineData("Rechnung geprüft von", false)]
    [InlineData("Bestellt durch", false)]
    [InlineData("Commande validée par", false)]
    [InlineData("Commandé par", false)]
    [InlineData("Payment by", true)] // how: by bank transfer
    [InlineData("Zahlung durch", true)]
    [InlineData("Paiement par", true)]
    [InlineData("Order", true)]
    public void A_label_that_names_who_did_something_does_not_read_as_a_key_one_that_says_how_does(string label, bool may)
    {
        Assert.Equal(may, KeyVocabulary.MayReadAsAKey(label));
    }
}
