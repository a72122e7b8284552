namespace SkillVL.Cli.Configuration;

/// <summary>
/// The client configuration file, e.g. <c>{"server":"http://127.0.0.1:8080","token":"..."}</c>.
/// <c>./skillvl up</c> writes it to <c>/etc/skillvl/cli.json</c>, as k3s leaves its kubeconfig;
/// <c>skillvl login</c> writes the user's own (<c>~/.config/skillvl/config.json</c>), adding <see cref="Oidc"/>
/// when the token came from the device-code flow.
/// </summary>
/// <param name="Token">A bearer token: the static one <c>up</c> made, a personal API token, or an OIDC access token.</param>
internal sealed record ConfigFile(string? Server, string? Token, SavedOidcLogin? Oidc = null);
