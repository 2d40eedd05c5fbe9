using Annotate.Annotators.Builtin;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.Tests.Builtin;

public class EntityRecognizerTests
{
    private static readonly EntityRecognizer Recognizer = new(Options.Create(new PatternOptions()));

    private static EntityMatch Single(string text, string type)
    {
        var matches = Recognizer.Find(text).Where(m => m.Type == type).ToList();
        Assert.True(matches.Count == 1, $"Expected one {type} in '{text}', found: {string.Join(" | ", Recognizer.Find(text))}");
        return matches[0];
    }

    private static void None(string text, string type) =>
        Assert.DoesNotContain(Recognizer.Find(text), m => m.Type == type);

    [Theory]
    [InlineData("Write to Jane.Doe@Example.COM today.", "Jane.Doe@Example.COM", "Jane.Doe@example.com")]
    [InlineData("<ops+alerts@mail.corp.example.org>", "ops+alerts@mail.corp.example.org", "ops+alerts@mail.corp.example.org")]
    public void Email_addresses_are_found_with_a_lower_cased_domain(string text, string found, string value)
    {
        var match = Single(text, EntityTypes.Email);
        Assert.Equal(found, match.Text);
        Assert.Equal(value, match.Value);
        Assert.Equal(text.IndexOf(found, StringComparison.Ordinal), match.Index);
    }

    [Theory]
    [InlineData("not an address: user@localhost or @handle")]
    [InlineData("a@b")]
    public void Strings_that_only_look_like_addresses_are_not_emails(string text) => None(text, EntityTypes.Email);

    [Theory]
    [InlineData("See https://example.com/path?q=1.", "https://example.com/path?q=1")]
    [InlineData("(docs at www.example.org/guide), then", "www.example.org/guide")]
    [InlineData("Wiki: https://en.wikipedia.org/wiki/Foo_(bar)!", "https://en.wikipedia.org/wiki/Foo_(bar)")]
    public void Urls_lose_trailing_punctuation_but_keep_balanced_brackets(string text, string url)
    {
        Assert.Equal(url, Single(text, EntityTypes.Url).Text);
    }

    [Fact]
    public void A_url_holding_an_email_is_one_url()
    {
        var matches = Recognizer.Find("Link: https://example.com/contact?to=sales@example.com end");
        Assert.Single(matches);
        Assert.Equal(EntityTypes.Url, matches[0].Type);
    }

    [Theory]
    [InlineData("Call +49 30 1234567 now", "+49 30 1234567", "+49301234567")]
    [InlineData("Tel.: +44 20 7946 0958.", "+44 20 7946 0958", "+442079460958")]
    [InlineData("+33 (0)1 42 68 53 00", "+33 (0)1 42 68 53 00", "+33142685300")]
    [InlineData("phone +1 (212) 555-0123, fax", "+1 (212) 555-0123", "+12125550123")]
    public void International_phone_numbers_are_normalised_to_E164(string text, string found, string e164)
    {
        var match = Single(text, EntityTypes.Phone);
        Assert.Equal(found, match.Text);
        Assert.Equal(e164, match.Value);
    }

    [Theory]
    [InlineData("Call 030 1234567 now")]
    [InlineData("Order 4930123456789 shipped")]
    [InlineData("Invoice date 2024-03-15, total 1.234,56 EUR")]
    [InlineData("IBAN DE89 3704 0044 0532 0130 00")]
    public void Without_a_default_region_only_plus_numbers_are_phones(string text) => None(text, EntityTypes.Phone);

    [Fact]
    public void With_a_default_region_national_numbers_are_phones_but_plain_integers_are_not()
    {
        var german = new EntityRecognizer(Options.Create(new PatternOptions { DefaultRegion = "DE" }));
        var phone = Assert.Single(german.Find("Rufen Sie 030 1234567 an"), m => m.Type == EntityTypes.Phone);
        Assert.Equal("+49301234567", phone.Value);
        Assert.DoesNotContain(german.Find("Kundennummer 0301234567"), m => m.Type == EntityTypes.Phone);
        Assert.DoesNotContain(german.Find("am 05.03.2024 bezahlt"), m => m.Type == EntityTypes.Phone);
        Assert.DoesNotContain(german.Find("Betrag 1.234.567,00 EUR"), m => m.Type == EntityTypes.Phone);
    }

