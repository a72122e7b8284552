namespace SkillVL.Core.Api.Identity;

/// <summary>The new token and its secret ("svl_pat_…"), shown only this once.</summary>
public sealed record CreatedApiToken(ApiTokenInfo Info, string Token);
