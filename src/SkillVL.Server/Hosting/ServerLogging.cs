using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.Logging.Console;
using SkillVL.Server.Logging;

namespace SkillVL.Server.Hosting;

/// <summary>
/// The Server's logging (issue 11 findings 2 and 4): quiet defaults even without appsettings.json, stdout through the
/// redacting formatter, and the Server's own size-capped, 0600 log file. No other sink: every record passes
/// <see cref="LogRedaction"/> before it is written.
/// </summary>
public static class ServerLogging
{
    /// <summary>
    /// Levels in force when no configuration says otherwise. EF Core logs every command at Information (about
    /// 0.7 MB/s with one browser open before these defaults), ASP.NET every request with its URL.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string?> DefaultLevels = new Dictionary<string, string?>
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Warning",
        ["Logging:LogLevel:System.Net.Http.HttpClient"] = "Warning",
        ["Logging:LogLevel:OpenIddict"] = "Warning",
    };

    /// <summary>Adds the defaults as the lowest-priority configuration source: appsettings, environment and arguments win.</summary>
    public static void AddDefaultLevels(ConfigurationManager configuration) =>
        configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = DefaultLevels });

    public static void AddServerLogging(this WebApplicationBuilder builder, SkillVlServerOptions settings)
    {
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.FormatterName = RedactingConsoleFormatter.FormatterName);
        builder.Logging.AddConsoleFormatter<RedactingConsoleFormatter, ConsoleFormatterOptions>();
        if (settings.LogFile.PathFor(settings.DataDirectory) is { } path)
        {
            // Made by the container, so the container disposes it at shutdown: the last records are written, and a
            // restarted app in the same process never has two writers on one file.
            builder.Services.AddSingleton<ILoggerProvider>(sp => new RollingFileLoggerProvider(
                new RollingLogFile(path, settings.LogFile.MaxFileBytes, settings.LogFile.MaxFiles), sp.GetRequiredService<TimeProvider>()));
        }
    }
}
