using System.Globalization;
using System.Text;

namespace Annotate.Annotators.Semantic.Columns;

/// <summary>
/// The semantic types a spreadsheet column can have, each with short descriptions its header is compared with by
/// meaning, and the header words (English, German, French) that name it outright.
/// </summary>
public static class ColumnTypeVocabulary
{
    /// <summary>A person's name.</summary>
    public const string PersonName = "person-name";
    /// <summary>A company or organisation.</summary>
    public const string Company = "company";
    /// <summary>A postal address or part of one.</summary>
    public const string Address = "address";
    /// <summary>An e-mail address.</summary>
    public const string Email = "email";
    /// <summary>A phone or fax number.</summary>
    public const string Phone = "phone";
    /// <summary>A date or date and time.</summary>
    public const string Date = "date";
    /// <summary>A price or an amount of money.</summary>
    public const string Amount = "amount";
    /// <summary>A count or quantity.</summary>
    public const string Quantity = "quantity";
    /// <summary>An article number, SKU or part number.</summary>
    public const string ProductCode = "product-code";
    /// <summary>A small set of repeated labels.</summary>
    public const string Category = "category";
    /// <summary>Sentences: descriptions, comments.</summary>
    public const string FreeText = "free-text";
    /// <summary>A key or reference number unique per row.</summary>
    public const string Identifier = "identifier";
    /// <summary>A percentage or rate.</summary>
    public const string Percentage = "percentage";
    /// <summary>A web address.</summary>
    public const string Url = "url";
    /// <summary>A country name or code.</summary>
    public const string Country = "country";
    /// <summary>None of the others.</summary>
    public const string Other = "other";

    /// <summary>Every type but <see cref="Other"/>, which is what is left when none scores.</summary>
    public static IReadOnlyList<string> Types { get; } =
        [PersonName, Company, Address, Email, Phone, Date, Amount, Quantity, ProductCode, Category, FreeText, Identifier, Percentage, Url, Country];

    /// <summary>
    /// What a header of each type says, in words the encoder reads best (English), with the common German and French
    /// names beside; each text is compared with the header and the best one counts.
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Descriptions { get; } = new Dictionary<string, IReadOnlyList<string>>
    {
        [PersonName] = ["name of a person", "full name, first name and last name of the contact person", "employee name, customer name, Vorname Nachname"],
        [Company] = ["company name", "name of the business, firm or organisation", "supplier, vendor, manufacturer, Firma, Unternehmen"],
        [Address] = ["postal address", "street address with house number, postcode and city", "shipping location, billing address, Anschrift"],
        [Email] = ["e-mail address", "email contact"],
        [Phone] = ["telephone number", "phone, mobile or fax number"],
        [Date] = ["date", "date when it happened: order date, delivery date, due date", "day, month and year, timestamp"],
        [Amount] = ["price", "amount of money, cost, total, net or gross value", "unit price in euros or dollars, revenue, sales"],
        [Quantity] = ["quantity", "number of units or pieces ordered", "count, amount of items, stock level"],
        [ProductCode] = ["product code", "article number, SKU, item number, part number", "Artikelnummer, code article"],
        [Category] = ["category", "type, group, class or segment", "status, department, region"],
        [FreeText] = ["description", "comments, notes and remarks written as sentences", "message, explanation, Bemerkung"],
        [Identifier] = ["identifier", "ID, reference number, record key", "customer number, order number, invoice number"],
        [Percentage] = ["percentage", "rate, share or discount in percent", "tax rate, VAT rate, margin"],
        [Url] = ["website address", "URL, web link, homepage"],
        [Country] = ["country", "nation, country code", "Land, pays"],
    };

