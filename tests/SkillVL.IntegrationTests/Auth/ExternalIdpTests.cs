using System.Net;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Identity;
using SkillVL.TestUtilities.Oidc;
using Xunit;
using Xunit.Abstractions;

namespace SkillVL.IntegrationTests.Auth;

/// <summary>
/// SkillVL configured for an external IdP, proven against a real one: npm's oidc-provider issuing Keycloak-shaped
/// tokens (tests/oidc-provider). Role mapping from realm roles, client roles and groups; a token mapping to no
/// role (403 naming the mapping); expiry; key rotation; another issuer's and another audience's tokens.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class ExternalIdpTests(ITestOutputHelper output)
{
    private static readonly OidcTestUser Teacher = new("kc-teacher", "pw-teacher") { RealmRoles = ["skillvl-teacher", "offline_access"] };
    private static readonly OidcTestUser Admin = new("kc-admin", "pw-admin") { ClientRoles = new Dictionary<string, IReadOnlyList<string>> { ["skillvl-web"] = ["platform-admin"] } };
    private static readonly OidcTestUser Student = new("kc-student", "pw-student") { Groups = ["/skillvl/students"] };
    private static readonly OidcTestUser Nobody = new("kc-nobody", "pw-nobody") { RealmRoles = ["uma_authorization"], Groups = ["/other"] };

    [Fact]
    public async Task KeycloakShapedTokens_MapToRoles_ExpireAndSurviveKeyRotation()
    {
        await using var idp = await OidcProviderServer.StartAsync(new OidcProviderOptions
        {
            Users = [Teacher, Admin, Student, Nobody],
            AccessTokenLifetime = TimeSpan.FromSeconds(3),
        });
        await using var server = await ServerHarness.StartAsync(o =>
        {
            o.Auth.Mode = "external";
            o.Auth.ClockSkew = TimeSpan.Zero;
            o.Auth.KeyRefreshInterval = TimeSpan.FromSeconds(1);
            o.Auth.External.Authority = idp.Issuer;
            o.Auth.External.RequireHttpsMetadata = false;
            o.Auth.External.RoleMap["skillvl-teacher"] = PlatformRoles.Teacher;
            o.Auth.External.RoleMap["platform-admin"] = PlatformRoles.Admin;
            o.Auth.External.RoleMap["/skillvl/students"] = PlatformRoles.Student;
        });

        // The unauthenticated config tells clients where to log in.
        using (var anonymous = server.ClientWith(null))
        {
            var config = await Users.ReadAsync<AuthConfig>(await anonymous.GetAsync(ApiPaths.AuthConfig), HttpStatusCode.OK);
            Assert.Equal(("external", idp.Issuer), (config.Mode, config.Issuer));
        }

        // Realm role, client role and group each map to their platform role; the user is provisioned on first sight.
        foreach (var (user, role) in new[] { (Teacher, PlatformRoles.Teacher), (Admin, PlatformRoles.Admin), (Student, PlatformRoles.Student) })
        {
            using var client = server.ClientWith(await idp.GetAccessTokenAsync(user.Username, user.Password, CancellationToken.None));
            var me = await Users.ReadAsync<MeInfo>(await client.GetAsync(ApiPaths.Me), HttpStatusCode.OK);
            Assert.Equal((user.Username, role, idp.Issuer), (me.User.Username, me.User.Role, me.User.Source));
        }

        // No mapped role: 403 that names what was looked at and what the mapping holds.
        using (var nobody = server.ClientWith(await idp.GetAccessTokenAsync(Nobody.Username, Nobody.Password, CancellationToken.None)))
        using (var refused = await nobody.GetAsync(ApiPaths.Me))
        {
            var body = await refused.Content.ReadAsStringAsync();
            output.WriteLine(body);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Contains("realm_access.roles", body, StringComparison.Ordinal);
            Assert.Contains("uma_authorization", body, StringComparison.Ordinal);
            Assert.Contains("SkillVL:Auth:External:RoleMap", body, StringComparison.Ordinal);
        }

        // Expiry: valid now, refused once its 3 s are over (no clock skew allowed in this test).
        var shortLived = await idp.GetAccessTokenAsync(Teacher.Username, Teacher.Password, CancellationToken.None);
        using (var client = server.ClientWith(shortLived))
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(ApiPaths.Me)).StatusCode);
            await Task.Delay(TimeSpan.FromSeconds(4));
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync(ApiPaths.Me)).StatusCode);
        }

        // Key rotation: the provider signs with a new key only; the Server fetches the new JWKS on the unknown kid and
        // accepts the very first token signed with it.
        var before = idp.SigningKeyId;
        await idp.RotateKeysAsync(keepOld: false, CancellationToken.None);
        Assert.NotEqual(before, idp.SigningKeyId);
        using (var rotated = server.ClientWith(await idp.GetAccessTokenAsync(Teacher.Username, Teacher.Password, CancellationToken.None)))
        {
            Assert.Equal(HttpStatusCode.OK, (await rotated.GetAsync(ApiPaths.Me)).StatusCode);
        }

        // Tokens of another issuer (a second provider) and of another audience are refused.
        await using (var stranger = await OidcProviderServer.StartAsync(new OidcProviderOptions { Users = [Teacher] }))
        using (var client = server.ClientWith(await stranger.GetAccessTokenAsync(Teacher.Username, Teacher.Password, CancellationToken.None)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync(ApiPaths.Me)).StatusCode);
        }

        await using (var otherAudience = await OidcProviderServer.StartAsync(new OidcProviderOptions { Users = [Teacher], Audience = "not-skillvl", Port = 0 }))
        using (var client = server.ClientWith(await otherAudience.GetAccessTokenAsync(Teacher.Username, Teacher.Password, CancellationToken.None)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync(ApiPaths.Me)).StatusCode);
        }
    }
}
