using System.Globalization;
using Intriguing.Training;

namespace Intriguing.Paper;

/// <summary>
/// An architecture of the adversarial-training comparison (issues 7 and 25): the network with and without dropout, its
/// defaults, and its variants, derived from its layers (<see cref="HiddenActivations"/>): weight decay only, dropout,
/// an input-space pool, a pool at each hidden activation, and pools at all of them.
/// </summary>
public sealed class AdvTrainModel
{
    /// <summary>The comparison's original architecture, the default of <c>advtrain</c>.</summary>
    public const string DefaultName = "FC100-100-10";

    private readonly Lazy<AdvTrainVariant[]> _variants;
    private readonly Lazy<AdvTrainVariant[]> _extra;

    /// <summary>Makes an architecture; the variants are derived on first use.</summary>
    /// <param name="name">Its catalogue name (<see cref="Catalog.Find"/>), which gives the SGD recipe.</param>
    /// <param name="create">The network.</param>
    /// <param name="createDropout">The network with dropout layers, the dropout baseline.</param>
    /// <param name="dropoutDescription">Where its dropout is, for the report, e.g. "dropout 0.2 (input and hidden layers)".</param>
    /// <param name="description">The network and what its hidden layers are, for the report.</param>
    /// <param name="epochs">Epochs per run of the comparison.</param>
    /// <param name="pools">Pool settings of the comparison (the layers come from each variant).</param>
    /// <param name="learningRate">Learning rate of the comparison; null: the catalogue recipe's.</param>
    public AdvTrainModel(string name, Func<ulong, INetwork> create, Func<ulong, INetwork> createDropout, string dropoutDescription, string description, int epochs, AdversarialTrainingOptions pools, float? learningRate = null)
    {
        Name = name;
        Create = create;
        CreateDropout = createDropout;
        DropoutDescription = dropoutDescription;
        Description = description;
        Epochs = epochs;
        Pools = pools;
        LearningRate = learningRate;
        _variants = new Lazy<AdvTrainVariant[]>(() => Derive(false));
        _extra = new Lazy<AdvTrainVariant[]>(() => Derive(true));
    }

    /// <summary>Catalogue name, e.g. <c>FC200-200-10-ReLU</c>.</summary>
    public string Name { get; }

    /// <summary>Makes the network initialised from a seed.</summary>
    public Func<ulong, INetwork> Create { get; }

    /// <summary>Makes the network with dropout initialised from a seed.</summary>
    public Func<ulong, INetwork> CreateDropout { get; }

    /// <summary>Where the dropout network drops, for the report.</summary>
    public string DropoutDescription { get; }

    /// <summary>The network and its hidden layers, for the report.</summary>
    public string Description { get; }

    /// <summary>Epochs per run of the comparison (without <c>--epochs</c>).</summary>
    public int Epochs { get; }

    /// <summary>Pool settings of the comparison (without pool options).</summary>
    public AdversarialTrainingOptions Pools { get; }

    /// <summary>Pool settings of <c>--quick</c>: <see cref="Pools"/> with small pools, no warm-up, refreshed often.</summary>
    public AdversarialTrainingOptions QuickPools => Pools with { PoolSize = 100, RefreshFraction = 0.5, RefreshPeriod = 300, WarmupEpochs = 0 };

    /// <summary>Learning rate of the comparison; null: the catalogue recipe's.</summary>
    public float? LearningRate { get; }

    /// <summary>The catalogue recipe (weight decays are the network's; batch, rate, momentum, schedule are these).</summary>
    public SgdOptions Recipe => Catalog.Find(Name)!.Sgd;

    /// <summary>Whether this is FC100-100-10, whose runs and outputs keep their original names.</summary>
    public bool IsDefault => Name == DefaultName;

    /// <summary>The suffix of this architecture's folders and outputs: empty for FC100-100-10, else <c>-</c> and the file name, e.g. <c>-mnist-conv</c>.</summary>
    public string Suffix => IsDefault ? "" : "-" + Catalog.FileName(Name);

