using System.Globalization;
using System.Text;
using Annotate.Annotators.Builtin;

namespace Annotate.Annotators.KeyValues;

/// <summary>One key of the vocabulary: its id, the labels that name it outright, and descriptions in several languages.</summary>
/// <param name="Id">Stable id written to <c>annotations.json</c>, e.g. <c>invoice-number</c>.</param>
/// <param name="Shape">What the key's values look like: a label whose value does not is left without the key.</param>
/// <param name="Aliases">Labels that name the key outright, in any of the languages (compared in <see cref="KeyVocabulary.Canonical"/> form).</param>
/// <param name="Descriptions">How documents write about the key, one sentence per language, for embedding similarity.</param>
public sealed record VocabularyKey(string Id, ValueShape Shape, IReadOnlyList<string> Aliases, IReadOnlyList<string> Descriptions);

/// <summary>
/// The small multilingual vocabulary labels are normalised to (invoice number, order number, customer number, date,
/// due date, totals, VAT, VAT id, IBAN…), and the canonical form labels are compared in.
/// </summary>
public static class KeyVocabulary
{
    /// <summary>The invoice's number.</summary>
    public const string InvoiceNumber = "invoice-number";
    /// <summary>The buyer's order or purchase-order number.</summary>
    public const string OrderNumber = "order-number";
    /// <summary>The customer's number at the issuer.</summary>
    public const string CustomerNumber = "customer-number";
    /// <summary>The date the document was issued.</summary>
    public const string Date = "date";
    /// <summary>The date payment is due.</summary>
    public const string DueDate = "due-date";
    /// <summary>The date of delivery or service.</summary>
    public const string DeliveryDate = "delivery-date";
    /// <summary>The total before tax.</summary>
    public const string NetTotal = "net-total";
    /// <summary>The tax amount.</summary>
    public const string Vat = "vat";
    /// <summary>The amount to pay, tax included.</summary>
    public const string Total = "total";
    /// <summary>A VAT identification number.</summary>
    public const string VatId = "vat-id";
    /// <summary>A national tax number.</summary>
    public const string TaxNumber = "tax-number";
    /// <summary>The bank account (IBAN).</summary>
    public const string Iban = "iban";
    /// <summary>The bank's BIC/SWIFT code.</summary>
    public const string Bic = "bic";
    /// <summary>The currency.</summary>
    public const string Currency = "currency";
    /// <summary>The payment terms.</summary>
    public const string PaymentTerms = "payment-terms";
    /// <summary>How the document is paid: bank transfer, card, direct debit.</summary>
    public const string PaymentMethod = "payment-method";
    /// <summary>A reference of the sender or the recipient.</summary>
    public const string Reference = "reference";
    /// <summary>The recipient the document is addressed to.</summary>
    public const string BillTo = "bill-to";
    /// <summary>The party that sent the document.</summary>
    public const string Issuer = "issuer";
    /// <summary>Where the goods go, when not to the recipient's address.</summary>
    public const string DeliveryAddress = "delivery-address";
    /// <summary>A phone number.</summary>
    public const string Phone = "phone";
    /// <summary>An e-mail address.</summary>
    public const string Email = "email";

