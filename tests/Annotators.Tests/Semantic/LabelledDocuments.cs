using System.Globalization;

namespace Annotate.Annotators.Tests.Semantic;

/// <summary>
/// Generates a labelled set of business documents in English, German and French, written the way such documents
/// read: varied names, numbers, dates and layouts from a seeded random source, so the set is the same on every run.
/// </summary>
internal static class LabelledDocuments
{
    private static readonly string[] People = ["Anna Schmidt", "James Carter", "Claire Dubois", "Lukas Becker", "Sofia Rossi", "Mehmet Yilmaz", "Emma Novak", "Pierre Martin"];
    private static readonly string[] Companies = ["Nordlicht GmbH", "Blue Harbor Ltd", "Atelier Lumière SARL", "Kessler & Söhne KG", "Brightpath Consulting Inc.", "Société Générale de Bâtiment", "Alpenblick Software AG"];
    private static readonly string[] Cities = ["Hamburg", "Leeds", "Lyon", "München", "Bristol", "Toulouse", "Graz"];
    private static readonly string[] Products = ["Consulting hours", "Laptop stand", "Office chair", "Software licence", "Printer toner", "Maintenance service", "USB-C dock"];
    private static readonly string[] Produkte = ["Beratungsstunden", "Bürostuhl", "Softwarelizenz", "Druckerpatrone", "Wartungsvertrag", "Montage vor Ort"];
    private static readonly string[] Produits = ["Prestation de conseil", "Chaise de bureau", "Licence logicielle", "Cartouche d'encre", "Contrat de maintenance", "Installation sur site"];

    /// <summary>Every document with its expected label and language.</summary>
    public static IReadOnlyList<(string Label, string Language, string Markdown)> All(int perLanguage = 2)
    {
        var random = new Random(20241);
        var set = new List<(string, string, string)>();
        foreach (var (label, writers) in Writers)
        {
            foreach (var (language, write) in writers)
            {
                for (var i = 0; i < perLanguage; i++)
                {
                    set.Add((label, language, write(random)));
                }
            }
        }
        return set;
    }

    private static readonly (string Label, (string Language, Func<Random, string> Write)[] Writers)[] Writers =
    [
        ("invoice", [("en", InvoiceEn), ("de", InvoiceDe), ("fr", InvoiceFr)]),
        ("contract", [("en", ContractEn), ("de", ContractDe), ("fr", ContractFr)]),
        ("cv", [("en", CvEn), ("de", CvDe), ("fr", CvFr)]),
        ("minutes", [("en", MinutesEn), ("de", MinutesDe), ("fr", MinutesFr)]),
        ("bank-statement", [("en", StatementEn), ("de", StatementDe), ("fr", StatementFr)]),
        ("scientific-paper", [("en", PaperEn), ("de", PaperDe), ("fr", PaperFr)]),
    ];

    private static T Pick<T>(Random r, IReadOnlyList<T> items) => items[r.Next(items.Count)];
    private static string Money(Random r, int max) => (r.Next(100, max * 100) / 100m).ToString("N2", CultureInfo.InvariantCulture);
    private static string Geld(Random r, int max) => (r.Next(100, max * 100) / 100m).ToString("N2", CultureInfo.GetCultureInfo("de-DE"));
    private static string Date(Random r) => new DateTime(2024, 1, 1).AddDays(r.Next(0, 500)).ToString("d MMMM yyyy", CultureInfo.InvariantCulture);
    private static string Datum(Random r) => new DateTime(2024, 1, 1).AddDays(r.Next(0, 500)).ToString("dd.MM.yyyy", CultureInfo.InvariantCulture);

    private static string Lines(Random r, IReadOnlyList<string> products, Func<Random, int, string> money, string separator) =>
        string.Join('\n', Enumerable.Range(1, r.Next(2, 5)).Select(i => $"| {i} | {Pick(r, products)} | {r.Next(1, 12)} | {money(r, 400)} | {money(r, 2000)} |"));

