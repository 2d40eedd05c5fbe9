using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Annotate.Gateway.Api;
using Annotate.Gateway.Tests.Support;
using Annotate.Messages;

namespace Annotate.Gateway.Tests.Evaluation;

/// <summary>POST /api/eval over the one-process host: a real invoice annotated without a model, judged against references.</summary>
public sealed class EvalEndpointsTests
{
    private const string AcmeKey = "acme-eval-key-0123456789";
    private const string GlobexKey = "globex-eval-key-9876543210";

    private const string Invoice = """
        ACME Office Supplies GmbH
        Hauptstraße 5, 10115 Berlin

        Invoice number: 100482
        Invoice date: 15 March 2024

        Three office chairs, delivered to Globex Ltd in March.

        Total: 1,190.00 EUR
        """;

    // Hand-worked: invoiceNumber exact (1), keyValues.invoice-number exact (1), fields.buyer missing (1) → 2 of 3 right.
    private const string References = """
        {
          "references": {
            "invoice-100482.txt": {
              "fields": { "invoiceNumber": "100482", "buyer": "Initech" },
              "keyValues": { "invoice-number": "100482" }
            },
            "never-sent.pdf": { "documentType": "invoice" }
          }
        }
        """;

    private static Dictionary<string, string?> Keys() => new()
    {
        ["Annotate:Gateway:ApiKeys:" + ApiKeys.Hash(AcmeKey)] = "acme",
        ["Annotate:Gateway:ApiKeys:" + ApiKeys.Hash(GlobexKey)] = "globex",
    };

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task A_profiles_documents_are_judged_for_the_callers_tenant_only()
    {
        await using var host = new GatewayHost(Keys());
        var acme = host.CreateClient(AcmeKey);
        using var form = new MultipartFormDataContent { { new ByteArrayContent(Encoding.UTF8.GetBytes(Invoice)), "file", "invoice-100482.txt" }, { new StringContent("invoice"), "profile" } };
        using var upload = await acme.PostAsync("/api/documents", form);
        Assert.Equal(HttpStatusCode.Accepted, upload.StatusCode);
        var id = (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        // The gateway has recorded the outcome once its consumer has handled the event (bounded: a loaded machine loads the encoder slowly).
        await host.WaitForConsumedAsync<DocumentAnnotated>(TimeSpan.FromMinutes(3));
        var status = await acme.GetFromJsonAsync<JsonElement>($"/api/documents/{id}");
        Assert.True(status.GetProperty("state").GetString() == "Completed", status.ToString());

        using var response = await acme.PostAsync("/api/eval?profile=invoice", Json(References));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var run = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("run");
        Assert.Equal(("invoice", 2, 1), (run.GetProperty("label").GetString(), run.GetProperty("references").GetInt32(), run.GetProperty("evaluated").GetInt32()));
        Assert.Equal(["never-sent.pdf"], run.GetProperty("missingDocuments").EnumerateArray().Select(e => e.GetString()));
        var structured = run.GetProperty("structured");
        Assert.Equal((3, 2, 1), (structured.GetProperty("compared").GetInt32(), structured.GetProperty("exact").GetInt32(), structured.GetProperty("missing").GetInt32()));
        var number = run.GetProperty("documents")[0].GetProperty("values").EnumerateArray().Single(v => v.GetProperty("field").GetString() == "fields.invoiceNumber");
        Assert.Equal(("100482", "exact", true), (number.GetProperty("produced").GetString(), number.GetProperty("outcome").GetString(), number.GetProperty("grounded").GetBoolean()));

        // Another tenant's documents are not judged: for globex the invoice does not exist.
        using var theirs = await host.CreateClient(GlobexKey).PostAsync("/api/eval?profile=invoice", Json(References));
        var theirRun = (await theirs.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("run");
        Assert.Equal((0, 2), (theirRun.GetProperty("evaluated").GetInt32(), theirRun.GetProperty("missingDocuments").GetArrayLength()));
        // Nor by a caller without a key.
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.CreateClient(null).PostAsync("/api/eval?profile=invoice", Json(References))).StatusCode);

        // The same evaluation as the Markdown report, the histogram and a zip of all three.
        using var markdown = await acme.PostAsync("/api/eval?profile=invoice&format=markdown", Json(References));
        Assert.Equal("text/markdown", markdown.Content.Headers.ContentType?.MediaType);
        Assert.Contains("| fields.invoiceNumber | 1 | 1 | 0 | 0 | 0 | 100.0 % |", await markdown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var png = await acme.PostAsync("/api/eval?profile=invoice&format=png", Json(References));
        Assert.Equal("image/png", png.Content.Headers.ContentType?.MediaType);
        Assert.Equal([0x89, 0x50, 0x4E, 0x47], (await png.Content.ReadAsByteArrayAsync())[..4]);
        using var zip = await acme.PostAsync("/api/eval?profile=invoice&format=zip", Json(References));
        using var archive = new ZipArchive(await zip.Content.ReadAsStreamAsync());
        Assert.Equal(["eval.json", "eval.md", "similarity.png"], archive.Entries.Select(e => e.FullName).Order());

        // Compared with another profile: run B judged against the same references (no documents of that profile here).
        using var compared = await acme.PostAsync("/api/eval?profile=invoice&compare=contract", Json(References));
        var report = await compared.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(0, report.GetProperty("compared").GetProperty("evaluated").GetInt32());
        var row = report.GetProperty("differences").EnumerateArray().Single(d => d.GetProperty("field").GetString() == "fields.invoiceNumber");
        Assert.Equal(1.0, row.GetProperty("accuracyA").GetDouble());
    }

    [Fact]
    public async Task References_a_zip_sends_are_read_like_a_folder()
    {
        await using var host = new GatewayHost();
        var zip = Zip(("invoice-1.pdf.json", """{ "documentType": "invoice" }"""));

        using var response = await host.Client.PostAsync("/api/eval", Bytes(zip, "application/zip"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var run = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("run");
        Assert.Equal(("default", 1), (run.GetProperty("label").GetString(), run.GetProperty("missingDocuments").GetArrayLength()));
    }

    [Fact]
    public async Task Hostile_or_malformed_references_are_refused_with_a_clear_reason()
    {
        await using var host = new GatewayHost(new Dictionary<string, string?> { ["Annotate:Eval:MaxRequestBytes"] = "2000", ["Annotate:Eval:MaxReferenceBytes"] = "500" });

        await RefusedAsync(host, Json("{ \"a.pdf\": { \"summary\": "), HttpStatusCode.BadRequest, "invalid-references", "not valid JSON");
        await RefusedAsync(host, Json("""{ "a.pdf": { "document": "../../etc/passwd" } }"""), HttpStatusCode.BadRequest, "invalid-references", "not a plain file name");
        await RefusedAsync(host, Json("{ \"a.pdf\": { \"summary\": \"" + new string('x', 600) + "\" } }"), HttpStatusCode.BadRequest, "invalid-references", "MaxReferenceBytes");
        await RefusedAsync(host, Bytes(Zip(("../up.json", "{}")), "application/zip"), HttpStatusCode.BadRequest, "invalid-references", "&#39;../up.json&#39; is not a plain file name");
        await RefusedAsync(host, Json("{ \"a.pdf\": { \"summary\": \"" + new string('x', 3000) + "\" } }"), HttpStatusCode.RequestEntityTooLarge, "too-large", "MaxRequestBytes");
        // Without a Content-Length the body is counted as it is read.
        await RefusedAsync(host, new StreamContent(new MemoryStream(new byte[5000])) { Headers = { ContentType = new MediaTypeHeaderValue("application/zip") } },
            HttpStatusCode.RequestEntityTooLarge, "too-large", "MaxRequestBytes", chunked: true);
        await RefusedAsync(host, new StringContent("a.pdf: invoice", Encoding.UTF8, "text/plain"), HttpStatusCode.UnsupportedMediaType, "unsupported-media-type", "application/json");
        await RefusedAsync(host, Json("{}"), HttpStatusCode.BadRequest, "invalid-request", "Unknown profile", query: "?profile=nope");
        await RefusedAsync(host, Json("{}"), HttpStatusCode.BadRequest, "invalid-request", "Unknown format", query: "?format=pdf");
    }

    [Fact]
    public async Task The_openapi_document_describes_the_endpoint()
    {
        await using var host = new GatewayHost();

        var document = await host.Client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        var post = document.GetProperty("paths").GetProperty("/api/eval").GetProperty("post");
        Assert.Contains("profile", post.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()));
        Assert.True(post.GetProperty("responses").GetProperty("200").GetProperty("content").TryGetProperty("application/json", out _));
        Assert.True(post.GetProperty("responses").TryGetProperty("413", out _));
    }

    private static async Task RefusedAsync(GatewayHost host, HttpContent content, HttpStatusCode status, string reason, string detail, string query = "", bool chunked = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/eval" + query) { Content = content };
        if (chunked)
        {
            request.Headers.TransferEncodingChunked = true;
        }
        using var response = await host.Client.SendAsync(request);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(status == response.StatusCode, $"{response.StatusCode}: {problem}");
        Assert.Equal(reason, problem.GetProperty("reason").GetString());
        Assert.Contains(detail, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    private static ByteArrayContent Bytes(byte[] bytes, string mediaType)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return content;
    }

    private static byte[] Zip(params (string Name, string Text)[] entries)
    {
        using var stream = new MemoryStream();
        using (var archive = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, text) in entries)
            {
                using var writer = new StreamWriter(archive.CreateEntry(name).Open());
                writer.Write(text);
            }
        }
        return stream.ToArray();
    }
}