    /// <summary>The keys, in the order they are listed.</summary>
    public static IReadOnlyList<VocabularyKey> Keys { get; } =
    [
        new(InvoiceNumber, ValueShape.Identifier,
            ["invoice no", "invoice", "invoice id", "bill no", "rechnung no", "rechnungs no", "rechnung", "facture no", "no facture", "facture"],
            ["Invoice number: the identifier of the invoice (Invoice No., Invoice #).",
             "Rechnungsnummer: die Nummer der Rechnung (Rechnung Nr., Rechnungs-Nr.).",
             "Numéro de facture : le numéro de la facture (Facture n°, N° de facture)."]),
        new(OrderNumber, ValueShape.Identifier,
            ["order no", "order", "purchase order", "purchase order no", "po", "po no", "your order", "bestell no", "bestellung", "auftrags no", "auftrag", "ihre bestellung", "commande no", "no commande", "bon commande", "commande"],
            ["Order number: the buyer's purchase order (Order No., PO number).",
             "Bestellnummer: die Nummer der Bestellung oder des Auftrags (Bestell-Nr., Auftragsnummer).",
             "Numéro de commande : le bon de commande du client (Commande n°)."]),
        new(CustomerNumber, ValueShape.Identifier,
            ["customer no", "customer", "customer id", "client no", "client id", "account no", "kunden no", "kunde no", "kunden id", "no client", "client", "code client", "ref client"],
            ["Customer number: the customer's account number (Customer No., Customer ID).",
             "Kundennummer: die Nummer des Kunden (Kunden-Nr.).",
             "Numéro de client : le code du client (N° client, Réf. client)."]),
        new(Date, ValueShape.Date,
            ["date", "invoice date", "issue date", "date issued", "date of issue", "datum", "rechnungsdatum", "ausstellungsdatum", "belegdatum", "date facture", "date emission", "emis le", "date document"],
            ["Invoice date: the date the document was issued (Date, Issue date).",
             "Rechnungsdatum: das Datum der Rechnung (Datum, Ausstellungsdatum).",
             "Date de facture : la date d'émission du document (Date, Émis le)."]),
        new(DueDate, ValueShape.Date,
            ["due date", "due", "payment due", "due by", "pay by", "payable by", "faellig", "fällig", "fallig", "faelligkeit", "fälligkeitsdatum", "fallig am", "zahlbar bis", "zahlungsziel", "echeance", "date echeance", "payable avant", "a payer avant"],
            ["Due date: the date payment is due (Due date, Payment due, Pay by).",
             "Fälligkeitsdatum: bis wann zu zahlen ist (Fällig am, Zahlbar bis, Zahlungsziel).",
             "Date d'échéance : la date limite de paiement (Échéance, Payable avant)."]),
        new(DeliveryDate, ValueShape.Date,
            ["delivery date", "date of delivery", "service date", "date of service", "lieferdatum", "leistungsdatum", "liefertermin", "date livraison", "livraison"],
            ["Delivery date: when the goods were delivered or the service was performed.",
             "Lieferdatum: wann geliefert oder die Leistung erbracht wurde (Leistungsdatum).",
             "Date de livraison : quand la marchandise a été livrée."]),
        new(NetTotal, ValueShape.Digit,
            ["subtotal", "sub total", "net total amount", "net", "net amount", "net total", "total net", "total excl vat", "total before tax", "zwischensumme", "nettobetrag", "netto", "summe netto", "gesamt netto", "nettosumme", "sous total", "total ht", "montant ht"],
            ["Subtotal: the net amount before tax (Net amount, Total excl. VAT).",
             "Zwischensumme: der Nettobetrag ohne Steuer (Netto, Summe netto).",
             "Sous-total : le montant hors taxes (Total HT, Montant HT)."]),
        new(Vat, ValueShape.Digit,
            ["vat", "tax", "tax total", "total tax", "sales tax", "vat amount", "tax amount", "gst", "steuerbetrag", "mwst", "mehrwertsteuer", "ust", "umsatzsteuer", "zzgl mwst", "tva", "montant tva", "total tva"],
            ["VAT: the amount of value added tax or sales tax (Tax, VAT 20%).",
             "Mehrwertsteuer: der Steuerbetrag (MwSt., USt. 19 %).",
             "TVA : le montant de la taxe sur la valeur ajoutée (Montant TVA)."]),
        new(Total, ValueShape.Digit,
            ["total", "sum", "sum total", "total sum", "gross total", "total gross", "total amount", "amount due", "total due", "grand total", "balance due", "amount payable", "total payable", "invoice total", "gesamtbetrag", "gesamtsumme", "summe", "rechnungsbetrag", "summe brutto", "gesamt brutto", "bruttobetrag", "brutto", "endbetrag", "zu zahlen", "zahlbetrag", "total ttc", "montant ttc", "montant total", "net a payer", "total a payer", "montant du", "reste a payer", "solde du", "montant a payer", "total general"],
            ["Total: the amount to pay including tax (Amount due, Grand total, Balance due).",
             "Gesamtbetrag: der zu zahlende Betrag inklusive Steuer (Summe brutto, Rechnungsbetrag, Zu zahlen).",
             "Total TTC : le montant à payer toutes taxes comprises (Net à payer, Montant total)."]),
        new(VatId, ValueShape.Identifier,
            ["vat id", "vat no", "vat reg no", "vat registration no", "vat", "tax id", "ust id", "ust idnr", "ust id no", "ustidnr", "umsatzsteuer id", "umsatzsteuer identifikations no", "tva intracommunautaire", "no tva", "no tva intracommunautaire", "identifiant tva"],
            ["VAT ID: the VAT registration number of a company (VAT No., VAT Reg. No.).",
             "USt-IdNr.: die Umsatzsteuer-Identifikationsnummer des Unternehmens.",
             "N° TVA intracommunautaire : le numéro d'identification à la TVA de l'entreprise."]),
        new(TaxNumber, ValueShape.Identifier,
            ["tax no", "tax number", "steuer no", "steuernummer", "st no", "siret", "siren", "no siret"],
            ["Tax number: the national tax number of the company.",
             "Steuernummer: die Steuernummer beim Finanzamt (St.-Nr.).",
             "Numéro SIRET : l'identifiant de l'entreprise (SIREN)."]),
        new(Iban, ValueShape.Digit,
            ["iban", "account iban", "bank account", "bankverbindung", "konto", "rib"],
            ["IBAN: the international bank account number to pay into.",
             "IBAN: die Bankverbindung, auf die zu überweisen ist (Konto).",
             "IBAN : les coordonnées bancaires pour le virement (RIB)."]),
        new(Bic, ValueShape.Code,
            ["bic", "swift", "bic swift", "swift code", "bic code"],
            ["BIC: the SWIFT code of the bank.",
             "BIC: der SWIFT-Code der Bank.",
             "BIC : le code SWIFT de la banque."]),
        new(Currency, ValueShape.Short,
            ["currency", "wahrung", "währung", "devise", "monnaie"],
            ["Currency: the currency amounts are stated in.",
             "Währung: die Währung der Beträge.",
             "Devise : la monnaie des montants."]),
        new(PaymentTerms, ValueShape.Text,
            ["payment terms", "terms", "terms of payment", "zahlungsbedingungen", "zahlungsbedingung", "conditions paiement", "conditions reglement", "modalites paiement"],
            ["Payment terms: how and when to pay (Net 30 days).",
             "Zahlungsbedingungen: wie und wann zu zahlen ist (30 Tage netto).",
             "Conditions de paiement : comment et quand payer (30 jours net)."]),
        new(PaymentMethod, ValueShape.Text,
            ["payment method", "method of payment", "payment type", "payment mode", "mode of payment", "means of payment", "zahlungsart", "zahlungsweise", "zahlungsmethode", "zahlart", "zahlung per", "zahlung durch", "zahlung mit", "zahlung via", "bezahlung per", "bezahlung durch", "mode paiement", "moyen paiement", "mode reglement", "moyen reglement", "type paiement", "paiement par", "reglement par", "payment via", "pay via"],
            ["Payment method: how the invoice is paid (bank transfer, credit card, direct debit).",
             "Zahlungsart: wie die Rechnung bezahlt wird (Überweisung, Kreditkarte, Lastschrift).",
             "Mode de paiement : comment la facture est réglée (virement, carte bancaire, prélèvement)."]),
        new(Reference, ValueShape.Text,
            ["reference", "ref", "our reference", "your reference", "referenz", "ihr zeichen", "unser zeichen", "betreff", "reference client", "votre reference", "notre reference", "objet"],
            ["Reference: a reference or subject of the document (Your reference, Our ref.).",
             "Referenz: ein Zeichen oder der Betreff (Ihr Zeichen, Unser Zeichen, Betreff).",
             "Référence : la référence ou l'objet du document (Votre référence, Objet)."]),
        new(BillTo, ValueShape.Text,
            ["bill to", "billed to", "invoice to", "sold to", "recipient", "buyer", "billing address", "rechnungsempfanger", "rechnungsempfänger", "rechnungsadresse", "rechnungsanschrift", "kundenadresse", "kundenanschrift", "empfanger", "kaeufer", "käufer", "facturer a", "facture a", "adresse facturation", "adresse client", "destinataire", "acheteur"],
            ["Bill to: the customer the invoice is addressed to (Billed to, Sold to).",
             "Rechnungsempfänger: der Kunde, an den die Rechnung geht (Rechnungsadresse).",
             "Facturé à : le client destinataire de la facture (Adresse de facturation)."]),
        new(Issuer, ValueShape.Text,
            ["from", "seller", "vendor", "supplier", "issuer", "sender", "issued by", "sold by", "invoiced by", "billed by", "verkaufer", "verkäufer", "lieferant", "absender", "rechnungssteller", "fournisseur", "vendeur", "emetteur", "expediteur", "vendu par", "facture par", "etabli par", "etablie par", "facture etablie par", "ausgestellt von", "rechnung ausgestellt von"],
            ["Seller: the company that issued the invoice (Vendor, Supplier, From).",
             "Rechnungssteller: das Unternehmen, das die Rechnung ausstellt (Lieferant, Absender).",
             "Fournisseur : l'entreprise qui émet la facture (Vendeur, Émetteur)."]),
        new(DeliveryAddress, ValueShape.Text,
            ["delivery address", "ship to", "shipping address", "deliver to", "lieferadresse", "lieferanschrift", "versandadresse", "adresse livraison", "livrer a", "lieu livraison"],
            ["Delivery address: where the goods are shipped to (Ship to).",
             "Lieferadresse: wohin die Ware geliefert wird (Lieferanschrift).",
             "Adresse de livraison : où la marchandise est livrée (Livrer à)."]),
        new(Phone, ValueShape.Identifier,
            ["phone", "tel", "telephone", "phone no", "mobile", "telefon", "fon", "handy", "telephone no", "portable"],
            ["Phone: a telephone number.", "Telefon: eine Telefonnummer.", "Téléphone : un numéro de téléphone."]),
        new(Email, ValueShape.Email,
            ["email", "e mail", "mail", "courriel", "adresse email"],
            ["E-mail: an e-mail address.", "E-Mail: eine E-Mail-Adresse.", "Courriel : une adresse e-mail."]),
    ];

