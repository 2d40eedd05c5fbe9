using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Annotate.Gateway.Tests.Support;
using ClosedXML.Excel;

namespace Annotate.Gateway.Tests.Review;

/// <summary>
/// Review of spreadsheet row labels with the real tiny model (profile <c>spreadsheet-rows</c>): the correction is stored
/// beside the model's value, and the reviewed annotated.xlsx and CSV carry it while the model's outputs stay as they were.
/// </summary>
public sealed class RowReviewTests
{
    private static readonly string[] Labels = ["income", "expense", "transfer", "other"];

    private static async Task<(GatewayHost Host, string Id, JsonObject Table, JsonArray Fields)> AnnotatedSheetAsync(string fileName)
    {
        var host = new GatewayHost(ReviewEndpointsTests.WithModel());
        var path = Path.Combine(host.Root, fileName);
        if (fileName.EndsWith(".csv", StringComparison.Ordinal))
        {
            // A blank line makes the CSV's line numbers differ from its record numbers.
            await File.WriteAllTextAsync(path, "Date,Payee,Amount\n2024-01-02,Acme,-120.50\n\n2024-01-03,\"Globex, Ltd\",2000\n2024-01-04,Initech,-35\n");
        }
        else
        {
            using var workbook = new XLWorkbook();
            var sheet = workbook.AddWorksheet("Ledger");
            sheet.Cell(1, 1).Value = "Date";
            sheet.Cell(1, 2).Value = "Payee";
            sheet.Cell(1, 3).Value = "Amount";
            string[] payees = ["Acme", "Globex", "Initech"];
            for (var i = 0; i < payees.Length; i++)
            {
                sheet.Cell(i + 2, 1).Value = new DateTime(2024, 1, 2 + i);
                sheet.Cell(i + 2, 2).Value = payees[i];
                sheet.Cell(i + 2, 3).Value = (i + 1) * 100;
            }
            workbook.SaveAs(path);
        }
        var id = await host.UploadAsync(path, profile: "spreadsheet-rows");
        var status = await host.WaitUntilFinishedAsync(id);
        Assert.True(status.GetProperty("state").GetString() == "Completed", status.GetProperty("message").ToString());
        var annotations = JsonNode.Parse(await host.Client.GetStringAsync($"/api/documents/{id}/files/annotations.json"))!;
        Assert.True(annotations["rows"] is not null, annotations["annotators"]?.ToJsonString() + annotations["notices"]?.ToJsonString());
        var table = annotations["rows"]!["tables"]!.AsArray()[0]!.AsObject();
        return (host, id, table, annotations["rows"]!["fields"]!.AsArray());
    }

    private static string OtherLabel(string? label) => Labels.First(l => l != label);

