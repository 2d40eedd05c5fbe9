using Annotate.Annotators.Embeddings;
using Annotate.Annotators.KeyValues;
using Annotate.Annotators.Tests.Embeddings;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace Annotate.Annotators.Tests.KeyValues;

[Collection(EmbedderCollection.Name)]
public class KeyNormaliserTests(EmbedderFixture fixture, ITestOutputHelper output)
{
    private readonly KeyNormaliser _normaliser = new(fixture.Embedder, Options.Create(new KeyValueOptions()));

    [Theory]
    [InlineData("Invoice No.", "invoice-number")]
    [InlineData("Invoice #", "invoice-number")]
    [InlineData("Rechnung Nr.", "invoice-number")]
    [InlineData("Rechnungs-Nr.:", "invoice-number")]
    [InlineData("Facture n°", "invoice-number")]
    [InlineData("N° de facture", "invoice-number")]
    [InlineData("Numéro de facture", "invoice-number")]
    [InlineData("Kundennummer", "customer-number")]
    [InlineData("Fälligkeitsdatum", "due-date")]
    [InlineData("Date d'échéance", "due-date")]
    [InlineData("USt-IdNr.", "vat-id")]
    [InlineData("Montant TTC", "total")]
    [InlineData("Montant dû", "total")]
    [InlineData("Steuerbetrag", "vat")]
    [InlineData("Date de la facture", "date")]
    [InlineData("Lieferadresse", "delivery-address")]
    [InlineData("Sum", "total")]
    [InlineData("Billing address", "bill-to")] // by similarity 0.57, under the threshold
    [InlineData("Invoice address", "bill-to")] // invoice-number 0.81 before bill-to 0.79
    [InlineData("Customer address", "bill-to")] // customer-number 0.75, and "5 Main Street" has a digit first
    [InlineData("Rechnungsanschrift", "bill-to")]
    [InlineData("Adresse du client", "bill-to")]
    [InlineData("Sold by", "issuer")] // bill-to 0.81: "sold to" and "sold by" are one vector apart
    [InlineData("Invoiced by", "issuer")]
    [InlineData("Facturé par", "issuer")]
    [InlineData("Facture établie par", "issuer")] // issuer 0.78 by similarity, which a label naming who did something no longer takes
    [InlineData("Ausgestellt von", "issuer")]
    [InlineData("Payment method", "payment-method")] // payment-terms 0.73 by similarity before it had a key
    [InlineData("Method of payment", "payment-method")]
    [InlineData("Zahlungsart", "payment-method")]
    [InlineData("Mode de règlement", "payment-method")]
    [InlineData("Zahlung durch", "payment-method")] // payment-terms by similarity: how one pays, not when
    [InlineData("Zahlung per", "payment-method")]
    [InlineData("Bezahlung per", "payment-method")]
    [InlineData("Paiement par", "payment-method")]
    [InlineData("Règlement par", "payment-method")]
    [InlineData("Payment via", "payment-method")]
    public void Names_of_a_key_in_any_of_the_languages_are_aliases(string label, string key)
    {
        var match = _normaliser.Normalise([label], CancellationToken.None)[0];

        Assert.Equal((key, "alias", 1.0), (match?.Key, match?.Method, match?.Score));
    }

    [Theory]
    [InlineData("Invoice reference number", "invoice-number")]
    [InlineData("Amount payable in total", "total")]
    [InlineData("Payment due on", "due-date")]
    [InlineData("Customer account number", "customer-number")]
    [InlineData("VAT registration", "vat-id")]
    [InlineData("Purchase order reference", "order-number")]
    [InlineData("Gesamtsumme brutto", "total")]
    public void Other_wordings_take_the_closest_key_by_embedding_similarity(string label, string key)
    {
        output.WriteLine(string.Join(", ", _normaliser.Scores(label).Take(3).Select(s => $"{s.Key} {s.Score:F3}")));
        var match = _normaliser.Normalise([label], CancellationToken.None)[0];

        Assert.Equal((key, "similarity"), (match?.Key, match?.Method));
        Assert.InRange(match!.Score, 0.65, 1.0);
    }

    [Theory]
    [InlineData("conditions")] // payment-terms 0.82 with a capital
    [InlineData("payment due on")]
    [InlineData("Address")] // delivery-address 0.68: whose address is not said
    [InlineData("Postal address")] // delivery-address 0.77
    public void A_label_in_lower_case_or_a_bare_address_takes_no_key_by_similarity(string label)
    {
        Assert.Null(_normaliser.Normalise([label], CancellationToken.None)[0]);
    }

    [Theory]
    [InlineData("Ordered by")]
    [InlineData("Approved by")]
    [InlineData("Prepared by")]
    [InlineData("Invoice checked by")]
    [InlineData("Paid by")]
    [InlineData("Bestellt von")]
    [InlineData("Rechnung geprüft von")]
    [InlineData("Commandé par")]
    public void A_label_that_names_who_did_something_takes_no_key_by_similarity(string label)
    {
        // Before: Ordered by → order-number 0.80, Invoice checked by → issuer 0.81, Paid by → due-date 0.90, Rechnung
        // geprüft von → invoice-number 0.71, Commandé par → order-number 0.76.
        output.WriteLine(string.Join(", ", _normaliser.Scores(label).Take(3).Select(s => $"{s.Key} {s.Score:F3}")));
        Assert.Null(_normaliser.Normalise([label], CancellationToken.None)[0]);
    }