    /// <summary>The six variants of the comparison (seven or more with more hidden layers): wd, dropout, input, layer1 … layerH, all.</summary>
    public IReadOnlyList<AdvTrainVariant> Variants => _variants.Value;

    /// <summary>Variants run only when named: the input pool and all pools on the dropout network.</summary>
    public IReadOnlyList<AdvTrainVariant> ExtraVariants => _extra.Value;

    /// <summary>Every variant: <see cref="Variants"/>, then <see cref="ExtraVariants"/>.</summary>
    public IReadOnlyList<AdvTrainVariant> AllVariants => Variants.Concat(ExtraVariants).ToArray();

    /// <summary>Finds a variant by id or letter.</summary>
    public AdvTrainVariant? Find(string name) => AllVariants.FirstOrDefault(v => string.Equals(v.Id, name, StringComparison.OrdinalIgnoreCase) || string.Equals(v.Letter, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The hidden activations of a network, where the comparison puts a hidden-layer pool: every activation k ≥ 1 that
    /// ends a block, i.e. whose layer is not a dropout layer and whose next layer, dropout layers skipped, has weights
    /// (dense or convolution). For FC100-100-10: 2 and 4 (after each hidden sigmoid); with dropout 3 and 6 (before the
    /// dropout, which then also applies to the pool examples); for a ReLU MLP after each hidden ReLU; for MNIST-Conv 3,
    /// 6 and 8 (after each convolution block's max-pooling and after the hidden dense layer's ReLU).
    /// </summary>
    public static int[] HiddenActivations(INetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        IReadOnlyList<LayerInfo> layers = network.Summary.Layers;
        var hidden = new List<int>();
        for (int k = 1; k < layers.Count; k++)
        {
            // layers[k - 1] is layer k, whose output is activation k; layers[k] is the next layer.
            if (layers[k - 1].Kind == LayerKind.Dropout) continue;
            int next = k;
            while (next < layers.Count && layers[next].Kind == LayerKind.Dropout) next++;
            if (next < layers.Count && layers[next].Kind is LayerKind.Dense or LayerKind.Conv) hidden.Add(k);
        }

        return hidden.ToArray();
    }

    private AdvTrainVariant[] Derive(bool extra)
    {
        int[] hidden = HiddenActivations(Create(1));
        string List(IEnumerable<int> layers) => string.Join(", ", layers.Select(k => k.ToString(CultureInfo.InvariantCulture)));
        var variants = new List<AdvTrainVariant>
        {
            new("wd", "a", "weight decay only", Array.Empty<int>(), Create),
            new("dropout", "b", DropoutDescription, Array.Empty<int>(), CreateDropout),
            new("input", "c", "input-space pool", new[] { 0 }, Create),
        };
        for (int i = 0; i < hidden.Length; i++)
        {
            variants.Add(new($"layer{i + 1}", Letter(variants.Count), $"hidden layer {i + 1} pool (activation {hidden[i]})", new[] { hidden[i] }, Create));
        }

        int[] all = hidden.Prepend(0).ToArray();
        variants.Add(new("all", Letter(variants.Count), $"pools for every layer (activations {List(all)})", all, Create));
        if (!extra) return variants.ToArray();
        int[] allDropout = HiddenActivations(CreateDropout(1)).Prepend(0).ToArray();
        return new AdvTrainVariant[]
        {
            new("input-dropout", Letter(variants.Count), "input-space pool with dropout 0.2", new[] { 0 }, CreateDropout),
            new("all-dropout", Letter(variants.Count + 1), $"pools for every layer (activations {List(allDropout)}) with dropout 0.2", allDropout, CreateDropout),
        };
    }

    private static string Letter(int index) => ((char)('a' + index)).ToString();

    /// <summary>The architectures of the comparison: FC100-100-10 (issue 7), FC200-200-10-ReLU and MNIST-Conv (issue 25).</summary>
    public static IReadOnlyList<AdvTrainModel> All { get; } = new[]
    {
        new AdvTrainModel(DefaultName, s => new Fc100x100x10(s), s => new Fc100x100x10Dropout(s), "dropout 0.2 (input and hidden layers)",
            "FC100-100-10 (sigmoid, weight decay 1e-5, 1e-5, 1e-6 as in Table 1), trained by the same SGD recipe and seeds with and without pools of adversarial examples. "
            + "\"Hidden layer 1/2\" are the paper's layers: the outputs of the first and second sigmoid, activations 2 and 4 in our numbering (Dense, Sigmoid, Dense, Sigmoid, Dense, Softmax). "
            + "(For the dropout network the hidden layers are the same sigmoid outputs, activations 3 and 6.)",
            AdversarialTrainingExperiment.ComparisonEpochs, AdversarialTrainingExperiment.DefaultPools),
        new AdvTrainModel("FC200-200-10-ReLU", s => new Fc200x200x10Relu(s), s => new Fc200x200x10ReluDropout(s), "dropout 0.2 (input and hidden layers)",
            "FC200-200-10-ReLU (two hidden layers of 200 rectified linear units, weight decay 1e-5, 1e-5, 1e-6; not in the paper), trained by the same SGD recipe and seeds with and without pools of adversarial examples. "
            + "\"Hidden layer 1/2\" are the outputs of the first and second ReLU, activations 2 and 4 (Dense, ReLU, Dense, ReLU, Dense, Softmax); their box is [0, ∞). "
            + "(For the dropout network: activations 3 and 6.)",
            ReluEpochs, AdversarialTrainingExperiment.LbfgsPools with { PoolDistortion = ReluPoolDistortion }, ReluLearningRate),
        new AdvTrainModel("MNIST-Conv", s => new MnistConv(s), s => new MnistConvDropout(s), "dropout 0.2 (after each convolution block and the hidden dense layer)",
            "MNIST-Conv (Conv 16@5×5, ReLU, max-pool 2; Conv 32@5×5, ReLU, max-pool 2; dense 100, ReLU; dense 10), trained by the same SGD recipe and seeds with and without pools of adversarial examples. "
            + "\"Hidden layer 1/2\" are the outputs of the two convolution blocks (after the max-pooling: activations 3 and 6, 16×12×12 and 32×4×4 values), \"hidden layer 3\" the hidden dense layer's ReLU (activation 8, 100 values). "
            + "(For the dropout network: activations 3, 7 and 10.)",
            ConvEpochs, AdversarialTrainingExperiment.LbfgsPools with { PoolDistortion = ConvPoolDistortion }, ConvLearningRate),
    };

    /// <summary>The default architecture, FC100-100-10.</summary>
    public static AdvTrainModel Default => All[0];

    /// <summary>Finds an architecture by name (catalogue name or its file name), ignoring case; null if there is none.</summary>
    public static AdvTrainModel? FindModel(string name) =>
        All.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase) || string.Equals(Catalog.FileName(m.Name), Catalog.FileName(name), StringComparison.OrdinalIgnoreCase));

    /// <summary>Epochs per run for FC200-200-10-ReLU (not chosen: four times the catalogue recipe's 50, as for FC100-100-10).</summary>
    public const int ReluEpochs = 200;

    /// <summary>Learning rate of FC200-200-10-ReLU's comparison (docs/advtrain-search.md, "Other architectures").</summary>
    public const float ReluLearningRate = 0.05f;

    /// <summary>Stored pool-example distortion of FC200-200-10-ReLU's comparison (docs/advtrain-search.md, "Other architectures").</summary>
    public const double ReluPoolDistortion = 0.05;

    /// <summary>Epochs per run for MNIST-Conv (not chosen: four times the catalogue recipe's 3, as for FC100-100-10).</summary>
    public const int ConvEpochs = 12;

    /// <summary>Learning rate of MNIST-Conv's comparison (docs/advtrain-search.md, "Other architectures").</summary>
    public const float ConvLearningRate = 0.05f;

    /// <summary>Stored pool-example distortion of MNIST-Conv's comparison (docs/advtrain-search.md, "Other architectures").</summary>
    public const double ConvPoolDistortion = 0.05;
}