    [Theory]
    [InlineData("on 2024-03-15.", "2024-03-15", "2024-03-15")]
    [InlineData("on 15/03/2024.", "15/03/2024", "2024-03-15")]
    [InlineData("on 03/15/2024.", "03/15/2024", "2024-03-15")]
    [InlineData("on 03/04/2024.", "03/04/2024", "2024-04-03")]
    [InlineData("am 15.03.2024 fällig", "15.03.2024", "2024-03-15")]
    [InlineData("on 15 March 2024,", "15 March 2024", "2024-03-15")]
    [InlineData("on March 15, 2024.", "March 15, 2024", "2024-03-15")]
    [InlineData("on Mar 15 2024.", "Mar 15 2024", "2024-03-15")]
    [InlineData("on 15-Mar-2024.", "15-Mar-2024", "2024-03-15")]
    [InlineData("am 15. März 2024", "15. März 2024", "2024-03-15")]
    [InlineData("le 1er mars 2024", "1er mars 2024", "2024-03-01")]
    [InlineData("el 15 de marzo de 2024", "15 de marzo de 2024", "2024-03-15")]
    [InlineData("op 15 maart 2024", "15 maart 2024", "2024-03-15")]
    [InlineData("on 29 February 2024", "29 February 2024", "2024-02-29")]
    public void Dates_are_normalised_to_iso(string text, string found, string iso)
    {
        var match = Single(text, EntityTypes.Date);
        Assert.Equal(found, match.Text);
        Assert.Equal(iso, match.Value);
    }

    [Fact]
    public void Month_first_is_used_for_ambiguous_dates_when_configured()
    {
        var us = new EntityRecognizer(Options.Create(new PatternOptions { DayFirst = false }));
        Assert.Equal("2024-03-04", Assert.Single(us.Find("due 03/04/2024")).Value);
        Assert.Equal("2024-03-15", Assert.Single(us.Find("due 15/03/2024")).Value);
    }

    [Theory]
    [InlineData("due 31/02/2024")]
    [InlineData("due 2024-02-30")]
    [InlineData("due 29 February 2023")]
    [InlineData("due 13/13/2024")]
    [InlineData("version 1.2.3 of 12 apples 2024")]
    public void Impossible_dates_are_rejected(string text) => None(text, EntityTypes.Date);

    [Theory]
    [InlineData("Total €1,234.56 due", "€1,234.56", "1234.56", "EUR")]
    [InlineData("Summe 1.234,56 EUR fällig", "1.234,56 EUR", "1234.56", "EUR")]
    [InlineData("fee $ 100.", "$ 100", "100", "USD")]
    [InlineData("budget USD 2,500 per month", "USD 2,500", "2500", "USD")]
    [InlineData("costs £12 each", "£12", "12", "GBP")]
    [InlineData("Preis CHF 1'000.50 netto", "CHF 1'000.50", "1000.50", "CHF")]
    [InlineData("prix 12,50 € TTC", "12,50 €", "12.50", "EUR")]
    [InlineData("price ¥1000 only", "¥1000", "1000", "JPY")]
    [InlineData("montant 1 234,56 EUR", "1 234,56 EUR", "1234.56", "EUR")]
    // Every sign the patterns know, in lower-case text around it, and a code alone.
    [InlineData("cena 25,99 zł brutto", "25,99 zł", "25.99", "PLN")]
    [InlineData("paid US$40 today", "US$40", "40", "USD")]
    [InlineData("paid C$40 today", "C$40", "40", "CAD")]
    [InlineData("paid A$40 today", "A$40", "40", "AUD")]
    [InlineData("pago R$ 40,50 hoje", "R$ 40,50", "40.50", "BRL")]
    [InlineData("kosten ₹500 only", "₹500", "500", "INR")]
    [InlineData("za ₽300 v den", "₽300", "300", "RUB")]
    [InlineData("gia ₩9000 won", "₩9000", "9000", "KRW")]
    [InlineData("fiyat 45 ₺ idi", "45 ₺", "45", "TRY")]
    [InlineData("total 1500 SEK", "1500 SEK", "1500", "SEK")]
    public void Money_amounts_get_an_invariant_value_and_iso_currency(string text, string found, string value, string currency)
    {
        var match = Single(text, EntityTypes.Money);
        Assert.Equal(found, match.Text);
        Assert.Equal(value, match.Value);
        Assert.Equal(currency, match.Currency);
    }

