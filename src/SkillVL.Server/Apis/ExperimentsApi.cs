using SkillVL.Core.Api.Experiments;
using SkillVL.Server.Experiments;
using SkillVL.Server.Identity;

namespace SkillVL.Server.Apis;

/// <summary>
/// The experiment runs of <c>skillvl experiment run</c>, read-only (issue 13 Deliver 5, ADR 0029). Researchers are
/// teachers and admins: they read every run; a student gets 403 on every route, before any name is looked at.
/// </summary>
public static class ExperimentsApi
{
    /// <summary>
    /// An SVG is a document that can carry script. Served with a sandbox policy (no script, no plugins, no same
    /// origin), nothing but its own inline styles and images, so even opened directly it runs nothing; the web UI
    /// shows plots through &lt;img&gt;, where SVG script never runs anyway.
    /// </summary>
    public const string PlotPolicy = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:";

    public static RouteGroupBuilder MapExperimentsApi(this RouteGroupBuilder api)
    {
        var experiments = api.MapGroup("/experiments").WithTags("Experiments");
        experiments.MapGet("/", async (HttpContext http, ExperimentStore store, CancellationToken ct) =>
            Refuse(http) ?? TypedResults.Ok(await store.ListAsync(ct)))
            .Produces<List<ExperimentSummary>>().ProducesProblem(StatusCodes.Status403Forbidden)
            .WithSummary("List experiment runs, newest first: name, time, runs/cells/succeeded from results.csv, whether a report is there (teacher, admin)");

        experiments.MapGet("/{experiment}", async (string experiment, HttpContext http, ExperimentStore store, CancellationToken ct) =>
            Refuse(http) ?? (!ExperimentStore.IsValidName(experiment)
                ? InvalidName("experiment", experiment)
                : await store.GetAsync(experiment, ct) is { } details ? Results.Ok(details) : ApiResults.NotFound($"Experiment '{experiment}'")))
            .Produces<ExperimentDetails>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Get an experiment run: environment.json, report.md's Markdown, its plots' file names and what was left out (teacher, admin)");

        experiments.MapGet("/{experiment}/plots/{plot}", (string experiment, string plot, HttpContext http, ExperimentStore store) =>
        {
            if (Refuse(http) is { } refused)
            {
                return refused;
            }

            if (!ExperimentStore.IsValidName(experiment))
            {
                return InvalidName("experiment", experiment);
            }

            if (!ExperimentStore.IsValidPlot(plot))
            {
                return ApiResults.Invalid("plot", $"'{Shorten(plot)}' is not a plot: a name of letters, digits, '.', '_' and '-' ending in .png or .svg.", "The plot's name is not valid.");
            }

            return store.OpenPlot(experiment, plot) switch
            {
                null => ApiResults.NotFound($"Plot '{plot}' of experiment '{experiment}'"),
                { Refused: { } why } => Results.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Not served", detail: why),
                var file => Served(http, file),
            };
        })
        .Produces(StatusCodes.Status200OK, contentType: "image/png", additionalContentTypes: ["image/svg+xml"])
        .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
        .WithSummary("Get a plot of an experiment run as PNG or SVG (teacher, admin)");
        return api;
    }

    private static IResult? Refuse(HttpContext http) =>
        http.Caller().AtLeastTeacher ? null : ApiResults.Forbidden("Only teachers and admins can read experiments.");

    private static IResult InvalidName(string field, string value) =>
        ApiResults.Invalid(field, $"'{Shorten(value)}' is not an experiment's name: 1–100 letters, digits, '.', '_' and '-', starting with a letter or digit, without '..'.", "The experiment's name is not valid.");

    private static IResult Served(HttpContext http, PlotFile file)
    {
        // Set before the body starts: SecurityHeaders keeps a policy a handler set and adds the UI's as a second one.
        http.Response.Headers.ContentSecurityPolicy = PlotPolicy;
        http.Response.Headers.CacheControl = "private, no-cache";
        return Results.Stream(file.Content!, file.ContentType);
    }

    private static string Shorten(string value) => value.Length <= 100 ? value : value[..100] + "…";
}