    private static readonly HashSet<string> Fillers = new(StringComparer.Ordinal)
    {
        "the", "of", "de", "du", "des", "la", "le", "d", "l", "der", "die", "das", "vom", "am",
    };

    private static readonly HashSet<string> NumberWords = new(StringComparer.Ordinal)
    {
        "no", "n", "nr", "number", "nummer", "numero", "num", "nbr", "nro",
    };

    // Words of the descriptions that say nothing of a key, left out of the words a label must share with the vocabulary.
    private static readonly HashSet<string> FunctionWords = new(StringComparer.Ordinal)
    {
        "a", "an", "and", "are", "be", "by", "for", "how", "in", "is", "it", "its", "on", "or", "to", "what", "when", "where", "which", "who",
        "auf", "bis", "ein", "eine", "den", "dem", "fur", "ist", "oder", "und", "von", "wann", "wie", "wird", "wohin", "zu",
        "au", "aux", "comment", "en", "et", "ou", "par", "pour", "quand", "un", "une", "les", "no",
    };

    // Names of a key taken as written but not encoded: as texts to compare labels with they would draw another key's
    // labels ("Customer address" drew "Customer account number" to the bill-to, "Invoice address" "Invoice reference number").
    private static readonly (string Key, string[] Names)[] NamesNotEncoded =
    [
        (BillTo, ["invoice address", "customer address"]),
    ];