    [Fact]
    public void Decimal_separator_is_decided_by_position_not_by_culture()
    {
        Assert.Equal(1234.56m, EntityRecognizer.ParseAmount("1,234.56"));
        Assert.Equal(1234.56m, EntityRecognizer.ParseAmount("1.234,56"));
        Assert.Equal(1234567m, EntityRecognizer.ParseAmount("1.234.567"));
        Assert.Equal(1.5m, EntityRecognizer.ParseAmount("1,5"));
        Assert.Equal(1234m, EntityRecognizer.ParseAmount("1,234"));
        Assert.Equal(0.125m, EntityRecognizer.ParseAmount("0,125"));
    }

    [Theory]
    [InlineData("the 2024 budget")]
    [InlineData("invoice 12345")]
    [InlineData("on 15.03.2024 EUR account")]
    public void Plain_numbers_and_dates_are_not_money(string text) => None(text, EntityTypes.Money);

    [Theory]
    [InlineData("growth of 12.5% in", "12.5%", "12.5")]
    [InlineData("Anteil 12,5 % im", "12,5 %", "12.5")]
    [InlineData("100% sure", "100%", "100")]
    public void Percentages_are_normalised(string text, string found, string value)
    {
        var match = Single(text, EntityTypes.Percentage);
        Assert.Equal(found, match.Text);
        Assert.Equal(value, match.Value);
    }

    [Theory]
    [InlineData("IBAN DE89 3704 0044 0532 0130 00 bitte", "DE89 3704 0044 0532 0130 00", "DE89370400440532013000")]
    [InlineData("IBAN: DE89370400440532013000.", "DE89370400440532013000", "DE89370400440532013000")]
    [InlineData("account GB82 WEST 1234 5698 7654 32 and", "GB82 WEST 1234 5698 7654 32", "GB82WEST12345698765432")]
    [InlineData("rekening NL91ABNA0417164300", "NL91ABNA0417164300", "NL91ABNA0417164300")]
    [InlineData("compte FR14 2004 1010 0505 0001 3M02 606 merci", "FR14 2004 1010 0505 0001 3M02 606", "FR1420041010050500013M02606")]
    public void Ibans_are_validated_and_compacted(string text, string found, string value)
    {
        var match = Single(text, EntityTypes.Iban);
        Assert.Equal(found, match.Text);
        Assert.Equal(value, match.Value);
        Assert.DoesNotContain(Recognizer.Find(text), m => m.Type == EntityTypes.Phone);
    }

    [Theory]
    [InlineData("IBAN DE89 3704 0044 0532 0130 01")]
    [InlineData("IBAN DE89 3704 0044 0532 0130")]
    [InlineData("IBAN XX89370400440532013000")]
    public void Ibans_with_a_wrong_checksum_or_length_are_rejected(string text) => None(text, EntityTypes.Iban);

    [Theory]
    [InlineData("USt-IdNr. DE136695976", "DE136695976")]
    [InlineData("btw NL004495445B01", "NL004495445B01")]
    [InlineData("btw-id NL000099998B57", "NL000099998B57")]
    [InlineData("TVA BE0403.170.701", "BE0403170701")]
    [InlineData("TVA BE 0403170701", "BE0403170701")]
    [InlineData("P.IVA IT00743110157", "IT00743110157")]
    [InlineData("TVA FR40303265045", "FR40303265045")]
    [InlineData("TVA FR 40 303 265 045", "FR40303265045")]
    [InlineData("NIF ES12345678Z", "ES12345678Z")]
    [InlineData("CIF ESA58818501", "ESA58818501")]
    [InlineData("VAT GB980780684", "GB980780684")]
    [InlineData("VAT GB 980 7806 84", "GB980780684")]
    public void Checksum_valid_vat_ids_are_found(string text, string value)
    {
        Assert.Equal(value, Single(text, EntityTypes.VatId).Value);
    }

    [Theory]
    [InlineData("USt-IdNr. DE136695978")]
    [InlineData("btw NL004495446B01")]
    [InlineData("TVA BE0403170702")]
    [InlineData("P.IVA IT00743110158")]
    [InlineData("TVA FR41303265045")]
    [InlineData("NIF ES12345678A")]
    [InlineData("VAT GB980780685")]
    public void Vat_ids_with_a_wrong_checksum_are_not_reported(string text) => None(text, EntityTypes.VatId);
}
