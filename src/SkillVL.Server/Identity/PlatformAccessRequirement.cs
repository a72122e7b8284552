using Microsoft.AspNetCore.Authorization;

namespace SkillVL.Server.Identity;

/// <summary>
/// What every API call needs: a platform role (an external token that maps to none is refused with a message
/// naming the mapping), and, for anything but reading, the "write" scope.
/// </summary>
public sealed class PlatformAccessRequirement : IAuthorizationRequirement;