    [Theory]
    [InlineData("ledger.csv")]
    [InlineData("ledger.xlsx")]
    public async Task A_corrected_row_label_is_in_the_reviewed_workbook_and_csv_while_the_models_outputs_keep_its_label(string fileName)
    {
        var (host, id, table, fields) = await AnnotatedSheetAsync(fileName);
        await using var _ = host;
        Assert.Equal("Category", (string?)fields[0]);
        var row = table["rows"]!.AsArray()[1]!;
        var number = (long)row["row"]!;
        var original = (string?)row["values"]!["Category"];
        var corrected = OtherLabel(original);
        var block = (int)table["block"]!;
        var modelWorkbook = await host.Client.GetByteArrayAsync($"/api/documents/{id}/files/annotated.xlsx");
        var csvName = (string)table["csv"]!;
        var modelCsv = await host.Client.GetStringAsync($"/api/documents/{id}/files/{csvName}");

        var response = await host.Client.PutAsJsonAsync($"/api/documents/{id}/review", new
        {
            reviewer = "Dana",
            rows = new[] { new { block, row = number, field = "Category", value = corrected } },
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var review = await host.Client.GetFromJsonAsync<JsonElement>($"/api/documents/{id}/review");
        var reviewed = Assert.Single(review.GetProperty("rows").EnumerateArray());
        Assert.Equal((number, "Category", corrected, original, true),
            (reviewed.GetProperty("row").GetInt64(), reviewed.GetProperty("field").GetString(), reviewed.GetProperty("value").GetString(),
             reviewed.GetProperty("original").GetString(), reviewed.GetProperty("changed").GetBoolean()));

        // The reviewed CSV: the label column of that row's record holds the correction; every other cell is the model's CSV.
        var csv = await host.Client.GetAsync($"/api/documents/{id}/files/{csvName}?reviewed=true");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal(Path.GetFileNameWithoutExtension(csvName) + ".reviewed.csv", csv.Content.Headers.ContentDisposition?.FileNameStar ?? csv.Content.Headers.ContentDisposition?.FileName);
        var record = (int)(long)row["csvRecord"]!;
        var expected = Records(modelCsv);
        Assert.Equal(original, expected[record + 1][^2]);
        expected[record + 1][^2] = corrected;
        Assert.Equal(expected, Records(await csv.Content.ReadAsStringAsync()));

        // The reviewed workbook: the cell beside the row holds the correction; the model's workbook keeps its label.
        var sheet = (string)table["workbookSheet"]!;
        var column = (int)table["workbookColumn"]!;
        Assert.Equal(original, Cell(modelWorkbook, sheet, number, column));
        var workbook = await host.Client.GetByteArrayAsync($"/api/documents/{id}/files/annotated.xlsx?reviewed=true");
        Assert.Equal(corrected, Cell(workbook, sheet, number, column));
        Assert.Equal(Cell(modelWorkbook, sheet, number, column + 1), Cell(workbook, sheet, number, column + 1));
        Assert.Equal(modelWorkbook, await host.Client.GetByteArrayAsync($"/api/documents/{id}/files/annotated.xlsx"));
        Assert.Equal(modelCsv, await host.Client.GetStringAsync($"/api/documents/{id}/files/{csvName}"));

        // The list shows it reviewed, with the reviewed downloads; the zip holds them in a folder of their own.
        var status = await host.Client.GetFromJsonAsync<JsonElement>($"/api/documents/{id}");
        Assert.Equal(JsonValueKind.String, status.GetProperty("reviewedAt").ValueKind);
        var output = status.GetProperty("outputs").EnumerateArray().Single(o => o.GetProperty("name").GetString() == "annotated.xlsx");
        Assert.Equal($"/api/documents/{id}/files/annotated.xlsx?reviewed=true", output.GetProperty("reviewedUrl").GetString());
        using var zip = new ZipArchive(new MemoryStream(await host.Client.GetByteArrayAsync($"/api/documents/{id}/outputs.zip")));
        using (var entry = new StreamReader(zip.GetEntry("reviewed/" + csvName)!.Open()))
        {
            Assert.Equal(expected, Records(await entry.ReadToEndAsync()));
        }
        Assert.NotNull(zip.GetEntry("reviewed/annotations.reviewed.json"));
        Assert.NotNull(zip.GetEntry("annotated.xlsx"));

        var line = JsonNode.Parse((await host.Client.GetStringAsync("/api/reviews.jsonl?profile=spreadsheet-rows")).Trim())!;
        Assert.Equal(corrected, (string?)line["rows"]![0]!["value"]);
    }

    [Fact]
    public async Task A_row_correction_the_annotations_do_not_allow_is_refused_naming_the_file_and_the_reason()
    {
        var (host, id, table, _) = await AnnotatedSheetAsync("ledger.csv");
        await using var _ = host;
        var block = (int)table["block"]!;
        var number = (long)table["rows"]!.AsArray()[0]!["row"]!;

        async Task<string> RefusedAsync(object row)
        {
            var response = await host.Client.PutAsJsonAsync($"/api/documents/{id}/review", new { reviewer = "Dana", rows = new[] { row } });
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!;
        }

        Assert.Contains("'wages' is not a label of row field 'Category'", await RefusedAsync(new { block, row = number, field = "Category", value = "wages" }), StringComparison.Ordinal);
        Assert.Contains("'ledger.csv' has no row field 'Colour'", await RefusedAsync(new { block, row = number, field = "Colour", value = "red" }), StringComparison.Ordinal);
        Assert.Contains("Row 999", await RefusedAsync(new { block, row = 999, field = "Category", value = "income" }), StringComparison.Ordinal);
        Assert.Contains("'ledger.csv' has no annotated table at block 7", await RefusedAsync(new { block = 7, row = number, field = "Category", value = "income" }), StringComparison.Ordinal);
        Assert.Contains("32,767", await RefusedAsync(new { block, row = number, field = "Note", value = new string('x', 40_000) }), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NoContent, (await host.Client.GetAsync($"/api/documents/{id}/review")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync($"/api/documents/{id}/files/annotated.xlsx?reviewed=true")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync($"/api/documents/{id}/files/annotations.json?reviewed=true")).StatusCode);
    }

    private static List<string[]> Records(string csv)
    {
        var records = new List<string[]>();
        using var reader = CsvHelper.CsvReader.FromText(csv, new CsvHelper.CsvReaderOptions { HasHeader = false, Separator = ',', SkipEmptyLines = false });
        while (reader.Read())
        {
            records.Add(reader.Current.ToArray());
        }
        return records;
    }

    private static string? Cell(byte[] workbook, string sheet, long row, int column)
    {
        using var book = new XLWorkbook(new MemoryStream(workbook));
        var cell = book.Worksheet(sheet).Cell((int)row, column);
        return cell.IsEmpty() ? null : cell.GetString();
    }
}
