using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Annotate.Annotators.Tests.Support;

/// <summary>A logger provider that keeps every message (and its exception's) in <paramref name="lines"/>, for a test to read.</summary>
public sealed class RecordingLogger(ConcurrentQueue<string> lines) : ILoggerProvider, ILogger
{
    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => this;

    /// <inheritdoc />
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    /// <inheritdoc />
    public bool IsEnabled(LogLevel logLevel) => true;

    /// <inheritdoc />
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        lines.Enqueue(formatter(state, exception) + " " + exception?.Message);

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
