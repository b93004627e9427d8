using Intriguing.Adversarial;
using Intriguing.Data;
using Intriguing.Training;

namespace Intriguing.Networks.Tests;

/// <summary>Bad arguments to the attacks, the evaluation and the trainers get an <see cref="ArgumentException"/> that says what is wrong.</summary>
public class InputCheckTests
{
    private static float[] Example(int length, int seed) => Enumerable.Range(0, length).Select(i => ((i * 7 + seed) % 11) / 11f).ToArray();

    [Theory]
    [InlineData(10)]
    [InlineData(42)]
    [InlineData(-1)]
    public void An_untargeted_attack_refuses_a_label_out_of_range(int label)
    {
        var attack = new LbfgsAttack(new TenClassLinear(1));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => attack.Untargeted(Example(20, 1), label));
        Assert.Equal("label", e.ParamName);
        Assert.Contains("0..9", e.Message);
    }

    [Fact]
    public void An_untargeted_attack_refuses_an_example_the_network_does_not_classify_as_its_label()
    {
        var attack = new LbfgsAttack(new TenClassLinear(1));
        float[] x = Example(20, 2);
        int predicted = attack.Predict(x);
        int wrong = (predicted + 1) % 10;
        var e = Assert.Throws<ArgumentException>(() => attack.Untargeted(x, wrong));
        Assert.Equal("label", e.ParamName);
        Assert.Contains($"classifies the example as {predicted}, not as its label {wrong}", e.Message);

        // The label the network predicts is attacked as before.
        Assert.True(attack.Untargeted(x, predicted).Success);
    }

    [Theory]
    [InlineData(1.5f)]
    [InlineData(-0.25f)]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void An_attack_refuses_a_value_outside_the_box(float value)
    {
        var attack = new LbfgsAttack(new TenClassLinear(1));
        float[] x = Example(20, 3);
        int label = attack.Predict(x);
        x[13] = value;
        var e = Assert.Throws<ArgumentException>(() => attack.Targeted(x, label, (label + 1) % 10));
        Assert.Equal("x", e.ParamName);
        Assert.Contains("Value 13 of the example", e.Message);
        Assert.Throws<ArgumentException>(() => attack.Untargeted(x, label));
    }

    [Fact]
    public void A_target_label_out_of_range_is_still_refused_and_so_is_a_true_label_out_of_range()
    {
        var attack = new LbfgsAttack(new TenClassLinear(1));
        Assert.Equal("target", Assert.Throws<ArgumentOutOfRangeException>(() => attack.Targeted(Example(20, 4), 0, 10)).ParamName);
        Assert.Equal("label", Assert.Throws<ArgumentOutOfRangeException>(() => attack.Targeted(Example(20, 4), 12, 1)).ParamName);
    }

    [Fact]
    public void Predict_refuses_a_value_that_is_not_finite_and_a_wrong_length()
    {
        var attack = new LbfgsAttack(new TenClassLinear(1));
        float[] x = Example(20, 5);
        x[4] = float.NaN;
        Assert.Contains("Value 4 of the example is NaN", Assert.Throws<ArgumentException>(() => attack.Predict(x)).Message);
        Assert.Contains("has 21 values", Assert.Throws<ArgumentException>(() => attack.Predict(new float[21])).Message);
    }

    [Theory]
    [InlineData(19)]
    [InlineData(21)]
    [InlineData(40)]
    public void One_sample_forward_refuses_an_input_of_another_length(int length)
    {
        var net = new TenClassLinear(1);
        var e = Assert.Throws<ArgumentException>(() => net.Forward(new float[length], new float[10]));
        Assert.Equal("input", e.ParamName);
        Assert.Contains($"holds {length} values but one sample has 20", e.Message);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.NegativeInfinity)]
    public void A_dataset_refuses_a_value_that_is_not_finite_and_names_the_sample(float value)
    {
        float[] samples = new float[3 * 20];
        samples[2 * 20 + 7] = value;
        var e = Assert.Throws<ArgumentException>(() => new Dataset("bad", samples, new[] { 0, 1, 2 }, 20, 10));
        Assert.Equal("samples", e.ParamName);
        Assert.Contains("Sample 2 of 'bad'", e.Message);
        Assert.Contains("at position 7", e.Message);
    }

    [Fact]
    public void Training_and_evaluation_refuse_a_value_made_not_finite_after_the_set_was_made()
    {
        float[] samples = Enumerable.Range(0, 4 * 20).Select(i => (i % 9) / 9f).ToArray();
        var data = new Dataset("later", samples, new[] { 0, 1, 2, 3 }, 20, 10);
        samples[3 * 20 + 2] = float.NaN; // the set holds the array, so this reaches it
        var net = new TenClassLinear(1);
        foreach (Action run in new Action[]
        {
            () => Trainer.Fit(net, data, new SgdOptions { Epochs = 1, BatchSize = 2 }),
            () => Evaluation.ErrorRate(net, data),
            () => AdversarialTrainer.Fit(net, data, new SgdOptions { Epochs = 1, BatchSize = 2 }, new AdversarialTrainingOptions()),
        })
        {
            var e = Assert.Throws<ArgumentException>(run);
            Assert.Contains("Sample 3 of 'later' has the value NaN at position 2", e.Message);
        }
    }

    [Fact]
    public void Training_and_evaluation_refuse_an_empty_dataset()
    {
        var empty = new Dataset("empty", Array.Empty<float>(), Array.Empty<int>(), 20, 10);
        var net = new TenClassLinear(1);
        Assert.Contains("has no samples", Assert.Throws<ArgumentException>(() => Trainer.Fit(net, empty, new SgdOptions { Epochs = 1 })).Message);
        Assert.Contains("has no samples", Assert.Throws<ArgumentException>(() => Evaluation.ErrorRate(net, empty)).Message);
        Assert.Contains("has no samples", Assert.Throws<ArgumentException>(() =>
            AdversarialTrainer.Fit(net, empty, new SgdOptions { Epochs = 1 }, new AdversarialTrainingOptions())).Message);
    }
}
