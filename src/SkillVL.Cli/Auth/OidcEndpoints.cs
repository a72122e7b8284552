namespace SkillVL.Cli.Auth;

/// <summary>The parts of an issuer's discovery document (<c>/.well-known/openid-configuration</c>) the CLI uses.</summary>
internal sealed record OidcEndpoints(Uri TokenEndpoint, Uri? DeviceAuthorizationEndpoint);
