using Annotate.Annotators.Annotations;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Readers;
using Annotate.Annotators.Writers;

namespace Annotate.Annotators.Tests.Writers;

/// <summary>Annotations and contexts the writer tests share.</summary>
internal static class WriterFixtures
{
    public static AnnotationSet LedgerAnnotations()
    {
        var annotations = new AnnotationSet
        {
            Language = new LanguageAnnotation("en", "English", 0.91, "language"),
            Statistics = new DocumentStatistics { Sheets = 4, Tables = 3, Rows = 6, Words = 20, Characters = 120, Annotator = "statistics" },
        };
        annotations.Columns.Add(new ColumnProfile
        {
            Sheet = "Ledger", Table = "Ledger", Index = 2, Header = "Amount", Range = "C2:C5", InferredType = "number",
            Count = 3, EmptyRatio = 1 / 3.0, DistinctCount = 2, Min = "-20", Max = "1250.5", Examples = ["1250.5", "-20"], Annotator = "columns",
        });
        annotations.Columns.Add(new ColumnProfile
        {
            Sheet = "Ledger", Table = "Ledger", Index = 4, Header = "Customer_2", Range = "E2:E5", InferredType = "text",
            Count = 3, EmptyRatio = 2 / 3.0, DistinctCount = 1, Examples = ["anna@example.com"], PersonalData = ["email"], Annotator = "columns",
        });
        annotations.Entities.Add(new EntityAnnotation
        {
            Type = "email", Text = "anna@example.com", Value = "anna@example.com", Location = SourceLocation.InSheet("Ledger", "E2"), Annotator = "patterns",
        });
        annotations.Entities.Add(new EntityAnnotation
        {
            Type = "money", Text = "1250.5", Value = "1250.50", Currency = "EUR", Location = SourceLocation.InSheet("Ledger", "C2"), Annotator = "patterns",
        });
        return annotations;
    }

    public static OutputContext Context(Document document, AnnotationSet annotations, string sourcePath, string outputDirectory)
    {
        Directory.CreateDirectory(outputDirectory);
        return new OutputContext("doc-1", document, annotations, new DocumentSource(sourcePath, document.FileName), outputDirectory);
    }

    /// <summary>A CSV document as the CSV reader models it: one table, header on line 1.</summary>
    public static Document CsvDocument() => new()
    {
        FileName = "contacts.csv",
        Format = SourceFormat.Csv,
        Blocks =
        [
            new TableBlock
            {
                Name = "contacts",
                Columns = ["Name", "Joined", "Score", "Active", "Note"],
                HasHeaderRow = true,
                Rows = new InMemoryRows(
                [
                    new TableRow(2, [CellValue.FromText("Ann, Jr."), CellValue.FromDateTime(new DateTime(2023, 5, 17)), CellValue.FromNumber(9.5), CellValue.FromBoolean(true), CellValue.FromText("said \"hi\"\nthen left")]),
                    new TableRow(3, [CellValue.FromText("Bo"), CellValue.FromDateTime(new DateTime(2023, 5, 18, 8, 15, 0)), CellValue.FromNumber(-1), CellValue.FromBoolean(false), CellValue.Empty]),
                    new TableRow(4, [CellValue.FromText(" Zoë "), CellValue.Empty, CellValue.FromNumber(1e21), CellValue.Empty, CellValue.FromText("ok")]),
                ]),
                Location = new SourceLocation { Line = 1, Cell = "A1:E4", Block = 0 },
            },
        ],
    };
}
