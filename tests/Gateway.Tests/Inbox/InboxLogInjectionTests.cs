using Annotate.Hosting.Logging;
using Annotate.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Annotate.Gateway.Tests.Inbox;

/// <summary>
/// A file name is attacker-chosen text that lands in the console log (inbox names above all): the console formatter
/// every host uses must never let it start a line of its own or send terminal escape sequences.
/// </summary>
public sealed class InboxLogInjectionTests
{
    private static string Format(string message, LogLevel level = LogLevel.Information, Exception? exception = null)
    {
        var entry = new LogEntry<string>(level, "Annotate", new EventId(1), message, exception, (state, _) => state);
        using var output = new StringWriter { NewLine = "\n" };
        new AnnotateConsoleFormatter().Write(entry, null, output);
        return output.ToString();
    }

    [Fact]
    public void A_file_name_with_a_newline_stays_on_its_line_with_the_newline_shown_escaped()
    {
        var output = Format("a\nFAKE LINE.pdf  Completed  0.1 s");

        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.EndsWith(@"a\nFAKE LINE.pdf  Completed  0.1 s", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Terminal_escapes_carriage_returns_and_direction_overrides_are_shown_escaped()
    {
        var output = Format("x\u001b[2Jy\rz\u202Eq\u0085w\u2028v\tend");

        Assert.EndsWith(@"x\x1b[2Jy\rz\u202eq\x85w\u2028v\tend" + "\n", output, StringComparison.Ordinal);
        Assert.DoesNotContain(output[..^1], c => char.IsControl(c) || c is '\u202E' or '\u2028');
    }

    [Fact]
    public void An_exception_message_carrying_a_file_name_cannot_start_a_line_of_its_own()
    {
        var output = Format("Taking a\nb.pdf failed", LogLevel.Error, new IOException("Could not open 'a\n12:00:00  FAKE.pdf  Completed'"));

        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.EndsWith(@"Taking a\nb.pdf failed", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.Contains(@"Could not open 'a\n12:00:00  FAKE.pdf  Completed'", StringComparison.Ordinal));
        Assert.All(lines.Skip(1), l => Assert.StartsWith("    ", l, StringComparison.Ordinal));
    }
}