    // Labels of an address that do not say whose.
    private static readonly HashSet<string> WhoseAddressUnsaid = new(StringComparer.Ordinal)
    {
        "address", "addresses", "postal address", "mailing address", "street address", "adresse", "adresse postale", "anschrift",
        "postanschrift", "postadresse",
    };

    // English participles that do not end in -ed, before "by" in a label that names who did something ("Paid by").
    private static readonly HashSet<string> IrregularParticiples = new(StringComparer.Ordinal)
    {
        "paid", "made", "done", "sent", "written", "drawn", "given", "taken", "held", "sold", "bought", "brought", "kept", "seen", "set", "run",
    };

    // Built last: they canonicalise the aliases and descriptions with the word lists above.
    private static readonly Dictionary<string, string> ByAlias = BuildAliases();
    private static readonly HashSet<string> Stems = BuildStems();

    /// <summary>The key a label names outright (its canonical form is one of a key's aliases); null otherwise.</summary>
    public static string? ByLabel(string label)
    {
        var canonical = Canonical(label);
        return canonical.Length > 0 && ByAlias.TryGetValue(canonical, out var key) ? key : null;
    }

    /// <summary>
    /// Whether a label shares a word with the vocabulary's names and descriptions (its first five letters, or the whole of
    /// a shorter word; function words aside): only such a label can come close to a key by embedding similarity, so only
    /// it is encoded. <c>Customer account number</c>, <c>Amount payable in total</c> and <c>Gesamtsumme brutto</c> share
    /// one; <c>The following keys are accepted</c> in a manual does not.
    /// </summary>
    public static bool SharesAWord(string label)
    {
        foreach (var word in Canonical(label).Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!FunctionWords.Contains(word) && Stems.Contains(Stem(word)))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Whether a label that names no key may still read as one, and is worth encoding: it shares a word with the
    /// vocabulary (<see cref="SharesAWord"/>), does not begin with a lower-case letter (a form's labels begin with a
    /// capital or a digit; <c>conditions:</c> in lower case is running text's, as in a manual's "under these
    /// conditions: an etag is returned…"), is not an address without saying whose (<c>Address</c>, <c>Anschrift</c>:
    /// the sender's, the customer's or where goods go), and does not name who did something (<c>Ordered by</c>,
    /// <see cref="NamesWhoDidIt"/>).
    /// </summary>
    public static bool MayReadAsAKey(string label)
    {
        ArgumentNullException.ThrowIfNull(label);
        var trimmed = label.AsSpan().TrimStart();
        if (trimmed.Length == 0 || char.IsLower(trimmed[0]))
        {
            return false;
        }
        var canonical = Canonical(label);
        return !WhoseAddressUnsaid.Contains(canonical) && !NamesWhoDidIt(canonical) && SharesAWord(label);
    }

    /// <summary>
    /// Whether a canonical label names who did something: a participle and its agent's preposition, <c>ordered by</c>,
    /// <c>paid by</c>, <c>geprüft von</c>, <c>commandé par</c>. Its value is a person or a firm, never the number, date
    /// or amount the participle's word would draw it to (<c>Ordered by</c> came to order-number at 0.80, <c>Paid by</c>
    /// to due-date at 0.90). The keys such a label does name (<c>issued by</c>, <c>sold by</c>) are aliases.
    /// </summary>
    private static bool NamesWhoDidIt(string canonical)
    {
        var words = canonical.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length < 2)
        {
            return false;
        }
        var before = words[^2];
        return words[^1] switch
        {
            "by" => before.EndsWith("ed", StringComparison.Ordinal) || IrregularParticiples.Contains(before),
            // Geprüft, bestellt, ausgestellt; not a noun: Zahlung durch (Überweisung) says how.
            "von" or "durch" => before.EndsWith('t'),
            // Commandé, établie, émis, reçu (accents set aside); not a noun: Paiement par (virement) says how.
            "par" => before.Length > 0 && "eisu".Contains(before[^1]),
            _ => false,
        };
    }

