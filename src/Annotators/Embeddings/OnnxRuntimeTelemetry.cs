using System.Runtime.InteropServices;

namespace Annotate.Annotators.Embeddings;

/// <summary>
/// ONNX Runtime (1.29 and later, the 1.30 the sentence encoder's package brings) collects usage telemetry on Linux and
/// macOS too: a device identifier and events about sessions and models, queued in a SQLite file under
/// <c>~/.cache/Microsoft/DeveloperTools/.onnxruntime</c> and uploaded to Microsoft's collector when the machine can
/// reach it. Annotate promises that nothing about a user's documents leaves the machine, so it is switched off, the only
/// way that stops all of it: <c>ORT_DISABLE_TELEMETRY=1</c> in the process's native environment before ONNX Runtime
/// initialises (read once and latched for the process's life; the runtime's <c>DisableTelemetryEvents</c> comes after
/// the environment's first event).
/// </summary>
public static class OnnxRuntimeTelemetry
{
    /// <summary>The variable ONNX Runtime reads.</summary>
    public const string Variable = "ORT_DISABLE_TELEMETRY";

    private static int _disabled;

    /// <summary>
    /// Sets <see cref="Variable"/> to 1 where native code reads it (<c>setenv</c>: .NET's own
    /// <see cref="Environment.SetEnvironmentVariable(string, string)"/> changes only the managed copy on Unix) and in the
    /// managed copy, which child processes inherit. Once per process; the hosts call it first thing, while one thread
    /// runs, and the encoder again before its first load (for the library used alone).
    /// </summary>
    public static void Disable()
    {
        if (Interlocked.Exchange(ref _disabled, 1) == 1)
        {
            return;
        }
        Environment.SetEnvironmentVariable(Variable, "1");
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            try
            {
                _ = setenv(Variable, "1", 1);
            }
            catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
            {
                // No C library to set it in: nothing native reads the environment either.
            }
        }
    }

    [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int setenv(string name, string value, int overwrite);
}
