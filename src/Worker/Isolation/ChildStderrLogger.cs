using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Annotate.Worker.Isolation;

/// <summary>
/// The pipeline child's logger: one JSON object per line on stderr (level, category, message, exception), which the
/// worker reads back and writes to its own log under the same category. stdout carries the protocol only.
/// </summary>
internal sealed class ChildStderrLoggerProvider : ILoggerProvider
{
    private static readonly Lock WriteLock = new();
    private readonly TextWriter _stderr = Console.Error;

    public ILogger CreateLogger(string categoryName) => new ChildStderrLogger(categoryName, this);

    public void Dispose()
    {
    }

    private void Write(string line)
    {
        lock (WriteLock)
        {
            _stderr.WriteLine(line);
            _stderr.Flush();
        }
    }

    private sealed class ChildStderrLogger(string category, ChildStderrLoggerProvider provider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }
            provider.Write(JsonSerializer.Serialize(new ChildLogLine
            {
                Level = logLevel,
                Category = category,
                Message = formatter(state, exception),
                Exception = exception?.ToString(),
            }, ChildLogLine.Json));
        }
    }
}

/// <summary>One log line of the pipeline child.</summary>
internal sealed record ChildLogLine
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public LogLevel Level { get; init; }
    public required string Category { get; init; }
    public required string Message { get; init; }
    public string? Exception { get; init; }
}