    /// <summary>The key of an id; null when the vocabulary has none.</summary>
    public static VocabularyKey? Find(string id) => Keys.FirstOrDefault(k => k.Id == id);

    /// <summary>
    /// Whether a value could be the key's (<see cref="VocabularyKey.Shape"/>): a number's value has a digit in its first
    /// two words, an amount's or a bank account's a digit, a date's a digit or no more than three words, an e-mail's an
    /// <c>@</c>, a text (an address, a name, terms) begins with a letter, a digit, a quote or a bracket rather than
    /// <c>--</c>, <c>$</c> or <c>{</c>. A label that names a key, or reads like one, keeps the key only with such a value,
    /// so <c>Order: --flatten, --sort-by</c> in a manual is a pair with a raw label rather than an order number. A key the
    /// vocabulary does not hold fits any value.
    /// </summary>
    public static bool Fits(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (Find(key) is not { } found)
        {
            return true;
        }
        // Four parts at most: the first three words and the rest, enough for every shape's test.
        var words = value.Split((char[]?)null, 4, StringSplitOptions.RemoveEmptyEntries);
        return found.Shape switch
        {
            ValueShape.Identifier => words.Take(2).Any(word => TextCounting.HasDigit(word)),
            ValueShape.Date => TextCounting.HasDigit(value) || words.Length is > 0 and <= 3,
            ValueShape.Digit => TextCounting.HasDigit(value),
            ValueShape.Code => words.Length > 0 && words[0].Length is >= 8 and <= 11 && words[0].All(char.IsAsciiLetterOrDigit),
            ValueShape.Short => words.Length is > 0 and <= 3,
            ValueShape.Email => value.Contains('@'),
            _ => value.Any(char.IsLetterOrDigit) && StartsAsText(value.AsSpan().TrimStart()),
        };
    }

