using SkillVL.Server.Hosting;

// The embedded SkillVL Server: API, reconciler and the in-process agent of node "local".
// Settings: appsettings.json, SkillVL__* environment variables, or --SkillVL:Name=value arguments.
var app = ServerApp.Build(args);
await app.RunAsync();
