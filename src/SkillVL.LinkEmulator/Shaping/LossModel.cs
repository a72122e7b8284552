namespace SkillVL.LinkEmulator.Shaping;

/// <summary>
/// Independent random loss (Bernoulli per frame), like netem's <c>loss random</c> without correlation. The
/// generator is injected so a seed makes a run repeatable.
/// </summary>
public sealed class LossModel
{
    private readonly double _fraction;
    private readonly Random _random;

    public LossModel(double fraction, Random random)
    {
        if (!(fraction is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "A loss fraction is between 0 and 1.");
        }

        _fraction = fraction;
        _random = random;
    }

    /// <summary>True if the next frame is lost. Draws from the generator only when loss is configured.</summary>
    public bool NextIsLost() => _fraction > 0 && (_fraction >= 1 || _random.NextDouble() < _fraction);
}
