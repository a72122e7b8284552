using SkillVL.LinkEmulator.Host;

return LinkemApplication.Run(args, Console.Out, Console.Error, Console.OpenStandardOutput());
