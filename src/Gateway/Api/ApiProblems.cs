namespace Annotate.Gateway.Api;

/// <summary>Error answers of the API: RFC 9457 problem details with a machine-readable <c>reason</c>.</summary>
internal static class ApiProblems
{
    public static IResult Problem(int status, string reason, string detail) =>
        Results.Problem(detail: detail, statusCode: status, title: reason, extensions: new Dictionary<string, object?> { ["reason"] = reason });
}
