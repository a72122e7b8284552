namespace SkillVL.Cli.Configuration;

/// <summary>
/// The client configuration file, e.g. <c>{"server":"http://127.0.0.1:8080","token":"..."}</c>.
/// <c>./skillvl up</c> writes it to <c>/etc/skillvl/cli.json</c>, as k3s leaves its kubeconfig.
/// </summary>
internal sealed record ConfigFile(string? Server, string? Token);