    private static string InvoiceEn(Random r) => $"""
        # {Pick(r, Companies)}
        12 Market Street, {Pick(r, Cities)} · VAT GB{r.Next(100000000, 999999999)}

        ## INVOICE

        Invoice number: INV-{r.Next(1000, 99999)}
        Invoice date: {Date(r)}
        Due date: {Date(r)}

        Bill to: {Pick(r, Companies)}, attn. {Pick(r, People)}

        | # | Description | Qty | Unit price | Amount |
        |---|---|---|---|---|
        {Lines(r, Products, Money, ".")}

        Subtotal: £{Money(r, 5000)}
        VAT 20%: £{Money(r, 1000)}
        **Total due: £{Money(r, 6000)}**

        Payment terms: {Pick(r, new[] { "30 days net", "14 days", "due on receipt" })}. Please pay by bank transfer to IBAN GB29 NWBK 6016 1331 9268 19 quoting the invoice number.
        """;

    private static string InvoiceDe(Random r) => $"""
        # {Pick(r, Companies)}
        Hauptstraße {r.Next(1, 200)}, {r.Next(10000, 99999)} {Pick(r, Cities)} · USt-IdNr. DE{r.Next(100000000, 999999999)}

        ## Rechnung

        Rechnungsnummer: {r.Next(2023, 2026)}-{r.Next(1000, 9999)}
        Rechnungsdatum: {Datum(r)}
        Kundennummer: K{r.Next(10000, 99999)}
        Leistungszeitraum: {Datum(r)} bis {Datum(r)}

        Sehr geehrte Damen und Herren, wir erlauben uns, Ihnen folgende Leistungen in Rechnung zu stellen:

        | Pos. | Bezeichnung | Menge | Einzelpreis | Gesamt |
        |---|---|---|---|---|
        {Lines(r, Produkte, Geld, ",")}

        Nettobetrag: {Geld(r, 5000)} €
        zzgl. 19 % MwSt.: {Geld(r, 900)} €
        **Rechnungsbetrag: {Geld(r, 6000)} €**

        Zahlbar innerhalb von {Pick(r, new[] { "14", "30" })} Tagen ohne Abzug auf das Konto IBAN DE89 3704 0044 0532 0130 00.
        """;

    private static string InvoiceFr(Random r) => $"""
        # {Pick(r, Companies)}
        {r.Next(1, 120)} rue de la République, {r.Next(10000, 99999)} {Pick(r, Cities)} · SIRET {r.Next(100000000, 999999999)}00012

        ## FACTURE

        Facture n° F{r.Next(2023, 2026)}-{r.Next(100, 9999)}
        Date de facture : {Datum(r)}
        Date d'échéance : {Datum(r)}

        Client : {Pick(r, Companies)}

        | N° | Désignation | Qté | Prix unitaire HT | Montant HT |
        |---|---|---|---|---|
        {Lines(r, Produits, Geld, ",")}

        Total HT : {Geld(r, 5000)} €
        TVA 20 % : {Geld(r, 900)} €
        **Total TTC : {Geld(r, 6000)} €**

        Conditions de paiement : virement à {Pick(r, new[] { "30", "45" })} jours. En cas de retard, une indemnité forfaitaire de 40 € sera appliquée.
        """;

    private static string ContractEn(Random r) => $"""
        # {Pick(r, new[] { "SERVICE AGREEMENT", "CONSULTING AGREEMENT", "SOFTWARE LICENCE AGREEMENT" })}

        This Agreement is made on {Date(r)} between {Pick(r, Companies)}, a company registered in England ("the Provider"), and {Pick(r, Companies)} ("the Client").

        ## 1. Services
        The Provider shall perform the services described in Schedule 1 with reasonable skill and care.

        ## 2. Term and termination
        This Agreement commences on the Effective Date and continues for {r.Next(1, 4)} years. Either party may terminate this Agreement by giving {r.Next(1, 6)} months' written notice.

        ## 3. Fees
        The Client shall pay the fees set out in Schedule 2 within 30 days of receipt of a valid invoice.

        ## 4. Confidentiality
        Each party shall keep confidential all information received from the other party and shall not disclose it to any third party.

        ## 5. Governing law
        This Agreement shall be governed by the laws of England and Wales.

        Signed for and on behalf of the Provider: {Pick(r, People)}
        Signed for and on behalf of the Client: {Pick(r, People)}
        """;