    // Text begins with a letter, a digit, a quote, a bracket or a number sign; an option (--location), a prompt ($ ls)
    // or a JSON object ({"age": 365}) is no address, name or terms.
    private static bool StartsAsText(ReadOnlySpan<char> value) =>
        value.Length > 0 && (char.IsLetterOrDigit(value[0]) || value[0] is '"' or '\'' or '“' or '„' or '«' or '‹' or '(' or '#' or '№');

    /// <summary>
    /// The form labels are compared in: lower case without accents, punctuation as spaces, numbers and percentages left
    /// out, filler words (<c>the</c>, <c>de</c>, <c>der</c>…) dropped, and every way of writing "number" (<c>No.</c>,
    /// <c>#</c>, <c>Nr.</c>, <c>n°</c>, <c>-nummer</c>, <c>numéro</c>) written <c>no</c>: <c>Rechnungs-Nr.:</c> and
    /// <c>Rechnungsnummer</c> are both <c>rechnungs no</c>.
    /// </summary>
    public static string Canonical(string label)
    {
        ArgumentNullException.ThrowIfNull(label);
        var plain = new StringBuilder(Math.Min(label.Length, 200));
        foreach (var c in label.AsSpan(0, Math.Min(label.Length, 200)))
        {
            if (c == '#')
            {
                plain.Append(" no ");
            }
            else
            {
                // Characters, not a string of each: labels are put in this form for every line a document has.
                plain.Append(char.IsLetter(c) && c is not ('°' or 'º') ? char.ToLowerInvariant(c) : char.IsDigit(c) ? c : ' ');
            }
        }
        var decomposed = plain.ToString().Normalize(NormalizationForm.FormD);
        var letters = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
            {
                letters.Append(c);
            }
        }
        var words = new List<string>();
        foreach (var word in letters.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (TextCounting.HasDigit(word) || Fillers.Contains(word))
            {
                continue;
            }
            if (NumberWords.Contains(word))
            {
                words.Add("no");
            }
            else if (word.Length > 6 && word.EndsWith("nummer", StringComparison.Ordinal))
            {
                words.Add(word[..^6]);
                words.Add("no");
            }
            else if (word.Length > 4 && word.EndsWith("nr", StringComparison.Ordinal))
            {
                words.Add(word[..^2]);
                words.Add("no");
            }
            else
            {
                words.Add(word);
            }
        }
        return string.Join(' ', words);
    }

    /// <summary>True when the canonical label ends in a word for "number" (<c>Order #</c>, <c>Facture n°</c>, <c>Rechnungsnummer</c>).</summary>
    public static bool EndsWithNumberWord(string canonical) => canonical == "no" || canonical.EndsWith(" no", StringComparison.Ordinal);

    private static string Stem(string word) => word.Length > 5 ? word[..5] : word;

    private static HashSet<string> BuildStems()
    {
        var stems = new HashSet<string>(StringComparer.Ordinal);
        foreach (var text in Keys.SelectMany(k => k.Aliases.Concat(k.Descriptions)))
        {
            foreach (var word in Canonical(text).Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (!FunctionWords.Contains(word))
                {
                    stems.Add(Stem(word));
                }
            }
        }
        return stems;
    }

    private static Dictionary<string, string> BuildAliases()
    {
        var aliases = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var key in Keys)
        {
            foreach (var alias in key.Aliases)
            {
                // The first key listing an alias keeps it: "vat" alone is the tax amount, not the VAT id.
                aliases.TryAdd(Canonical(alias), key.Id);
            }
        }
        foreach (var (key, names) in NamesNotEncoded)
        {
            foreach (var name in names)
            {
                aliases.TryAdd(Canonical(name), key);
            }
        }
        return aliases;
    }
}
