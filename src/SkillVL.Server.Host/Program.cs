using SkillVL.Server.Host;
using SkillVL.Server.Hosting;

// The embedded SkillVL Server: API, reconciler and the in-process agent of node "local".
// Settings: appsettings.json next to this program, SkillVL__* environment variables, or --SkillVL:Name=value arguments.
// Files it makes are its own user's only (issue 11: the data directory holds tokens, keys, logs and disks).
_ = ProcessUmask.Restrict();
if (args is ["admin", "migrate-db", ..])
{
    // Offline: the embedded database into PostgreSQL (ADR 0037), while no Server runs on the data directory.
    return await MigrateDbCommand.RunAsync(args[2..], Console.Out, Console.Error, MigrateDbCommand.PromptOnTerminal, CancellationToken.None);
}

var app = ServerHost.Build(args);
await app.RunAsync();
return 0;
