using System.Text.Json.Nodes;

namespace Annotate.Annotators.Tests.Evaluation;

/// <summary>
/// A hand-made evaluation set in temporary folders: outbox results (each document's folder with an annotations.json in
/// the shape AnnotationsJsonWriter writes) and references whose expected numbers are worked out by hand:
///
/// invoice-1.pdf: documentType exact, invoiceNumber exact, total normalised (1,190.50 vs 1190.5), issueDate normalised
///   (15 March 2024 vs 2024-03-15), seller exact, keyValues.invoice-number exact; summary identical (similarity 1).
///   An older result of the same file, all wrong, is superseded.
/// invoice-2.pdf: documentType wrong (receipt), invoiceNumber exact, total normalised (1234.50 EUR vs 1.234,50 €),
///   issueDate normalised (2024-03-15 vs 15.03.2024), seller normalised (Müller GmbH vs "müller  gmbh"), dueDate missing.
/// letter (reference named without extension, result letter.docx): summary unrelated (not similar), title missing,
///   one Q&amp;A pair identical (similarity 1).
/// missing.pdf: a reference without a result. unrelated.txt: a result without a reference.
///
/// Structured: 12 compared, 5 exact, 5 normalised, 1 wrong, 1 missing: accuracy 10/12, exact accuracy 5/12. Grounded:
/// 9 produced values record it, 7 are grounded. Text: 4 compared, 2 strongly similar, 1 not similar, 1 missing.
/// </summary>
internal sealed class EvaluationSet : IDisposable
{
    public const string Invoice1Summary = "Acme GmbH bills Globex Ltd for three office chairs delivered in March.";
    public const string LetterSummaryExpected = "Quarterly sales of industrial pumps rose sharply in Asia and Europe.";
    public const string LetterSummaryProduced = "Please remember to water the garden plants every morning before breakfast.";

    public string Root { get; } = Directory.CreateTempSubdirectory("annotate-eval-").FullName;

    public string Results => Path.Combine(Root, "run-a");

    public string ResultsB => Path.Combine(Root, "run-b");

    public string References => Path.Combine(Root, "references");

    public EvaluationSet()
    {
        Directory.CreateDirectory(References);
        WriteRun(Results, invoice2Type: "receipt");
        // Run B: the same, but invoice-2's type is right.
        WriteRun(ResultsB, invoice2Type: "invoice");

        Reference("invoice-1.pdf.json", """
            {
              "documentType": "invoice",
              "summary": "Acme GmbH bills Globex Ltd for three office chairs delivered in March.",
              "fields": { "invoiceNumber": "100482", "total": "1,190.50", "issueDate": "15 March 2024", "seller": "ACME GmbH" },
              "keyValues": { "invoice-number": "100482" }
            }
            """);
        Reference("invoice-2.json", """
            {
              "document": "invoice-2.pdf",
              "documentType": "invoice",
              "fields": {
                "invoiceNumber": "INV-2",
                "total": { "value": "1234.50 EUR", "kind": "amount" },
                "issueDate": "2024-03-15",
                "seller": { "value": "Müller GmbH", "kind": "name" },
                "dueDate": "2024-04-15"
              }
            }
            """);
        Reference("letter.json", """
            {
              // Comments are allowed in reference files.
              "summary": "Quarterly sales of industrial pumps rose sharply in Asia and Europe.",
              "title": "Sales letter",
              "qa": [ { "question": "Who signed the letter?", "answer": "Jane Doe signed the letter." } ]
            }
            """);
        Reference("missing.json", """{ "document": "missing.pdf", "documentType": "invoice" }""");
        // Not a reference: only .json files are read.
        File.WriteAllText(Path.Combine(References, "notes.txt"), "not read");
    }

    public void Reference(string name, string json) => File.WriteAllText(Path.Combine(References, name), json);

