using System.Globalization;
using System.Text;
using SkillVL.Core.Api;
using SkillVL.Server.Audit;
using SkillVL.Server.Data;
using SkillVL.Server.Identity;
using SkillVL.Server.Nodes;

namespace SkillVL.Server.Consoles;

/// <summary>
/// <c>POST …/console/spice-file</c> (ADR 0062): a virt-viewer connection file (.vv) for the machine's SPICE console, for
/// remote-viewer on the Server's host (or through an SSH tunnel to it). The file names the port of a listener opened for
/// it alone and holds, as the SPICE password, a single-use console ticket that expires in 30 s unused; remote-viewer
/// deletes the file once read (<c>delete-this-file=1</c>). The same checks as a console ticket of kind <c>spice</c>.
/// </summary>
public static class SpiceFileEndpoint
{
    public const string MediaType = "application/x-virt-viewer";

    public static RouteGroupBuilder MapSpiceFile(this RouteGroupBuilder api)
    {
        api.MapPost("/rooms/{room}/machines/{machine}/console/spice-file", IssueAsync)
            .WithTags("Consoles")
            .Produces<string>(StatusCodes.Status200OK, MediaType)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("A .vv file for remote-viewer: the machine's SPICE console through a single-use loopback port, its password a 30-second ticket");
        return api;
    }

    private static async Task<IResult> IssueAsync(
        string room, string machine, HttpContext http, SkillVlDbContext db, AccessService access, NodeRegistry nodes,
        ConsoleTickets tickets, SpiceSessions spiceSessions, SpiceFileProxy proxy)
    {
        var (refusal, grant) = await ConsoleGateway.GrantAsync(
            room, machine, new ConsoleTicketRequest("spice"), http, db, access, nodes, spiceSessions);
        if (grant is null)
        {
            return refusal!;
        }

        var (ticket, expires) = tickets.Issue(grant);
        var (endPoint, busy) = proxy.Open(ticket, grant with { ExpiresAt = expires });
        if (endPoint is null)
        {
            // The ticket is never handed out: it expires unused.
            return Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many .vv files", detail: busy);
        }

        http.Items[AuditService.DetailItem] = $"console spice file, port {endPoint.Port}";
        var file = new StringBuilder()
            .Append("[virt-viewer]\n")
            .Append("type=spice\n")
            .Append(CultureInfo.InvariantCulture, $"host={endPoint.Address}\n")
            .Append(CultureInfo.InvariantCulture, $"port={endPoint.Port}\n")
            .Append(CultureInfo.InvariantCulture, $"password={ticket}\n")
            .Append(CultureInfo.InvariantCulture, $"title={RoomReference.Parse(room)}/{machine} (SkillVL)\n")
            .Append("delete-this-file=1\n")
            .Append("toggle-fullscreen=shift+f11\n")
            .Append("release-cursor=shift+f12\n")
            .ToString();
        http.Response.Headers.CacheControl = "no-store";
        var name = $"{RoomReference.Parse(room)}-{machine}.vv".Replace('/', '-');
        return Results.File(Encoding.UTF8.GetBytes(file), MediaType, name);
    }
}
