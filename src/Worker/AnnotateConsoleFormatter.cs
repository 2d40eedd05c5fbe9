using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Annotate.Worker;

/// <summary>
/// One short line per event: time, a level marker only when it is not plain information, the message.
/// The console is for people watching documents go by; structured logs go to other providers.
/// </summary>
public sealed class AnnotateConsoleFormatter() : ConsoleFormatter(FormatterName)
{
    /// <summary>Name to select the formatter with.</summary>
    public const string FormatterName = "annotate";

    /// <inheritdoc />
    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (string.IsNullOrEmpty(message) && logEntry.Exception is null)
        {
            return;
        }
        var level = logEntry.LogLevel switch
        {
            LogLevel.Warning => "WARN  ",
            LogLevel.Error => "ERROR ",
            LogLevel.Critical => "FATAL ",
            LogLevel.Debug or LogLevel.Trace => "debug ",
            _ => string.Empty,
        };
        textWriter.Write(TimeProvider.System.GetLocalNow().ToString("HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture));
        textWriter.Write("  ");
        textWriter.Write(level);
        textWriter.WriteLine(message);
        if (logEntry.Exception is { } exception && logEntry.LogLevel >= LogLevel.Error)
        {
            textWriter.WriteLine(exception.ToString());
        }
    }
}