    private static void WriteRun(string folder, string invoice2Type)
    {
        Result(folder, "older-invoice-1", "invoice-1.pdf", "2024-03-01T10:00:00+00:00", new JsonObject
        {
            ["documentType"] = DocumentType("receipt"),
            ["extraction"] = Extraction(("/invoiceNumber", "999", true), ("/total", 5, true)),
        });
        Result(folder, "invoice-1", "invoice-1.pdf", "2024-03-20T10:00:00+00:00", new JsonObject
        {
            ["documentType"] = DocumentType("invoice"),
            ["summary"] = new JsonObject
            {
                ["text"] = Invoice1Summary, ["words"] = 11, ["sentencesRead"] = 4, ["annotator"] = "summary",
                ["sentences"] = new JsonArray(new JsonObject { ["text"] = Invoice1Summary, ["score"] = 0.8, ["location"] = new JsonObject { ["block"] = 1 } }),
            },
            ["extraction"] = Extraction(("/invoiceNumber", "100482", true), ("/total", 1190.5, true), ("/issueDate", "2024-03-15", true), ("/seller", "ACME GmbH", false)),
            ["keyValues"] = new JsonObject
            {
                ["annotator"] = "key-values",
                ["pairs"] = new JsonArray(new JsonObject
                {
                    ["label"] = "Invoice No.", ["value"] = "100482", ["key"] = "invoice-number", ["keyMatch"] = "alias", ["keyScore"] = 1, ["layout"] = "inline",
                    ["location"] = new JsonObject { ["block"] = 0, ["offset"] = 13, ["length"] = 6 },
                    ["labelLocation"] = new JsonObject { ["block"] = 0, ["offset"] = 0, ["length"] = 11 },
                }),
            },
        });
        Result(folder, "invoice-2", "invoice-2.pdf", "2024-03-20T10:00:00+00:00", new JsonObject
        {
            ["documentType"] = DocumentType(invoice2Type),
            ["extraction"] = Extraction(("/invoiceNumber", "INV-2", true), ("/total", "1.234,50 €", true), ("/issueDate", "15.03.2024", false), ("/seller", "müller  gmbh", true)),
        });
        Result(folder, "letter", "letter.docx", "2024-03-20T10:00:00+00:00", new JsonObject
        {
            ["summary"] = new JsonObject { ["text"] = LetterSummaryProduced, ["words"] = 11, ["sentencesRead"] = 2, ["annotator"] = "summary", ["sentences"] = new JsonArray() },
            ["qa"] = new JsonObject
            {
                ["pairCount"] = 2, ["chunks"] = 1, ["annotator"] = "qa", ["provenance"] = new JsonObject { ["model"] = "test" },
                ["pairs"] = new JsonArray(
                    new JsonObject { ["question"] = "What colour is the sky?", ["answer"] = "Blue.", ["chunk"] = 0, ["location"] = new JsonObject { ["block"] = 0 } },
                    new JsonObject { ["question"] = "Who signed the letter?", ["answer"] = "Jane Doe signed the letter.", ["chunk"] = 0, ["location"] = new JsonObject { ["block"] = 3 } }),
            },
        });
        Result(folder, "unrelated", "unrelated.txt", "2024-03-20T10:00:00+00:00", []);
    }

    private static JsonObject DocumentType(string label) => new()
    {
        ["label"] = label, ["score"] = 0.6, ["scores"] = new JsonArray(), ["threshold"] = 0.3, ["location"] = new JsonObject { ["block"] = 0 }, ["characters"] = 200, ["annotator"] = "document-type",
    };

    private static JsonObject Extraction(params (string Path, JsonNode Value, bool Grounded)[] fields)
    {
        var values = new JsonObject();
        var list = new JsonArray();
        foreach (var (path, value, grounded) in fields)
        {
            values[path[1..]] = value.DeepClone();
            var field = new JsonObject { ["path"] = path, ["value"] = value.DeepClone(), ["grounded"] = grounded, ["status"] = grounded ? "grounded" : "ungrounded" };
            if (grounded)
            {
                field["location"] = new JsonObject { ["block"] = 0 };
            }
            list.Add(field);
        }
        return new JsonObject { ["values"] = values, ["fields"] = list, ["chunks"] = 1, ["provenance"] = new JsonObject { ["model"] = "none" }, ["annotator"] = "key-values" };
    }

    private static void Result(string folder, string id, string fileName, string generatedAt, JsonObject sections)
    {
        var root = new JsonObject
        {
            ["$schema"] = "https://annotate.local/schemas/annotations-1.1.json",
            ["schemaVersion"] = "1.1",
            ["documentId"] = id,
            ["generatedAt"] = generatedAt,
            ["generator"] = new JsonObject { ["name"] = "annotate", ["version"] = "test" },
            ["source"] = new JsonObject { ["fileName"] = fileName, ["format"] = "pdf", ["sizeBytes"] = 1000 },
            ["blocks"] = new JsonArray(),
            ["notices"] = new JsonArray(),
            ["annotators"] = new JsonArray(),
        };
        foreach (var (name, value) in sections.ToList())
        {
            sections.Remove(name);
            root[name] = value;
        }
        Directory.CreateDirectory(Path.Combine(folder, id));
        File.WriteAllText(Path.Combine(folder, id, "annotations.json"), root.ToJsonString());
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
