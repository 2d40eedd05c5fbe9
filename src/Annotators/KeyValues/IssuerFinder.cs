using Annotate.Annotators.Annotations;
using Annotate.Annotators.Builtin;
using Annotate.Annotators.Documents;

namespace Annotate.Annotators.KeyValues;

/// <summary>
/// Tells who sent the document: a label naming the seller, a company name (with its legal form) in the header block
/// or the sender line above the recipient's address, the name beside the sender's VAT id, or the domain of the
/// sender's e-mail address, in that order of trust. The recipient (the value of <c>Bill to:</c> and its kin) is never taken.
/// </summary>
internal static class IssuerFinder
{
    /// <summary>Text blocks at the start of the document looked at as its header.</summary>
    private const int HeaderBlocks = 12;

    /// <summary>Rows of the first table looked at as a sheet's header.</summary>
    private const int HeaderRows = 8;

    private const int MaxNameWords = 6;

    private static readonly HashSet<string> LegalForms = new(StringComparer.Ordinal)
    {
        "GmbH", "AG", "KG", "OHG", "UG", "e.K.", "mbH", "KGaA", "eG", "e.V.",
        "Ltd", "Ltd.", "Limited", "LLC", "L.L.C.", "Inc", "Inc.", "Corp", "Corp.", "Corporation", "PLC", "plc", "LLP", "LP",
        "SARL", "S.A.R.L.", "SAS", "SA", "S.A.", "SASU", "EURL", "SNC", "SCI",
        "BV", "B.V.", "NV", "N.V.", "S.r.l.", "Srl", "SpA", "S.p.A.", "S.L.", "SL", "Oy", "AB", "ApS", "A/S",
    };

    private static readonly HashSet<string> Connectors = new(StringComparer.Ordinal) { "&", "und", "and", "et", "+", "Co.", "Co", "of", "de", "du", "des" };

    private static readonly HashSet<string> FreeMail = new(StringComparer.OrdinalIgnoreCase)
    {
        "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "hotmail.fr", "live.com", "yahoo.com", "yahoo.fr", "icloud.com",
        "gmx.de", "gmx.net", "web.de", "t-online.de", "orange.fr", "free.fr", "laposte.net", "proton.me", "protonmail.com",
    };

    public static IssuerAnnotation? Find(Document document, IReadOnlyList<KeyValueItem> pairs, EntityRecognizer recognizer, CancellationToken cancellationToken)
    {
        var recipient = pairs.Where(p => p.Key == KeyVocabulary.BillTo).Select(p => p.Value).ToList();
        bool IsRecipient(string text) => recipient.Exists(r => r.Contains(text, StringComparison.OrdinalIgnoreCase) || text.Contains(r, StringComparison.OrdinalIgnoreCase));

        var header = HeaderTexts(document, cancellationToken).ToList();
        var entities = header.Concat(FooterTexts(document))
            .SelectMany(t => recognizer.Find(t.Text).Select(e => (Entity: e, t.Location)))
            .Where(e => !IsRecipient(e.Entity.Text))
            .ToList();
        var vat = pairs.FirstOrDefault(p => p.Key == KeyVocabulary.VatId && !IsRecipient(p.Value)) is { } vatPair
            ? recognizer.Find(vatPair.Value).FirstOrDefault(e => e.Type == EntityTypes.VatId)?.Value ?? vatPair.Value
            : entities.FirstOrDefault(e => e.Entity.Type == EntityTypes.VatId).Entity?.Value;
        var email = entities.FirstOrDefault(e => e.Entity.Type == EntityTypes.Email && !FreeMail.Contains(Domain(e.Entity.Value))) is { Entity: not null } mail ? mail : default;
        var domain = email.Entity is { } e1 ? Domain(e1.Value) : null;

        IssuerAnnotation Issuer(string name, string method, SourceLocation location) =>
            new() { Name = name, Method = method, Location = location, VatId = vat, EmailDomain = domain };

        if (pairs.FirstOrDefault(p => p.Key == KeyVocabulary.Issuer && p.Value.Any(char.IsLetter)) is { } labelled)
        {
            return Issuer(labelled.Value, IssuerAnnotation.LabelMethod, labelled.Location);
        }
        foreach (var (text, location) in header)
        {
            if (CompanyName(text) is { } found && !IsRecipient(found.Name))
            {
                var method = IsSenderLine(text) ? IssuerAnnotation.SenderLineMethod : IssuerAnnotation.HeaderMethod;
                return Issuer(found.Name, method, location with { Offset = location.Cell is null ? (location.Offset ?? 0) + found.Index : null, Length = location.Cell is null ? found.Name.Length : null });
            }
        }
        if (vat is not null)
        {
            // The company named in the same block as the VAT id (a footer), else the VAT id itself.
            var vatText = header.Concat(FooterTexts(document)).FirstOrDefault(t => t.Text.Contains(vat, StringComparison.OrdinalIgnoreCase)
                || recognizer.Find(t.Text).Any(e => e.Type == EntityTypes.VatId && e.Value == vat));
            if (vatText.Text is not null)
            {
                return Issuer(CompanyName(vatText.Text)?.Name ?? vat, IssuerAnnotation.VatIdMethod, vatText.Location);
            }
        }
        return domain is not null ? Issuer(domain, IssuerAnnotation.EmailDomainMethod, email.Location) : null;
    }