    private static string ContractDe(Random r) => $"""
        # {Pick(r, new[] { "Dienstleistungsvertrag", "Mietvertrag für Gewerberäume", "Wartungsvertrag" })}

        zwischen {Pick(r, Companies)}, {Pick(r, Cities)} – nachfolgend „Auftragnehmer“ genannt – und {Pick(r, Companies)} – nachfolgend „Auftraggeber“ genannt – wird folgender Vertrag geschlossen:

        ## § 1 Vertragsgegenstand
        Der Auftragnehmer erbringt für den Auftraggeber die in Anlage 1 beschriebenen Leistungen.

        ## § 2 Vertragsdauer und Kündigung
        Der Vertrag beginnt am {Datum(r)} und wird auf unbestimmte Zeit geschlossen. Er kann von beiden Parteien mit einer Frist von {r.Next(1, 6)} Monaten zum Monatsende gekündigt werden.

        ## § 3 Vergütung
        Die monatliche Vergütung beträgt {Geld(r, 9000)} € zuzüglich der gesetzlichen Umsatzsteuer.

        ## § 4 Haftung
        Der Auftragnehmer haftet nur für Vorsatz und grobe Fahrlässigkeit.

        ## § 5 Schlussbestimmungen
        Änderungen bedürfen der Schriftform. Gerichtsstand ist {Pick(r, Cities)}.

        {Pick(r, Cities)}, den {Datum(r)}

        Unterschrift Auftragnehmer ______ Unterschrift Auftraggeber ______
        """;

    private static string ContractFr(Random r) => $"""
        # {Pick(r, new[] { "CONTRAT DE PRESTATION DE SERVICES", "CONTRAT DE BAIL COMMERCIAL", "CONTRAT DE MAINTENANCE" })}

        Entre les soussignés : {Pick(r, Companies)}, ci-après dénommée « le Prestataire », d'une part, et {Pick(r, Companies)}, ci-après dénommée « le Client », d'autre part, il a été convenu ce qui suit.

        ## Article 1 – Objet
        Le présent contrat a pour objet de définir les conditions dans lesquelles le Prestataire réalise les prestations décrites en annexe.

        ## Article 2 – Durée
        Le contrat prend effet le {Datum(r)} pour une durée de {r.Next(1, 4)} ans, renouvelable par tacite reconduction.

        ## Article 3 – Prix et modalités de paiement
        Le prix est fixé à {Geld(r, 9000)} € HT par mois, payable à 30 jours.

        ## Article 4 – Résiliation
        Chaque partie peut résilier le contrat par lettre recommandée avec un préavis de {r.Next(1, 6)} mois.

        ## Article 5 – Loi applicable
        Le présent contrat est soumis au droit français. Tout litige relève du tribunal de commerce de {Pick(r, Cities)}.

        Fait à {Pick(r, Cities)}, le {Datum(r)}, en deux exemplaires originaux.
        """;

    private static string CvEn(Random r) => $"""
        # {Pick(r, People)}
        {Pick(r, new[] { "Senior Software Engineer", "Financial Analyst", "Project Manager" })} · {Pick(r, Cities)} · +44 7700 900{r.Next(100, 999)} · name@example.com

        ## Profile
        {r.Next(4, 15)} years of experience delivering projects for international clients. Strong communicator, analytical, team player.

        ## Experience
        - {r.Next(2018, 2022)} – present: {Pick(r, new[] { "Lead Developer", "Senior Analyst", "Team Lead" })}, {Pick(r, Companies)}. Led a team of {r.Next(3, 12)} people; reduced costs by {r.Next(5, 40)}%.
        - {r.Next(2012, 2018)} – {r.Next(2018, 2022)}: {Pick(r, new[] { "Developer", "Analyst", "Consultant" })}, {Pick(r, Companies)}.

        ## Education
        - {Pick(r, new[] { "BSc Computer Science", "MSc Finance", "BA Business Administration" })}, University of {Pick(r, Cities)}, {r.Next(2005, 2015)}

        ## Skills
        {Pick(r, new[] { "C#, .NET, SQL, Azure, Docker", "Excel, Power BI, financial modelling, SAP", "Scrum, stakeholder management, budgeting" })}

        ## Languages
        English (native), German (fluent), French (basic)
        """;