    // Header words that name a type outright, normalised (lower case, no accents, punctuation as spaces). A word of a
    // German compound counts at its end ("Einzelpreis", "Bestelldatum"); the longest name found wins, so
    // "Telefonnummer" is a phone and not a number. Some names fit two types ("Kunde": a person or a company) and say so
    // with a lower weight, leaving the values to decide.
    private static readonly (string Name, string Type, double Weight)[] Names =
    [
        .. Each(PersonName, 1.0, "name", "full name", "first name", "last name", "surname", "given name", "contact", "contact person",
            "contact name", "employee", "person", "vorname", "nachname", "ansprechpartner", "kontaktperson",
            "mitarbeiter", "mitarbeiterin", "prenom", "nom", "nom complet", "personne", "employe", "nom du contact"),
        .. Each(Company, 1.0, "company", "company name", "firm", "organisation", "organization", "business", "supplier", "vendor",
            "manufacturer", "firma", "firmenname", "unternehmen", "lieferant", "hersteller", "societe", "entreprise", "fournisseur",
            "fabricant", "raison sociale", "employer", "arbeitgeber", "seller", "verkaufer", "vendeur"),
        .. Each(PersonName, 0.6, "customer", "customer name", "client", "kunde", "kundin", "kundenname", "nom du client", "buyer", "kaufer"),
        .. Each(Company, 0.6, "customer", "customer name", "client", "kunde", "kundin", "kundenname", "nom du client", "buyer", "kaufer",
            "account"),
        // What a row is about (a product, an item) has no type of its own; naming it keeps "Product name" from being a person.
        .. Each(Other, 1.0, "product", "product name", "item", "item name", "article", "produkt", "produktname", "artikel",
            "bezeichnung", "artikelbezeichnung", "designation", "produit", "libelle", "nom du produit", "title", "titel", "titre"),
        .. Each(Address, 1.0, "address", "street", "street address", "billing address", "shipping address", "delivery address",
            "adresse", "anschrift", "strasse", "str", "lieferadresse", "rechnungsadresse", "postanschrift", "rue", "adresse postale",
            "adresse de livraison", "location", "standort", "city", "town", "postcode", "postal code", "zip", "zip code", "stadt",
            "ort", "plz", "postleitzahl", "ville", "code postal"),
        .. Each(Email, 1.0, "email", "e mail", "mail", "email address", "e mail address", "e mail adresse", "courriel", "adresse e mail",
            "adresse mail"),
        .. Each(Phone, 1.0, "phone", "telephone", "tel", "mobile", "cell", "fax", "phone number", "telefon", "telefonnummer",
            "handy", "mobil", "mobilnummer", "rufnummer", "telephone portable", "portable", "numero de telephone"),
        .. Each(Date, 1.0, "date", "day", "datum", "tag", "created", "created at", "updated", "timestamp", "zeitpunkt", "jour",
            "order date", "due date", "delivery date", "date de commande", "date de livraison", "echeance", "faellig", "faelligkeit"),
        .. Each(Amount, 1.0, "price", "amount", "cost", "costs", "total", "sum", "net", "gross", "value", "revenue", "sales",
            "unit price", "subtotal", "preis", "betrag", "summe", "kosten", "gesamt", "netto", "brutto", "umsatz", "wert",
            "prix", "montant", "cout", "ht", "ttc", "chiffre d affaires", "eur", "usd", "chf", "gbp"),
        .. Each(Quantity, 1.0, "quantity", "qty", "count", "units", "pieces", "pcs", "number of", "stock", "menge", "anzahl",
            "stuck", "stueck", "stk", "stuckzahl", "zahl", "bestand", "quantite", "qte", "nombre", "nombre de"),
        .. Each(ProductCode, 1.0, "sku", "product code", "item code", "article number", "article no", "part number", "part no",
            "item number", "item no", "product id", "ean", "gtin", "artikelnummer", "artikel nr", "art nr", "artikelnr", "produktcode",
            "teilenummer", "code article", "reference article", "ref article", "code produit"),
        .. Each(Category, 1.0, "product group", "product category", "produktgruppe", "category", "type", "group", "class", "segment", "status", "department", "region", "kind",
            "kategorie", "gruppe", "typ", "klasse", "abteilung", "warengruppe", "categorie", "groupe", "classe", "statut", "rayon"),
        .. Each(FreeText, 1.0, "description", "comment", "comments", "note", "notes", "remark", "remarks", "text", "message",
            "details", "beschreibung", "kommentar", "bemerkung", "bemerkungen", "notiz", "hinweis", "anmerkung", "commentaire",
            "remarque", "observations"),
        .. Each(Identifier, 1.0, "id", "identifier", "key", "uuid", "guid", "number", "no", "nr", "reference", "ref",
            "customer number", "customer id", "order number", "order id", "invoice number", "account number", "nummer", "kennung",
            "kundennummer", "kundennr", "bestellnummer", "rechnungsnummer", "auftragsnummer", "numero", "identifiant",
            "numero de client", "numero de commande", "n"),
        .. Each(Percentage, 1.0, "percent", "percentage", "pct", "rate", "share", "discount", "tax rate", "vat rate", "margin",
            "prozent", "satz", "anteil", "rabatt", "steuersatz", "mwst satz", "marge", "pourcentage", "taux", "remise", "taux de tva"),
        .. Each(Url, 1.0, "url", "website", "web", "link", "homepage", "web site", "site", "webseite", "internetseite", "lien",
            "site web", "site internet"),
        .. Each(Country, 1.0, "country", "nation", "country code", "land", "staat", "lander", "landercode", "pays", "code pays"),
    ];

