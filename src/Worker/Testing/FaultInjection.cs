using System.Text;
using Microsoft.Extensions.Options;

namespace Annotate.Worker.Testing;

/// <summary>
/// Ends the process at once (no <c>finally</c>, no flush: what a stack overflow or a native abort does) when fault
/// injection is on and a document's bytes start with <see cref="CrashMarker"/>; lets tests prove that recovery from
/// real crashes works. Does nothing when <see cref="FaultInjectionOptions.Enabled"/> is off.
/// </summary>
public sealed class FaultInjection(IOptions<FaultInjectionOptions> options)
{
    /// <summary>The first bytes of a document that crashes the process under fault injection.</summary>
    public const string CrashMarker = "%annotate-fault:crash";

    /// <summary>Called before a document is worked on.</summary>
    public void BeforeWork(string path)
    {
        if (!options.Value.Enabled || !File.Exists(path))
        {
            return;
        }
        var marker = Encoding.ASCII.GetBytes(CrashMarker);
        var head = new byte[marker.Length];
        using (var stream = File.OpenRead(path))
        {
            stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }
        if (head.AsSpan().SequenceEqual(marker))
        {
            Environment.FailFast($"Fault injection: '{Path.GetFileName(path)}' carries the crash marker.");
        }
    }
}
