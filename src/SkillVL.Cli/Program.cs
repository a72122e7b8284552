using SkillVL.Cli;

return await CliApplication.RunAsync(args, CliContext.ForProcess(), CancellationToken.None);
