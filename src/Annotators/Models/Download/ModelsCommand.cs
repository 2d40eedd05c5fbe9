using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.Models.Download;

/// <summary>
/// The <c>models</c> command both executables understand before they start their host:
/// <c>models list</c> and <c>models pull &lt;name|url&gt; [--dir &lt;folder&gt;] [--sha256 &lt;hex&gt;]</c>.
/// </summary>
public static class ModelsCommand
{
    /// <summary>Exit code for a bad command line.</summary>
    public const int UsageError = 2;

    /// <summary>Exit code when interrupted with Ctrl+C.</summary>
    public const int Interrupted = 130;

    private const string Usage = """
        Usage:
          models list [--dir <folder>]
              Lists the catalogue models and which are already in the models folder.
          models pull <name|url> [--dir <folder>] [--sha256 <hex>]
              Downloads a catalogue model, or any GGUF file by http(s) URL, into the models folder
              (Annotate:Model:ModelsFolder, default "models"). An interrupted pull resumes when run again.
              --sha256 verifies a URL download against a known hash.
        """;

    /// <summary>
    /// Runs <paramref name="args"/> when they are a <c>models</c> command and returns its exit code; returns null for any
    /// other arguments so the caller starts its host. <paramref name="configuration"/> defaults to the
    /// <c>appsettings.json</c> beside the executable plus environment variables.
    /// </summary>
    public static async Task<int?> TryRunAsync(string[] args, IConfiguration? configuration = null)
    {
        if (!IsModelsCommand(args))
        {
            return null;
        }
        // Ctrl+C stops cleanly, so the .part file is flushed and the next pull resumes it.
        using var interrupt = new ConsoleInterrupt();
        using var loggers = LoggerFactory.Create(logging => logging
            .SetMinimumLevel(LogLevel.Warning)
            .AddSimpleConsole(o => o.SingleLine = true)
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace));
        using var http = CreateHttpClient();
        return await RunAsync(
            args, configuration ?? LoadConfiguration(), Console.Out, Console.Error, ModelCatalog.BuiltIn, http,
            ConsoleProgressBar.ForConsole(), loggers, interrupt.Token).ConfigureAwait(false);
    }

    /// <summary>True when <paramref name="args"/> start with <c>models</c>.</summary>
    public static bool IsModelsCommand(string[] args) =>
        args.Length > 0 && string.Equals(args[0], "models", StringComparison.OrdinalIgnoreCase);

    /// <summary>The command with every dependency supplied (tests use it with writers, a catalogue and a client).</summary>
    internal static async Task<int?> RunAsync(
        string[] args, IConfiguration configuration, TextWriter output, TextWriter error, ModelCatalog catalog, HttpClient http,
        IProgress<DownloadProgress>? progress, ILoggerFactory? loggers, CancellationToken cancellationToken)
    {
        if (!IsModelsCommand(args))
        {
            return null;
        }
        if (!TryParse(args, out var parsed, out var problem))
        {
            await error.WriteLineAsync(problem).ConfigureAwait(false);
            await error.WriteLineAsync(Usage).ConfigureAwait(false);
            return UsageError;
        }
        if (parsed.Verb is "help")
        {
            await output.WriteLineAsync(Usage).ConfigureAwait(false);
            return 0;
        }

        var configured = configuration[$"{ModelOptions.Section}:{nameof(ModelOptions.ModelsFolder)}"];
        var folder = Path.GetFullPath(parsed.Dir ?? (string.IsNullOrWhiteSpace(configured) ? new ModelOptions().ModelsFolder : configured));
        if (parsed.Verb is "list")
        {
            await ListAsync(catalog, folder, output).ConfigureAwait(false);
            return 0;
        }

        loggers ??= NullLoggerFactory.Instance;
        var options = new ModelDownloadOptions();
        configuration.GetSection(ModelDownloadOptions.Section).Bind(options);
        var downloader = new ModelDownloader(http, catalog, Options.Create(options), TimeProvider.System, loggers.CreateLogger<ModelDownloader>());
        try
        {
            var entry = catalog.Resolve(parsed.Model!);
            if (parsed.Sha256 is { } sha)
            {
                entry = entry with { Sha256 = sha };
            }
            await output.WriteLineAsync($"Pulling {entry.Name} from {entry.Url} into {folder}").ConfigureAwait(false);
            var path = await downloader.PullAsync(entry, folder, progress, cancellationToken).ConfigureAwait(false);
            await PrintHowToUseAsync(entry, path, output, cancellationToken).ConfigureAwait(false);
            return 0;
        }
        catch (ModelDownloadException ex)
        {
            await error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return 1;
        }
        catch (IOException ex)
        {
            await error.WriteLineAsync($"Cannot write the model into {folder}: {ex.Message}").ConfigureAwait(false);
            return 1;
        }
        catch (UnauthorizedAccessException ex)
        {
            await error.WriteLineAsync($"Cannot write the model into {folder}: {ex.Message}").ConfigureAwait(false);
            return 1;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync().ConfigureAwait(false);
            await error.WriteLineAsync("Interrupted. Run the same command again to resume the download.").ConfigureAwait(false);
            return Interrupted;
        }
    }

    private static async Task ListAsync(ModelCatalog catalog, string folder, TextWriter output)
    {
        await output.WriteLineAsync($"Models folder: {folder}").ConfigureAwait(false);
        var width = catalog.Entries.Count == 0 ? 4 : catalog.Entries.Max(e => e.Name.Length);
        foreach (var entry in catalog.Entries)
        {
            var present = File.Exists(Path.Combine(folder, entry.FileName)) ? " [downloaded]" : "";
            var size = entry.SizeBytes is { } bytes ? string.Create(CultureInfo.InvariantCulture, $"{bytes / 1_000_000_000.0:0.00} GB") : "size unknown";
            await output.WriteLineAsync($"  {entry.Name.PadRight(width)}  {size,-12}  {entry.License ?? "licence unknown"}{present}").ConfigureAwait(false);
            if (entry.Description.Length > 0)
            {
                await output.WriteLineAsync($"  {new string(' ', width)}  {entry.Description}").ConfigureAwait(false);
            }
        }
        await output.WriteLineAsync("Pull one with: models pull <name>   (or: models pull <https URL of a .gguf file>)").ConfigureAwait(false);
    }

    private static async Task PrintHowToUseAsync(ModelCatalogEntry entry, string path, TextWriter output, CancellationToken ct)
    {
        var hash = await File.ReadAllTextAsync(path + ".sha256", ct).ConfigureAwait(false);
        var verified = entry.Sha256 is null ? "not verified: no published hash; recorded" : "verified";
        await output.WriteLineAsync($"Saved {path}").ConfigureAwait(false);
        await output.WriteLineAsync($"sha256 {hash.Split(' ')[0]} ({verified} in {Path.GetFileName(path)}.sha256)").ConfigureAwait(false);
        await output.WriteLineAsync("Use it by setting the environment variable").ConfigureAwait(false);
        await output.WriteLineAsync($"  Annotate__Model__Path={path}").ConfigureAwait(false);
        await output.WriteLineAsync("or in appsettings.json").ConfigureAwait(false);
        var jsonPath = path.Replace("\\", "\\\\", StringComparison.Ordinal);
        var context = entry.RecommendedContext is { } ctx ? string.Create(CultureInfo.InvariantCulture, $", \"ContextSize\": {ctx}") : "";
        await output.WriteLineAsync($"  \"Annotate\": {{ \"Model\": {{ \"Path\": \"{jsonPath}\"{context} }} }}").ConfigureAwait(false);
    }

    private static bool TryParse(string[] args, out ParsedArgs parsed, out string problem)
    {
        parsed = new ParsedArgs();
        problem = "";
        var positional = new List<string>();
        for (var i = 1; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg is "-h" or "--help" or "help")
            {
                parsed = parsed with { Verb = "help" };
                return true;
            }
            if (TryOption(args, ref i, "--dir", out var dir, ref problem))
            {
                parsed = parsed with { Dir = dir };
            }
            else if (TryOption(args, ref i, "--sha256", out var sha, ref problem))
            {
                if (sha is not { Length: 64 } || !sha.All(char.IsAsciiHexDigit))
                {
                    problem = "--sha256 needs 64 hex digits.";
                    return false;
                }
                parsed = parsed with { Sha256 = sha.ToLowerInvariant() };
            }
            else if (problem.Length > 0)
            {
                return false;
            }
            else if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                problem = $"Unknown option '{arg}'.";
                return false;
            }
            else
            {
                positional.Add(arg);
            }
        }

        var verb = positional.Count > 0 ? positional[0].ToLowerInvariant() : "help";
        switch (verb)
        {
            case "help":
                parsed = parsed with { Verb = "help" };
                return positional.Count <= 1;
            case "list" when positional.Count == 1:
                parsed = parsed with { Verb = "list" };
                return true;
            case "pull" when positional.Count == 2:
                parsed = parsed with { Verb = "pull", Model = positional[1] };
                return true;
            case "pull":
                problem = positional.Count < 2 ? "models pull needs a model name or URL." : "models pull takes one model at a time.";
                return false;
            default:
                problem = $"Unknown models command '{string.Join(' ', positional)}'.";
                return false;
        }
    }

    private static bool TryOption(string[] args, ref int i, string name, out string? value, ref string problem)
    {
        value = null;
        var arg = args[i];
        if (arg.StartsWith(name + "=", StringComparison.OrdinalIgnoreCase))
        {
            value = arg[(name.Length + 1)..];
            return true;
        }
        if (!string.Equals(arg, name, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        if (i + 1 >= args.Length)
        {
            problem = $"{name} needs a value.";
            return false;
        }
        value = args[++i];
        return true;
    }

    /// <summary>appsettings.json (and the environment's file) beside the executable, then environment variables: what commands run before a host read.</summary>
    internal static IConfiguration LoadConfiguration()
    {
        var environment = Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") ?? Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") ?? "Production";
        return new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, $"appsettings.{environment}.json"), optional: true)
            .AddEnvironmentVariables()
            .Build();
    }

    private static HttpClient CreateHttpClient()
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(30),
            AllowAutoRedirect = true,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
        };
        // ModelDownloader bounds the response and each read itself; a total timeout would cut large downloads.
        var client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.UserAgent.ParseAdd("Annotate-models-pull/1.0");
        return client;
    }

    private sealed record ParsedArgs
    {
        public string Verb { get; init; } = "help";
        public string? Model { get; init; }
        public string? Dir { get; init; }
        public string? Sha256 { get; init; }
    }
}
