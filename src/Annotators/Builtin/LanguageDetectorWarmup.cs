using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Annotate.Annotators.Builtin;

/// <summary>
/// Builds the language detector and loads its models in the background at start-up, so the first document does
/// not wait seconds for them. Documents that arrive earlier simply wait for the same lazy build.
/// </summary>
public sealed class LanguageDetectorWarmup(LanguageDetectorProvider provider, ILogger<LanguageDetectorWarmup> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Run(() =>
        {
            try
            {
                // One detection of an English sentence loads the models of the configured languages written in Latin
                // script; those of other scripts load with the first document that has words in them.
                provider.Detect("Annotate warms up its language detector.");
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Not fatal: the annotator builds the detector again on first use and reports its own failure.
                logger.LogWarning(ex, "Warming up the language detector failed");
            }
        }, stoppingToken);
}
