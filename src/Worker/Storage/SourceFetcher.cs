using System.Globalization;
using System.Net;
using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Readers;
using Annotate.Hosting.Blobs;
using Microsoft.Extensions.Options;

namespace Annotate.Worker.Storage;

/// <summary>
/// Fetches an <c>http(s)://</c> source into the blob store: only from the hosts in <see cref="WorkerOptions.FetchHosts"/>,
/// following at most <see cref="MaxRedirects"/> redirects and only on the same scheme, host and port, within
/// <c>Annotate:Readers:MaxDocumentBytes</c> and <see cref="WorkerOptions.FetchTimeout"/>. Failures name the file and the
/// host, never the URL's path or query (which may hold a token).
/// </summary>
public sealed class SourceFetcher(IHttpClientFactory clients, IBlobStore blobs, IOptions<WorkerOptions> options, IOptions<ReaderOptions> readers)
{
    /// <summary>Name of the HTTP client (redirects off: they are followed here, after checking where they go).</summary>
    public const string ClientName = "annotate-source-fetch";

    /// <summary>Most redirects followed for one source.</summary>
    public const int MaxRedirects = 5;

    /// <summary>The URL of <paramref name="reference"/> when it is an absolute <c>http://</c> or <c>https://</c> one, otherwise null.</summary>
    public static Uri? HttpUrl(string? reference) =>
        Uri.TryCreate(reference, UriKind.Absolute, out var parsed) && parsed.Scheme is "http" or "https" ? parsed : null;

    /// <summary>Fetches <paramref name="url"/> and stores its body under <paramref name="key"/>.</summary>
    public async Task FetchAsync(Uri url, string fileName, string key, CancellationToken cancellationToken)
    {
        var worker = options.Value;
        // Blank entries (an empty environment variable) allow nothing.
        var hosts = worker.FetchHosts.Where(h => !string.IsNullOrWhiteSpace(h)).ToList();
        if (hosts.Count == 0)
        {
            throw new AnnotationException(FailureReason.InvalidRequest,
                $"'{fileName}': this worker does not fetch http(s) sources (Annotate:Worker:FetchHosts is empty); send a blob: reference or contentBase64.");
        }
        if (!IsAllowed(url, hosts))
        {
            throw new AnnotationException(FailureReason.InvalidRequest,
                $"'{fileName}': this worker does not fetch from {Host(url)}; the hosts it fetches from are set in Annotate:Worker:FetchHosts.");
        }
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(worker.FetchTimeout);
        var client = clients.CreateClient(ClientName);
        var current = url;
        try
        {
            for (var redirects = 0; ; redirects++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, current);
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
                if (IsRedirect(response.StatusCode))
                {
                    current = NextLocation(current, response, fileName, redirects);
                    continue;
                }
                ThrowUnlessSuccess(response.StatusCode, current, fileName);
                var limit = readers.Value.MaxDocumentBytes;
                if (response.Content.Headers.ContentLength is { } length && length > limit)
                {
                    throw TooLarge(fileName, current, limit, $"{length.ToString("N0", CultureInfo.InvariantCulture)} bytes");
                }
                await using var body = await response.Content.ReadAsStreamAsync(deadline.Token);
                await blobs.PutAsync(key, new BoundedReadStream(body, limit, () => TooLarge(fileName, current, limit, "more"), leaveOpen: true), deadline.Token);
                return;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new AnnotationException(FailureReason.SourceMissing,
                $"'{fileName}' could not be fetched from {Host(current)} within {worker.FetchTimeout} (Annotate:Worker:FetchTimeout).", retryable: true);
        }
        catch (HttpRequestException ex)
        {
            // The exception's own message is left out: it repeats the URL.
            throw new AnnotationException(FailureReason.SourceMissing,
                $"'{fileName}' could not be fetched from {Host(current)} ({ex.HttpRequestError}); trying again later may succeed.", retryable: true);
        }
    }

    /// <summary>True when <paramref name="url"/>'s host (and port, when the entry names one) is in <paramref name="hosts"/>.</summary>
    public static bool IsAllowed(Uri url, IEnumerable<string> hosts) => hosts.Any(entry =>
    {
        var host = entry.Trim();
        var colon = host.LastIndexOf(':');
        // "host:port", but not a bare IPv6 address.
        if (colon > 0 && host.IndexOf(':') == colon && int.TryParse(host[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            return url.Port == port && string.Equals(url.IdnHost, host[..colon], StringComparison.OrdinalIgnoreCase);
        }
        return string.Equals(url.IdnHost, host.Trim('[', ']'), StringComparison.OrdinalIgnoreCase)
            || string.Equals(url.Host, host, StringComparison.OrdinalIgnoreCase);
    });

    private static Uri NextLocation(Uri current, HttpResponseMessage response, string fileName, int redirects)
    {
        if (response.Headers.Location is not { } location)
        {
            throw new AnnotationException(FailureReason.SourceMissing, $"'{fileName}': {Host(current)} answered a redirect without a location.");
        }
        var next = location.IsAbsoluteUri ? location : new Uri(current, location);
        if (!string.Equals(next.Scheme, current.Scheme, StringComparison.OrdinalIgnoreCase)
            || !string.Equals(next.IdnHost, current.IdnHost, StringComparison.OrdinalIgnoreCase) || next.Port != current.Port)
        {
            throw new AnnotationException(FailureReason.InvalidRequest,
                $"'{fileName}': {Host(current)} redirected to {(next.Scheme is "http" or "https" ? Host(next) : $"a '{next.Scheme}:' location")}; this worker follows redirects only on the same scheme and host.");
        }
        if (redirects >= MaxRedirects)
        {
            throw new AnnotationException(FailureReason.InvalidRequest, $"'{fileName}': {Host(current)} redirected more than {MaxRedirects} times.");
        }
        return next;
    }

    private static void ThrowUnlessSuccess(HttpStatusCode status, Uri url, string fileName)
    {
        var code = (int)status;
        if (code is >= 200 and < 300)
        {
            return;
        }
        if (status is HttpStatusCode.NotFound or HttpStatusCode.Gone)
        {
            throw new AnnotationException(FailureReason.SourceMissing, $"'{fileName}' is not at {Host(url)} (HTTP {code}).");
        }
        var transient = code >= 500 || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;
        throw new AnnotationException(FailureReason.SourceMissing,
            $"'{fileName}' could not be fetched: {Host(url)} answered HTTP {code}{(transient ? "; trying again later may succeed" : "")}.", retryable: transient);
    }

    private static AnnotationException TooLarge(string fileName, Uri url, long limit, string size) =>
        new(FailureReason.TooLarge,
            $"'{fileName}' at {Host(url)} is larger than {limit.ToString("N0", CultureInfo.InvariantCulture)} bytes ({size}; Annotate:Readers:MaxDocumentBytes).");

    private static bool IsRedirect(HttpStatusCode status) => status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found
        or HttpStatusCode.SeeOther or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    private static string Host(Uri url) => url.IsDefaultPort ? url.Host : $"{url.Host}:{url.Port.ToString(CultureInfo.InvariantCulture)}";
}