    [Fact]
    public void A_label_that_names_who_issued_the_document_or_a_deadline_keeps_its_key()
    {
        var matches = _normaliser.Normalise(["Issued by", "Sold by", "Due by", "Payable by", "Bill to"], CancellationToken.None);

        Assert.Equal(["issuer", "issuer", "due-date", "due-date", "bill-to"], matches.Select(m => m?.Key));
    }

    [Fact]
    public void A_label_in_lower_case_still_takes_the_key_it_names_and_in_capitals_the_closest()
    {
        var matches = _normaliser.Normalise(["date", "invoice no.", "Conditions", "Payment due on"], CancellationToken.None);

        Assert.Equal([("date", "alias"), ("invoice-number", "alias"), ("payment-terms", "similarity"), ("due-date", "similarity")],
            matches.Select(m => (m?.Key, m?.Method)));
    }

    [Fact]
    public void By_similarity_the_other_keys_over_the_threshold_are_runners_up_closest_first()
    {
        // invoice-number 0.87, bill-to 0.82, issuer 0.76, total 0.74, date 0.72: all reach 0.65.
        var match = _normaliser.Normalise(["Invoice reference"], CancellationToken.None)[0]!;

        Assert.Equal("invoice-number", match.Key);
        Assert.Equal("bill-to", match.RunnersUp[0].Key);
        Assert.True(match.RunnersUp.Count >= 3);
        Assert.All(match.RunnersUp, r => Assert.InRange(r.Score, 0.65, match.Score));
        Assert.Equal(match.RunnersUp.Select(r => r.Score).OrderDescending(), match.RunnersUp.Select(r => r.Score));
        Assert.Empty(_normaliser.Normalise(["Invoice No."], CancellationToken.None)[0]!.RunnersUp);
    }

    [Theory]
    [InlineData("Description")]
    [InlineData("Project manager")]
    [InlineData("Weather forecast")]
    [InlineData("Quantité")]
    [InlineData("Remarques")]
    [InlineData("Bemerkungen")]
    [InlineData("Unit price")]
    [InlineData("Signature")]
    [InlineData("登録番号")]
    public void Labels_far_from_every_key_are_kept_raw(string label)
    {
        output.WriteLine(string.Join(", ", _normaliser.Scores(label).Take(3).Select(s => $"{s.Key} {s.Score:F3}")));

        Assert.Null(_normaliser.Normalise([label], CancellationToken.None)[0]);
    }

    [Fact]
    public void A_vocabulary_whose_encoding_failed_is_encoded_again_by_the_next_call()
    {
        var flaky = new FailingOnce(fixture.Embedder);
        var normaliser = new KeyNormaliser(flaky, Options.Create(new KeyValueOptions()));

        Assert.Throws<InvalidOperationException>(() => normaliser.Prepare());
        Assert.False(normaliser.IsPrepared);

        var match = normaliser.Normalise(["Invoice reference number"], CancellationToken.None)[0];
        Assert.Equal(("invoice-number", "similarity"), (match?.Key, match?.Method));
        Assert.True(normaliser.IsPrepared);
    }

    [Fact]
    public void Only_labels_sharing_a_word_with_the_vocabulary_are_encoded_but_every_schema_field_is()
    {
        var recording = new RecordingEmbedder(fixture.Embedder);
        var normaliser = new KeyNormaliser(recording, Options.Create(new KeyValueOptions()));
        normaliser.Prepare();
        recording.Texts.Clear();

        var matches = normaliser.Normalise(["The following keys are accepted", "Customer account number", "Sum", "Invoice No."], CancellationToken.None);

        Assert.Equal(["Customer account number"], recording.Texts);
        Assert.Equal([null, "customer-number", "total", "invoice-number"], matches.Select(m => m?.Key));
        recording.Texts.Clear();
        // A schema's field names are few and the user's own words: each is encoded, sharing a word or not.
        var fields = normaliser.NormaliseFields(["Weather forecast", "Customer account number"], CancellationToken.None);
        Assert.Equal(["Weather forecast", "Customer account number"], recording.Texts);
        Assert.Equal([null, "customer-number"], fields.Select(m => m?.Key));
    }

    /// <summary>An encoder that fails its first call, as one whose model could not be loaded, then encodes.</summary>
    private sealed class FailingOnce(ITextEmbedder inner) : ITextEmbedder
    {
        private int _calls;

        public int Dimensions => inner.Dimensions;

        public int MaxTokens => inner.MaxTokens;

        public int CountTokens(string text) => inner.CountTokens(text);

        public IReadOnlyList<float[]> Embed(IReadOnlyList<string> texts, CancellationToken cancellationToken = default) =>
            Interlocked.Increment(ref _calls) == 1 ? throw new InvalidOperationException("The encoder could not be loaded.") : inner.Embed(texts, cancellationToken);
    }
}
