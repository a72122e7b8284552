namespace SkillVL.Server.Logging;

/// <summary>
/// Source-generated log messages of the Server. Event ids: 3000–3099 startup, 3100–3199 reconciler,
/// 3200–3299 API.
/// </summary>
public static partial class Log
{
    [LoggerMessage(3000, LogLevel.Information, "SkillVL listening on {Url}; node {Node} uses {Accelerator}; data in {DataDirectory}")]
    public static partial void Started(ILogger logger, string url, string node, string accelerator, string dataDirectory);

    [LoggerMessage(3001, LogLevel.Information, "Template {Name} registered ({Sha256})")]
    public static partial void TemplateRegistered(ILogger logger, string name, string sha256);

    [LoggerMessage(3002, LogLevel.Warning, "Template source {Path} does not exist; skipped")]
    public static partial void TemplateSourceMissing(ILogger logger, string path);

    [LoggerMessage(3003, LogLevel.Information, "CLI configuration written to {Path}")]
    public static partial void CliConfigWritten(ILogger logger, string path);

    [LoggerMessage(3010, LogLevel.Warning, "Template {Name} ({Sha256}) is unusable: its {Problem}; no machine is created or started from it")]
    public static partial void TemplateUnusable(ILogger logger, string name, string sha256, string problem);

    [LoggerMessage(3210, LogLevel.Information, "Template {Name} deleted ({Sha256}); {Removed} stored content(s) removed")]
    public static partial void TemplateDeleted(ILogger logger, string name, string sha256, int removed);

    [LoggerMessage(3004, LogLevel.Information, "Configuration files: {Files}")]
    public static partial void ConfigurationFiles(ILogger logger, string files);

    [LoggerMessage(3005, LogLevel.Warning, "Made {Count} file(s) in the data directory readable by their owner only: {Files}")]
    public static partial void PermissionsTightened(ILogger logger, int count, string files);

    [LoggerMessage(3006, LogLevel.Warning, "Upgraded the database from schema version {From} (made before migrations) to migration {Migration} in place")]
    public static partial void SchemaUpgraded(ILogger logger, int from, string migration);

    [LoggerMessage(3100, LogLevel.Error, "Reconcile pass failed")]
    public static partial void PassFailed(ILogger logger, Exception exception);

    [LoggerMessage(3101, LogLevel.Warning, "Reconcile of {Key} failed")]
    public static partial void WorkFailed(ILogger logger, string key, Exception exception);

    [LoggerMessage(3102, LogLevel.Information, "Machine {Machine}: {Event}")]
    public static partial void MachineEvent(ILogger logger, string machine, string @event);

    [LoggerMessage(3103, LogLevel.Information, "Removing orphan VM {VmId} from node {Node}")]
    public static partial void RemovingOrphanVm(ILogger logger, string vmId, string node);

    [LoggerMessage(3104, LogLevel.Information, "Removing orphan network {NetworkId} from node {Node}")]
    public static partial void RemovingOrphanNetwork(ILogger logger, string networkId, string node);

    [LoggerMessage(3105, LogLevel.Warning, "Node {Node} could not be observed")]
    public static partial void NodeUnobservable(ILogger logger, string node, Exception exception);

    // Not the password itself: the log is no place for a credential (issue 11); the 0600 file is, until `up` shows it.
    [LoggerMessage(3200, LogLevel.Warning, "Created the admin account 'admin'; its one-time password is in {File} (log in, then delete that file)")]
    public static partial void AdminCreated(ILogger logger, string file);
}