    /// <summary>A name ending in a legal form (<c>Acme Solutions GmbH</c>, <c>Globex Ltd.</c>, <c>Dupont &amp; Fils SARL</c>), and where it starts in the text.</summary>
    internal static (string Name, int Index)? CompanyName(string text)
    {
        var words = Words(text);
        for (var i = 0; i < words.Count; i++)
        {
            if (!LegalForms.Contains(words[i].Text.TrimEnd(',', ';', '·')))
            {
                continue;
            }
            var last = i;
            // "GmbH & Co. KG" is one legal form.
            if (i + 3 < words.Count && words[i + 1].Text == "&" && words[i + 2].Text is "Co." or "Co" && LegalForms.Contains(words[i + 3].Text.TrimEnd(',')))
            {
                last = i + 3;
            }
            var first = i;
            while (first > 0 && i - first < MaxNameWords && IsNameWord(words[first - 1].Text))
            {
                first--;
            }
            while (first < i && Connectors.Contains(words[first].Text))
            {
                first++;
            }
            if (first == i)
            {
                continue;
            }
            var start = words[first].Index;
            var name = text[start..(words[last].Index + words[last].Text.Length)].TrimEnd(',', ';', '·').Trim();
            return (name, start);
        }
        return null;
    }

    private static bool IsNameWord(string word) =>
        word.Length > 0 && !word.Any(char.IsDigit) && !word.EndsWith(':') && word is not ("·" or "|" or "•" or "-" or "–")
        && (char.IsUpper(word[0]) || Connectors.Contains(word) || (word.Length > 1 && char.IsUpper(word[1])));

    private static bool IsSenderLine(string text) =>
        text.Contains(" · ", StringComparison.Ordinal) || text.Contains(" | ", StringComparison.Ordinal) || text.Contains(" • ", StringComparison.Ordinal);

    private static string Domain(string email) => email[(email.LastIndexOf('@') + 1)..].ToLowerInvariant();

    private static List<(string Text, int Index)> Words(string text) =>
        TextPairs.Tokens(text, 0, Math.Min(text.Length, 4000)).Select(t => (text[t.Start..t.End], t.Start)).ToList();

    /// <summary>The first texts of the document: the text blocks of its first page, or the top rows of its first sheet.</summary>
    private static IEnumerable<(string Text, SourceLocation Location)> HeaderTexts(Document document, CancellationToken cancellationToken)
    {
        var taken = 0;
        for (var index = 0; index < document.Blocks.Count && taken < HeaderBlocks; index++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var block = document.Blocks[index];
            if (block.Location.Page is > 1)
            {
                yield break;
            }
            if (block is TableBlock table)
            {
                foreach (var cell in TopCells(table, index))
                {
                    yield return cell;
                }
                if (block.Location.Sheet is not null)
                {
                    yield break;
                }
                continue;
            }
            if (block is HeadingBlock && block.Location.Sheet is not null)
            {
                continue; // the sheet's name, not its content
            }
            taken++;
            foreach (var line in Lines(block.Text, block.Location with { Block = index }))
            {
                yield return line;
            }
        }
    }

    /// <summary>The last text blocks of the first page: a footer often holds the sender's company, VAT id and bank.</summary>
    private static IEnumerable<(string Text, SourceLocation Location)> FooterTexts(Document document)
    {
        var firstPage = Enumerable.Range(0, document.Blocks.Count)
            .Where(i => document.Blocks[i] is not TableBlock && document.Blocks[i].Location.Page is null or 1)
            .TakeLast(HeaderBlocks);
        return firstPage.SelectMany(i => Lines(document.Blocks[i].Text, document.Blocks[i].Location with { Block = i }));
    }

    private static IEnumerable<(string Text, SourceLocation Location)> Lines(string text, SourceLocation location)
    {
        var offset = 0;
        foreach (var line in (text.Length > 4000 ? text[..4000] : text).Split('\n'))
        {
            if (line.Trim().Length > 0)
            {
                yield return (line, location with { Offset = offset, Length = line.Length });
            }
            offset += line.Length + 1;
        }
    }

    private static IEnumerable<(string Text, SourceLocation Location)> TopCells(TableBlock table, int index)
    {
        var location = table.Location with { Block = index };
        if (table.HasHeaderRow)
        {
            for (var c = 0; c < table.Columns.Count && c < 64; c++)
            {
                yield return (table.Columns[c], location with { Cell = table.CellReference(c, table.FirstRow) });
            }
        }
        var rows = table.Rows is StreamedRows streamed ? streamed.Preview(HeaderRows) : table.Rows.Take(HeaderRows);
        foreach (var row in rows)
        {
            for (var c = 0; c < row.Cells.Count && c < 64; c++)
            {
                if (row.Cells[c].Kind == CellKind.Text && !row.Cells[c].IsEmpty)
                {
                    yield return (row.Cells[c].Text.Length > 400 ? row.Cells[c].Text[..400] : row.Cells[c].Text, location with { Cell = table.CellReference(c, row.Number) });
                }
            }
        }
    }
}
