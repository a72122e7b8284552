namespace SkillVL.Experiments;

/// <summary>
/// Runs one planned run and measures it. The testbed implementation builds what the cell needs (a testbed with the
/// cell's link, a template, the guest's RAM and disk), moves the VM and reads the counters; unit tests of the run
/// loop use a hand-written one.
/// </summary>
public interface ICellRunner
{
    /// <summary>"tcg" or "kvm", for environment.json.</summary>
    string Accelerator { get; }

    /// <summary>Data in the template's disk (for environment.json and the baseline's prediction).</summary>
    long TemplateDataBytes { get; }

    /// <summary>Runs <paramref name="run"/>. A migration that fails is a result (its outcome says so); an exception
    /// means the run could not be carried out (the testbed broke) and stops the experiment, to be resumed.</summary>
    Task<RunMeasurement> RunAsync(PlannedRun run, CancellationToken ct);
}
