using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Annotate.Gateway.Tests.Support;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Annotate.Gateway.Tests.Api;

/// <summary>Hostile uploads, sent as raw bytes with hand-set headers: each gets the right 4xx and says what is wrong.</summary>
public sealed class MalformedUploadTests(MalformedUploadTests.Host host) : IClassFixture<MalformedUploadTests.Host>
{
    /// <summary>One gateway with the default limits for the whole class: these requests never reach the worker.</summary>
    public sealed class Host : IAsyncLifetime
    {
        public GatewayHost Gateway { get; } = new();
        public Task InitializeAsync() => Task.CompletedTask;
        public Task DisposeAsync() => Gateway.DisposeAsync().AsTask();
    }

    private HttpClient Client => host.Gateway.Client;

    [Fact]
    public async Task Multipart_without_a_boundary_is_400_and_says_the_boundary_is_missing()
    {
        var content = new ByteArrayContent(Encoding.ASCII.GetBytes("--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nhi\r\n--x--\r\n"));
        content.Headers.ContentType = new MediaTypeHeaderValue("multipart/form-data");

        var problem = await PostAsync(content, HttpStatusCode.BadRequest);

        Assert.Equal("invalid-request", problem.GetProperty("reason").GetString());
        Assert.Contains("no boundary", Detail(problem));
    }

    [Fact]
    public async Task Random_bytes_with_a_boundary_are_400_and_say_the_body_is_not_multipart()
    {
        var bytes = new byte[64 * 1024];
        new Random(6).NextBytes(bytes);
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=b0undary");

        var problem = await PostAsync(content, HttpStatusCode.BadRequest);

        Assert.Equal("invalid-request", problem.GetProperty("reason").GetString());
        Assert.Contains("is not valid multipart/form-data", Detail(problem));
    }

    [Fact]
    public async Task A_body_cut_off_inside_the_file_is_400_and_says_it_is_incomplete()
    {
        var content = Raw("--b0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nthe first half of the fi");

        var problem = await PostAsync(content, HttpStatusCode.BadRequest);

        Assert.Contains("ended before the closing boundary", Detail(problem));
    }

    [Fact]
    public async Task A_20000_character_file_name_is_400_about_the_part_headers_not_413_about_the_body()
    {
        var name = new string('n', 20_000) + ".txt";
        var content = Raw($"--b0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\r\nhi\r\n--b0undary--\r\n");

        var problem = await PostAsync(content, HttpStatusCode.BadRequest);

        Assert.Equal("invalid-request", problem.GetProperty("reason").GetString());
        Assert.Contains("headers of a part", Detail(problem));
        Assert.DoesNotContain("104,857,600", Detail(problem));
    }

    [Fact]
    public async Task A_boundary_longer_than_the_standard_allows_is_400()
    {
        var boundary = new string('b', 200);
        var content = new ByteArrayContent(Encoding.ASCII.GetBytes($"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nhi\r\n--{boundary}--\r\n"));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={boundary}");

        var problem = await PostAsync(content, HttpStatusCode.BadRequest);

        Assert.Contains("boundary is longer than", Detail(problem));
    }

    [Fact]
    public async Task A_form_field_over_its_length_limit_is_400_naming_the_field_limit_not_the_document_limit()
    {
        var content = new StringContent($"profile={new string('p', 10_000)}");
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");

        var problem = await PostAsync(content, HttpStatusCode.BadRequest);

        Assert.Contains("form field is too long", Detail(problem));
        Assert.DoesNotContain("104,857,600", Detail(problem));
    }

    [Fact]
    public async Task A_long_unknown_profile_is_400_and_only_its_start_is_repeated()
    {
        var profile = new string('p', 50_000);
        var content = Raw("--b0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nhi\r\n"
            + $"--b0undary\r\nContent-Disposition: form-data; name=\"profile\"\r\n\r\n{profile}\r\n--b0undary--\r\n");

        var problem = await PostAsync(content, HttpStatusCode.BadRequest);

        Assert.Contains("Unknown profile 'ppp", Detail(problem));
        Assert.True(Detail(problem).Length < 1000, "the whole name was repeated");
    }

    [Fact]
    public async Task A_declared_Content_Length_over_the_limit_is_413_before_the_body_is_read()
    {
        await using var small = new GatewayHost(new Dictionary<string, string?> { ["Annotate:Readers:MaxDocumentBytes"] = "1000" });
        // The body never ends: only an answer given before reading it can arrive.
        using var content = new EndlessContent(declaredLength: 50L * 1024 * 1024);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/documents") { Content = content };
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        // The factory's own client buffers a request body (to replay it on redirects); the server's client streams it.
        using var client = ((TestServer)small.Services.GetRequiredService<IServer>()).CreateClient();

        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, bound.Token).WaitAsync(bound.Token);
        content.Release();

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("too-large", problem.GetProperty("reason").GetString());
        Assert.Contains("52,428,800", Detail(problem));
    }

    private static ByteArrayContent Raw(string body)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=b0undary");
        return content;
    }

    private async Task<JsonElement> PostAsync(HttpContent content, HttpStatusCode expected)
    {
        using var response = await Client.PostAsync("/api/documents", content);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"Expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(body).RootElement;
    }

    private static string Detail(JsonElement problem) => problem.GetProperty("detail").GetString()!;

    /// <summary>A multipart body that declares <c>declaredLength</c> bytes, sends its first part's headers and then waits.</summary>
    private sealed class EndlessContent : HttpContent
    {
        private readonly long _declaredLength;
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public EndlessContent(long declaredLength)
        {
            _declaredLength = declaredLength;
            Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=b0undary");
        }

        public void Release() => _released.TrySetResult();

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes("--b0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.txt\"\r\n\r\n"));
            await stream.FlushAsync();
            await _released.Task;
            throw new IOException("The test's endless body was abandoned.");
        }

        protected override bool TryComputeLength(out long length)
        {
            length = _declaredLength;
            return true;
        }

        protected override void Dispose(bool disposing)
        {
            Release();
            base.Dispose(disposing);
        }
    }
}