    // German words that end compounds naming a type; only these are looked for inside a word, so "destination" does not
    // hide a "nation".
    private static readonly HashSet<string> CompoundHeads = new(
    [
        "name", "firma", "adresse", "anschrift", "strasse", "telefon", "nummer", "datum", "preis", "betrag", "summe", "kosten",
        "wert", "umsatz", "menge", "anzahl", "zahl", "bestand", "gruppe", "kategorie", "typ", "klasse", "beschreibung", "kommentar",
        "bemerkung", "notiz", "hinweis", "satz", "anteil", "rabatt", "land", "mail", "kennung",
    ], StringComparer.Ordinal);

    private static IEnumerable<(string, string, double)> Each(string type, double weight, params string[] names) =>
        names.Select(n => (n, type, weight));

    /// <summary>
    /// The types a header names, with the weight of the naming (1 for an unambiguous name), from the longest name
    /// found in it; empty when it names none.
    /// </summary>
    public static IReadOnlyDictionary<string, double> TypesNamedBy(string header)
    {
        var normalised = Normalise(header);
        if (normalised.Length == 0)
        {
            return new Dictionary<string, double>();
        }
        var words = normalised.Split(' ');
        var padded = " " + normalised + " ";
        var best = 0;
        var found = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, type, weight) in Names)
        {
            if (name.Length < best)
            {
                continue;
            }
            var whole = padded.Contains(" " + name + " ", StringComparison.Ordinal);
            // A German compound ends in the word that names its type: "Einzelpreis", "Lieferdatum", "Kundennummer".
            var compound = !whole && CompoundHeads.Contains(name)
                && words.Any(w => w.Length > name.Length + 2 && w.EndsWith(name, StringComparison.Ordinal));
            if (!whole && !compound)
            {
                continue;
            }
            if (name.Length > best)
            {
                best = name.Length;
                found.Clear();
            }
            found[type] = Math.Max(found.GetValueOrDefault(type), weight);
        }
        return found;
    }

    /// <summary>Lower case without accents, every run of characters other than letters and digits one space; ß as ss, umlauts as their base letter.</summary>
    public static string Normalise(string text)
    {
        var decomposed = text.Replace("ß", "ss", StringComparison.Ordinal).Normalize(NormalizationForm.FormD);
        var builder = new StringBuilder(Math.Min(decomposed.Length, 200));
        foreach (var c in decomposed)
        {
            if (builder.Length >= 200)
            {
                break;
            }
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
            {
                continue;
            }
            if (char.IsLetterOrDigit(c))
            {
                builder.Append(char.ToLowerInvariant(c));
            }
            else if (builder.Length > 0 && builder[^1] != ' ')
            {
                builder.Append(' ');
            }
        }
        return builder.ToString().TrimEnd();
    }
}
