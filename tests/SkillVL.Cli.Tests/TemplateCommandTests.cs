using System.Net;

namespace SkillVL.Cli.Tests;

/// <summary><c>skillvl template delete</c> (issue 11): 204 prints it; 409 exits Conflict with the Server's message.</summary>
public sealed class TemplateCommandTests
{
    [Fact]
    public async Task Issue11_TemplateDelete_Unused_Deletes()
    {
        var harness = new CliHarness();
        harness.Handler.On("DELETE", "/api/v1/templates/old", new HttpResponseMessage(HttpStatusCode.NoContent));

        var run = await harness.RunAsync("template", "delete", "old");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Equal("template old deleted\n", run.Stdout);
    }

    [Fact]
    public async Task Issue11_TemplateDelete_InUse_ExitsConflictNamingTheUsers()
    {
        var harness = new CliHarness();
        const string Detail = "Template 'tiny' is used by 1 machine(s): room 'lab' of user 'sam' (web).";
        harness.Handler.On("DELETE", "/api/v1/templates/tiny", Answers.Problem(HttpStatusCode.Conflict, "Conflict", Detail));

        var run = await harness.RunAsync("template", "delete", "tiny");

        Assert.Equal(ExitCodes.Conflict, run.ExitCode);
        Assert.Contains(Detail, run.Stderr, StringComparison.Ordinal);
    }
}
