namespace Annotate.Annotators.Semantic;

/// <summary>
/// The document types told apart without a model, each with short texts written the way such documents read (in
/// English, German and French: the encoder compares wording, and these are the languages business documents reach
/// us in most). A document's score for a type is its best similarity to one of the type's texts.
/// </summary>
public static class DocumentTypeTaxonomy
{
    /// <summary>The catch-all label: it has no wording of its own, so it is never scored; a weak best score gives <c>unknown</c>.</summary>
    public const string Other = "other";

    /// <summary>The label given when no type scores above the threshold.</summary>
    public const string Unknown = "unknown";

    /// <summary>The default taxonomy, in the order it is listed to users.</summary>
    public static IReadOnlyList<string> DefaultLabels { get; } =
    [
        "invoice", "receipt", "purchase-order", "quote", "contract", "bank-statement", "financial-statement", "cv",
        "scientific-paper", "report", "manual", "letter", "minutes", "price-list", "timesheet", "form", Other,
    ];

    /// <summary>Built-in descriptions by label; labels of the built-in profiles are here too.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Descriptions { get; } =
        new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase)
        {
            ["invoice"] =
            [
                "Invoice. Invoice number, invoice date, due date. Bill to customer. Description, quantity, unit price, amount. Subtotal, VAT, total amount due. Please pay within 30 days to IBAN.",
                "Rechnung. Rechnungsnummer, Rechnungsdatum, Kundennummer. Pos. Menge Einzelpreis Gesamtpreis. Nettobetrag, zzgl. MwSt. 19 %, Rechnungsbetrag. Zahlbar innerhalb von 14 Tagen ohne Abzug.",
                "Facture n°, date de facture, échéance. Désignation, quantité, prix unitaire HT, montant. Total HT, TVA 20 %, total TTC, net à payer. Règlement par virement à 30 jours.",
            ],
            ["receipt"] =
            [
                "Receipt. Thank you for your purchase. Store, cashier, transaction. Items, total paid by card, change. Keep this receipt for returns.",
                "Kassenbon. Vielen Dank für Ihren Einkauf. Summe EUR, gegeben bar, Rückgeld, Kartenzahlung. MwSt-Anteil. Beleg-Nr.",
                "Ticket de caisse. Merci de votre visite. Total payé par carte bancaire, rendu monnaie. Reçu.",
            ],
            ["purchase-order"] =
            [
                "Purchase order. PO number, order date, supplier, ship to, delivery date. Item, quantity ordered, unit price. Please confirm this order and quote the PO number on your invoice.",
                "Bestellung. Bestellnummer, Lieferant, Lieferadresse, Liefertermin. Wir bestellen hiermit zu Ihren Bedingungen folgende Artikel. Bitte bestätigen Sie den Auftrag.",
                "Bon de commande n°. Fournisseur, adresse de livraison, date de livraison souhaitée. Nous vous commandons les articles suivants.",
            ],
            ["quote"] =
            [
                "Quotation. Quote number, valid until. Thank you for your enquiry, we are pleased to offer the following. Prices excluding VAT. This offer is valid for 30 days.",
                "Angebot Nr. Gültig bis. Vielen Dank für Ihre Anfrage. Gerne unterbreiten wir Ihnen folgendes Angebot. Alle Preise zzgl. MwSt.",
                "Devis n°. Valable jusqu'au. Suite à votre demande, nous vous proposons l'offre suivante. Bon pour accord, date et signature.",
            ],
            ["contract"] =
            [
                "Agreement. This agreement is entered into by and between the parties. Term and termination. Obligations of the parties. Governing law. Confidentiality. In witness whereof the parties have signed.",
                "Vertrag zwischen den Vertragsparteien. § 1 Vertragsgegenstand. § 2 Laufzeit und Kündigung. Gerichtsstand. Ort, Datum, Unterschrift.",
                "Contrat entre les soussignés. Article 1 Objet du contrat. Durée et résiliation. Obligations des parties. Loi applicable. Fait en deux exemplaires.",
            ],
            ["bank-statement"] =
            [
                "Bank statement. Account number, statement period, opening balance, closing balance. Date, description, debit, credit, balance. Direct debit, card payment, transfer.",
                "Kontoauszug. Kontonummer, IBAN, alter Kontostand, neuer Kontostand. Buchungstag, Wertstellung, Verwendungszweck, Soll, Haben. Lastschrift, Überweisung.",
                "Relevé de compte. Solde précédent, nouveau solde. Date, libellé, débit, crédit. Prélèvement, virement, paiement par carte.",
            ],
            ["financial-statement"] =
            [
                "Balance sheet, income statement and cash flow statement for the fiscal year. Total assets, liabilities, equity. Revenue, operating expenses, net income. Notes to the financial statements.",
                "Jahresabschluss. Bilanz zum 31. Dezember. Aktiva, Passiva, Eigenkapital. Gewinn- und Verlustrechnung, Umsatzerlöse, Jahresüberschuss. Anhang.",
                "Comptes annuels. Bilan actif passif, capitaux propres. Compte de résultat, chiffre d'affaires, résultat net de l'exercice. Annexe.",
            ],
            ["cv"] =
            [
                "Curriculum vitae. Personal details, email, phone. Professional experience: software engineer at company, 2018 to present. Education: bachelor's degree. Skills, languages, certifications.",
                "Lebenslauf. Persönliche Daten, geboren am. Berufserfahrung, Ausbildung, Studium. Kenntnisse, Sprachen: Deutsch Muttersprache, Englisch fließend.",
                "Curriculum vitae. Expérience professionnelle, formation, diplôme, compétences, langues, centres d'intérêt.",
            ],
            ["scientific-paper"] =
            [
                "Abstract. We propose a method and evaluate it experimentally. Introduction, related work, methods, results, discussion, conclusion. References. et al.",
                "Zusammenfassung. In dieser Arbeit untersuchen wir. Einleitung, Methodik, Ergebnisse, Diskussion, Literaturverzeichnis.",
                "Résumé. Dans cet article nous proposons une méthode. Introduction, état de l'art, méthodologie, résultats expérimentaux, conclusion, références bibliographiques.",
                "Abstract\n1 Introduction\n2 Related Work\n3 Method\n4 Experiments\n5 Results and Discussion\n6 Conclusion\nReferences",
                "Zusammenfassung\n1 Einleitung\n2 Stand der Forschung\n3 Methodik\n4 Ergebnisse\n5 Diskussion\n6 Fazit\nLiteraturverzeichnis",
                "Résumé\n1 Introduction\n2 État de l'art\n3 Méthodologie\n4 Résultats\n5 Discussion\n6 Conclusion\nRéférences",
            ],
            ["report"] =
            [
                "Report. Executive summary, background, findings, analysis, recommendations, next steps. This report presents the results of the quarterly review.",
                "Bericht. Zusammenfassung, Ausgangslage, Ergebnisse, Bewertung, Empfehlungen. Der vorliegende Bericht fasst zusammen.",
                "Rapport. Synthèse, contexte, constats, analyse, recommandations. Le présent rapport présente les résultats.",
            ],
            ["manual"] =
            [
                "User manual. Installation instructions. Safety warnings. Step 1: connect the device. Troubleshooting. Maintenance. Technical specifications.",
                "Bedienungsanleitung. Sicherheitshinweise. Inbetriebnahme: Schritt 1, schließen Sie das Gerät an. Fehlerbehebung, Wartung, technische Daten.",
                "Mode d'emploi. Consignes de sécurité. Installation : étape 1, branchez l'appareil. Dépannage, entretien, caractéristiques techniques.",
            ],
            ["letter"] =
            [
                "Dear Mr Smith, thank you for your letter. I am writing to inform you. Please do not hesitate to contact me. Kind regards, yours sincerely.",
                "Sehr geehrte Damen und Herren, vielen Dank für Ihr Schreiben. Hiermit teilen wir Ihnen mit. Für Rückfragen stehen wir gerne zur Verfügung. Mit freundlichen Grüßen.",
                "Madame, Monsieur, nous accusons réception de votre courrier. Nous vous prions d'agréer nos salutations distinguées. Objet :",
                "From, To, Subject, Sent. Hi team, just a quick note. Thanks, best regards.",
            ],
            ["minutes"] =
            [
                "Minutes of the meeting. Date, attendees, apologies, chair. Agenda item 1. Discussion. Decisions. Action items: owner, due date. Next meeting.",
                "Protokoll der Sitzung. Teilnehmer, entschuldigt, Sitzungsleitung, Protokollführer. Tagesordnung TOP 1. Beschlüsse. Aufgaben, verantwortlich, bis.",
                "Compte rendu de réunion. Présents, excusés, ordre du jour. Point 1. Décisions prises. Actions à mener, responsable, échéance. Prochaine réunion.",
            ],
            ["price-list"] =
            [
                "Price list. Product catalogue. Article number, product description, unit, price per unit. Prices valid from January. Discounts for volume orders.",
                "Preisliste gültig ab. Artikelnummer, Bezeichnung, Einheit, Preis netto. Katalog. Mengenrabatt.",
                "Tarifs. Catalogue produits. Référence, désignation, prix unitaire HT. Tarif valable à partir du.",
            ],
            ["timesheet"] =
            [
                "Timesheet. Employee, week ending, project, task. Monday, Tuesday, Wednesday. Hours worked, overtime, total hours. Approved by manager.",
                "Stundenzettel. Arbeitszeitnachweis. Mitarbeiter, Datum, Beginn, Ende, Pause, Stunden, Überstunden. Unterschrift Vorgesetzter.",
                "Feuille de temps. Salarié, semaine, projet, heures travaillées, heures supplémentaires, total des heures.",
            ],
            ["form"] =
            [
                "Application form. Please fill in all fields in block capitals. First name, last name, date of birth, address. Tick the box. Signature, date.",
                "Antrag. Formular bitte vollständig ausfüllen. Vorname, Name, Geburtsdatum, Anschrift. Zutreffendes bitte ankreuzen. Datum, Unterschrift.",
                "Formulaire de demande. Veuillez remplir en majuscules. Nom, prénom, date de naissance, adresse. Cochez la case. Date et signature.",
            ],
            ["credit-note"] =
            [
                "Credit note. Credit note number, original invoice number. We have credited your account with the following amount. Refund.",
                "Gutschrift Nr. zur Rechnung. Wir schreiben Ihnen folgenden Betrag gut.",
                "Avoir n° relatif à la facture. Nous vous remboursons le montant suivant.",
            ],
            ["amendment"] = ["Amendment to the agreement. The parties agree to amend the agreement as follows. All other terms remain in full force and effect."],
            ["nda"] = ["Non-disclosure agreement. Confidential information. The receiving party shall not disclose confidential information to third parties."],
            ["order-form"] = ["Order form. Customer details, products ordered, subscription term, fees. By signing this order form the customer agrees to the terms."],
            ["cover-letter"] = ["Dear hiring manager, I am writing to apply for the position. My experience and skills make me a strong candidate. I look forward to an interview."],
            ["policy"] = ["Policy. Purpose, scope, definitions. All employees must comply with this policy. Responsibilities. Policy owner, review date."],
            ["spreadsheet"] = ["Table of records with columns and rows of values: dates, names, amounts, quantities and categories."],
        };

    /// <summary>
    /// The texts a label is compared by: the profile's own description when it has one, else the built-in ones, else
    /// the label itself read as words; none for <see cref="Other"/>.
    /// </summary>
    public static IReadOnlyList<string> TextsFor(string label, IReadOnlyDictionary<string, string>? profileDescriptions)
    {
        if (string.Equals(label, Other, StringComparison.OrdinalIgnoreCase))
        {
            return [];
        }
        if (profileDescriptions is not null && profileDescriptions.TryGetValue(label, out var own) && !string.IsNullOrWhiteSpace(own))
        {
            return [own];
        }
        return Descriptions.TryGetValue(label, out var builtIn) ? builtIn : [label.Replace('-', ' ').Replace('_', ' ')];
    }
}