    private static string CvDe(Random r) => $"""
        # Lebenslauf

        ## Persönliche Daten
        Name: {Pick(r, People)}
        Geburtsdatum: {Datum(r)} in {Pick(r, Cities)}
        Anschrift: Lindenweg {r.Next(1, 90)}, {r.Next(10000, 99999)} {Pick(r, Cities)}
        Telefon: 0171 {r.Next(1000000, 9999999)}

        ## Berufserfahrung
        - seit {r.Next(2018, 2023)}: {Pick(r, new[] { "Softwareentwicklerin", "Buchhalter", "Projektleiterin" })}, {Pick(r, Companies)}
        - {r.Next(2010, 2017)} – {r.Next(2017, 2020)}: {Pick(r, new[] { "Sachbearbeiter", "Werkstudentin", "Trainee" })}, {Pick(r, Companies)}

        ## Ausbildung
        - {r.Next(2005, 2012)} – {r.Next(2012, 2016)}: Studium der {Pick(r, new[] { "Informatik", "Betriebswirtschaftslehre", "Wirtschaftsinformatik" })}, Universität {Pick(r, Cities)}, Abschluss Master of Science
        - Abitur, Gymnasium {Pick(r, Cities)}

        ## Kenntnisse
        EDV: MS Office, SAP, Java, SQL. Sprachen: Deutsch (Muttersprache), Englisch (verhandlungssicher), Französisch (Grundkenntnisse)

        ## Hobbys
        Klettern, Fotografie
        """;

    private static string CvFr(Random r) => $"""
        # {Pick(r, People)}
        {Pick(r, new[] { "Ingénieure logiciel", "Contrôleur de gestion", "Chef de projet" })} – {r.Next(25, 50)} ans – {Pick(r, Cities)} – 06 {r.Next(10, 99)} {r.Next(10, 99)} {r.Next(10, 99)} {r.Next(10, 99)}

        ## Expérience professionnelle
        - Depuis {r.Next(2018, 2023)} : {Pick(r, new[] { "Développeuse full stack", "Responsable comptable", "Chef de projet informatique" })} chez {Pick(r, Companies)}
        - {r.Next(2012, 2017)} – {r.Next(2017, 2020)} : {Pick(r, new[] { "Consultant junior", "Assistante de gestion", "Stagiaire" })} chez {Pick(r, Companies)}

        ## Formation
        - {r.Next(2008, 2016)} : {Pick(r, new[] { "Master en informatique", "Diplôme d'école de commerce", "Licence en gestion" })}, Université de {Pick(r, Cities)}
        - Baccalauréat scientifique, mention bien

        ## Compétences
        Gestion de projet, Python, SQL, Excel avancé, comptabilité analytique

        ## Langues
        Français (langue maternelle), anglais (courant), allemand (notions)

        ## Centres d'intérêt
        Course à pied, théâtre, bénévolat
        """;

    private static string MinutesEn(Random r) => $"""
        # Minutes of the {Pick(r, new[] { "Board Meeting", "Project Steering Committee", "Team Meeting" })}

        Date: {Date(r)}, 10:00–11:30, {Pick(r, new[] { "Room 2.14", "video call" })}
        Present: {Pick(r, People)} (chair), {Pick(r, People)}, {Pick(r, People)}, {Pick(r, People)}
        Apologies: {Pick(r, People)}
        Minutes taken by: {Pick(r, People)}

        ## 1. Approval of the previous minutes
        The minutes of the last meeting were approved without changes.

        ## 2. Budget update
        The finance lead reported spending at {r.Next(40, 95)}% of the annual budget. The committee agreed to defer the office refurbishment.

        ## 3. Any other business
        None.

        ## Action items
        - {Pick(r, People)} to circulate the revised plan by {Date(r)}.
        - {Pick(r, People)} to contact the supplier about delivery dates.

        Next meeting: {Date(r)}.
        """;

    private static string MinutesDe(Random r) => $"""
        # Protokoll der {Pick(r, new[] { "Vorstandssitzung", "Abteilungsbesprechung", "Mitgliederversammlung" })}

        Datum: {Datum(r)}, 14:00 – 15:45 Uhr
        Ort: {Pick(r, new[] { "Besprechungsraum 3", "Online (Teams)" })}
        Teilnehmende: {Pick(r, People)} (Sitzungsleitung), {Pick(r, People)}, {Pick(r, People)}
        Entschuldigt: {Pick(r, People)}
        Protokoll: {Pick(r, People)}

        ## TOP 1: Genehmigung der Tagesordnung
        Die Tagesordnung wird einstimmig genehmigt.

        ## TOP 2: Bericht zur Projektlage
        Das Projekt liegt im Zeitplan. Die Kosten betragen derzeit {r.Next(40, 95)} % des Budgets.

        ## TOP 3: Verschiedenes
        Keine Wortmeldungen.

        ## Beschlüsse und Aufgaben
        - {Pick(r, People)} erstellt bis {Datum(r)} einen überarbeiteten Zeitplan.
        - Die nächste Sitzung findet am {Datum(r)} statt.
        """;

