using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Annotate.Gateway.Tests.Support;

namespace Annotate.Gateway.Tests.Api;

/// <summary>The API describes itself: an OpenAPI document, a reference page that works offline, problem details for every error.</summary>
public sealed class OpenApiTests(OpenApiTests.Host host) : IClassFixture<OpenApiTests.Host>
{
    public sealed class Host : IAsyncLifetime
    {
        public GatewayHost Gateway { get; } = new();
        public Task InitializeAsync() => Task.CompletedTask;
        public Task DisposeAsync() => Gateway.DisposeAsync().AsTask();
    }

    [Fact]
    public async Task The_OpenAPI_document_lists_every_document_endpoint_with_its_typed_responses()
    {
        var document = await host.Gateway.Client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        var paths = document.GetProperty("paths");
        Assert.True(paths.GetProperty("/api/documents").TryGetProperty("post", out var upload));
        Assert.True(paths.GetProperty("/api/documents").TryGetProperty("get", out _));
        Assert.True(paths.GetProperty("/api/documents/{id}").TryGetProperty("get", out _));
        Assert.True(paths.GetProperty("/api/documents/{id}/files/{name}").TryGetProperty("get", out _));
        Assert.True(paths.GetProperty("/api/documents/{id}/outputs.zip").TryGetProperty("get", out _));
        var statuses = upload.GetProperty("responses").EnumerateObject().Select(r => r.Name).ToHashSet();
        Assert.Superset(new HashSet<string> { "202", "400", "401", "413", "415", "429" }, statuses);
        var schemas = document.GetProperty("components").GetProperty("schemas");
        Assert.True(schemas.TryGetProperty("DocumentView", out _));
        Assert.True(schemas.TryGetProperty("UploadAccepted", out _));
        Assert.True(schemas.TryGetProperty("OutputView", out _));
        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey");
        Assert.Equal(("apiKey", "header", "X-Api-Key"),
            (scheme.GetProperty("type").GetString(), scheme.GetProperty("in").GetString(), scheme.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task The_reference_page_loads_its_script_from_the_gateway_not_a_CDN()
    {
        using var page = await host.Gateway.Client.GetAsync("/scalar");
        var html = await page.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var scripts = Regex.Matches(html, "<script[^>]*\\ssrc=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(scripts);
        var largest = 0;
        foreach (var script in scripts)
        {
            Assert.False(Uri.TryCreate(script, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https", $"{script} is loaded from another site");
            using var response = await host.Gateway.Client.GetAsync(new Uri(new Uri("http://localhost/scalar/"), script));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            largest = Math.Max(largest, (await response.Content.ReadAsByteArrayAsync()).Length);
        }
        // The reference itself (the bundled scalar.js) is a large script; the others are small helpers.
        Assert.True(largest > 500_000, $"no script is the bundled reference (largest {largest:N0} bytes)");
        Assert.DoesNotContain("fonts.scalar.com", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("cdn.jsdelivr.net", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task An_unknown_API_route_is_404_with_a_problem_body()
    {
        using var response = await host.Gateway.Client.GetAsync("/api/nothing-here");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(404, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetInt32());
    }
}