    private static string MinutesFr(Random r) => $"""
        # Compte rendu de la réunion {Pick(r, new[] { "du comité de direction", "d'équipe", "du conseil d'administration" })}

        Date : {Datum(r)}, de 9 h 30 à 11 h
        Présents : {Pick(r, People)} (président de séance), {Pick(r, People)}, {Pick(r, People)}
        Excusés : {Pick(r, People)}
        Secrétaire de séance : {Pick(r, People)}

        ## Ordre du jour
        1. Approbation du compte rendu précédent
        2. Point budgétaire
        3. Questions diverses

        ## 1. Approbation du compte rendu précédent
        Le compte rendu de la dernière réunion est approuvé à l'unanimité.

        ## 2. Point budgétaire
        Les dépenses atteignent {r.Next(40, 95)} % du budget annuel. Le comité décide de reporter le recrutement prévu.

        ## Relevé de décisions et actions
        - {Pick(r, People)} transmettra le planning révisé avant le {Datum(r)}.
        - Prochaine réunion le {Datum(r)}.
        """;

    private static string Transactions(Random r, string[] kinds, Func<Random, int, string> money, Func<Random, string> date) =>
        string.Join('\n', Enumerable.Range(0, r.Next(5, 10)).Select(_ => $"| {date(r)} | {Pick(r, kinds)} {Pick(r, Companies)} | {money(r, 900)} | | {money(r, 9000)} |"));

    private static string StatementEn(Random r) => $"""
        # {Pick(r, new[] { "Barclays", "Lloyds Bank", "Monzo" })} – Current Account Statement

        Account holder: {Pick(r, People)}
        Sort code: {r.Next(10, 99)}-{r.Next(10, 99)}-{r.Next(10, 99)} Account number: {r.Next(10000000, 99999999)}
        Statement period: {Date(r)} to {Date(r)}

        Opening balance: £{Money(r, 9000)}

        | Date | Description | Paid out | Paid in | Balance |
        |---|---|---|---|---|
        {Transactions(r, ["Card payment to", "Direct debit", "Transfer from", "Standing order"], Money, Date)}

        Closing balance: £{Money(r, 9000)}

        Your deposit is eligible for protection under the Financial Services Compensation Scheme.
        """;

    private static string StatementDe(Random r) => $"""
        # {Pick(r, new[] { "Sparkasse", "Volksbank", "Commerzbank" })} – Kontoauszug Nr. {r.Next(1, 12)}/{r.Next(2023, 2026)}

        Kontoinhaber: {Pick(r, People)}
        IBAN: DE{r.Next(10, 99)} {r.Next(1000, 9999)} {r.Next(1000, 9999)} {r.Next(1000, 9999)} {r.Next(1000, 9999)} {r.Next(10, 99)}
        Auszugszeitraum: {Datum(r)} – {Datum(r)}

        Alter Kontostand: {Geld(r, 9000)} EUR

        | Buchungstag | Verwendungszweck | Soll | Haben | Saldo |
        |---|---|---|---|---|
        {Transactions(r, ["Lastschrift", "Überweisung an", "Gutschrift von", "Kartenzahlung"], Geld, Datum)}

        Neuer Kontostand: {Geld(r, 9000)} EUR

        Bitte prüfen Sie die Buchungen. Einwendungen gegen den Rechnungsabschluss müssen innerhalb von sechs Wochen erhoben werden.
        """;

    private static string StatementFr(Random r) => $"""
        # {Pick(r, new[] { "Crédit Agricole", "BNP Paribas", "La Banque Postale" })} – Relevé de compte courant

        Titulaire : {Pick(r, People)}
        N° de compte : {r.Next(10000000, 99999999)} – IBAN FR76 {r.Next(1000, 9999)} {r.Next(1000, 9999)} {r.Next(1000, 9999)}
        Période du {Datum(r)} au {Datum(r)}

        Solde précédent : {Geld(r, 9000)} €

        | Date | Libellé | Débit | Crédit | Solde |
        |---|---|---|---|---|
        {Transactions(r, ["Prélèvement", "Virement reçu de", "Paiement par carte", "Virement émis vers"], Geld, Datum)}

        Nouveau solde créditeur : {Geld(r, 9000)} €

        En cas de réclamation, contactez votre conseiller.
        """;

    private static string PaperEn(Random r) => $"""
        # {Pick(r, new[] { "Sparse Attention for Long Document Classification", "A Field Study of Soil Moisture Sensors", "Measuring Bias in Credit Scoring Models" })}

        {Pick(r, People)}, {Pick(r, People)} – Department of {Pick(r, new[] { "Computer Science", "Environmental Engineering", "Economics" })}, University of {Pick(r, Cities)}

        ## Abstract
        We study the problem and propose a new method that improves accuracy by {r.Next(2, 15)}% over strong baselines on {r.Next(3, 8)} benchmark datasets. Our results suggest that the approach generalises across domains.

        ## 1 Introduction
        Prior work has addressed this question with limited success [1, 2]. In this paper we make three contributions.

        ## 2 Related Work
        Smith et al. (2019) introduced the first model of this kind; later studies extended it [3].

        ## 3 Method
        We define the objective in Equation 1 and optimise it with stochastic gradient descent.

        ## 4 Experiments and Results
        Table 2 reports mean accuracy over {r.Next(3, 10)} runs; the difference is significant (p < 0.05).

        ## 5 Conclusion
        We presented a method and discussed its limitations and future work.

        ## References
        [1] A. Author, B. Author. Title of a paper. Journal of Research, 2018.
        """;

    private static string PaperDe(Random r) => $"""
        # {Pick(r, new[] { "Untersuchung der Wärmeleitfähigkeit von Recyclingbeton", "Maschinelles Lernen zur Vorhersage von Stromlasten" })}

        {Pick(r, People)}, {Pick(r, People)} – Institut für {Pick(r, new[] { "Informatik", "Bauingenieurwesen", "Energietechnik" })}, Universität {Pick(r, Cities)}

        ## Zusammenfassung
        In dieser Arbeit untersuchen wir den Einfluss verschiedener Parameter und stellen ein neues Verfahren vor. Die Ergebnisse zeigen eine Verbesserung um {r.Next(2, 15)} % gegenüber bisherigen Ansätzen.

        ## 1 Einleitung
        Bisherige Untersuchungen [1] haben gezeigt, dass die Fragestellung von großer Bedeutung ist.

        ## 2 Stand der Forschung
        Müller et al. (2020) beschreiben ein vergleichbares Modell.

        ## 3 Methodik
        Die Messreihen wurden an {r.Next(10, 60)} Proben durchgeführt und statistisch ausgewertet.

        ## 4 Ergebnisse und Diskussion
        Abbildung 3 zeigt die Mittelwerte und Standardabweichungen der Messungen.

        ## 5 Fazit und Ausblick
        Weitere Forschung ist erforderlich.

        ## Literaturverzeichnis
        [1] Autor, A.; Autor, B.: Titel der Veröffentlichung. Zeitschrift für Forschung, 2019.
        """;

    private static string PaperFr(Random r) => $"""
        # {Pick(r, new[] { "Modélisation des crues par apprentissage profond", "Étude de la dégradation des batteries lithium-ion" })}

        {Pick(r, People)}, {Pick(r, People)} – Laboratoire de {Pick(r, new[] { "mécanique", "informatique", "chimie des matériaux" })}, Université de {Pick(r, Cities)}

        ## Résumé
        Dans cet article, nous proposons une méthode originale et l'évaluons sur {r.Next(3, 8)} jeux de données. Les résultats expérimentaux montrent un gain de {r.Next(2, 15)} % par rapport à l'état de l'art.

        ## 1 Introduction
        Les travaux antérieurs [1] ont abordé ce problème sous plusieurs angles.

        ## 2 État de l'art
        Dupont et al. (2021) ont proposé un premier modèle.

        ## 3 Méthodologie
        Nous décrivons le protocole expérimental et les hypothèses du modèle.

        ## 4 Résultats et discussion
        Le tableau 2 présente les performances moyennes sur {r.Next(3, 10)} essais.

        ## 5 Conclusion et perspectives
        Nous avons présenté une approche et discuté ses limites.

        ## Références bibliographiques
        [1] Auteur, A. Titre de l'article. Revue scientifique, 2020.
        """;
}
