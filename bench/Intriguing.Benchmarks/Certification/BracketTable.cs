using System.Text;
using Intriguing.Data;
using Intriguing.Paper;
using Intriguing.Training;

namespace Intriguing.Benchmarks.Certification;

/// <summary>
/// Mode <c>certify-bracket CHECKPOINT_DIR OUT_DIR [COUNT] [CONV_COUNT] [THREADS]</c>: the reproduction's certification
/// section (bracket, curves, histogram) for the Table 1 models and MNIST-Conv from existing checkpoints, without the rest
/// of <c>reproduce</c>; writes OUT_DIR/certification.md and the charts.
/// </summary>
public static class BracketTable
{
    public static void Run(string[] args)
    {
        string checkpoints = args[1];
        string output = args[2];
        int count = args.Length > 3 ? int.Parse(args[3]) : 1000;
        int convCount = args.Length > 4 ? int.Parse(args[4]) : CertificationExperiments.ConvExamples;
        int threads = args.Length > 5 ? int.Parse(args[5]) : Environment.ProcessorCount;
        MnistData data = Mnist.Load(Mnist.Locate(null, download: false));
        var networks = new Dictionary<string, INetwork>();
        var models = Catalog.Models.Where(m => m.Table == "Table 1").Select(m => m.Name).Append(Reproduction.ConvModel).ToArray();
        foreach (string name in models)
        {
            ModelEntry entry = Catalog.Find(name)!;
            INetwork net = entry.Create(0);
            Checkpoint.Load(Path.Combine(checkpoints, Catalog.FileName(name) + ".ckpt"), net);
            networks[name] = net;
        }

        Directory.CreateDirectory(output);
        CertificationSection section = CertificationExperiments.Run(networks, models, data.Test, count, 1, threads, output, Console.Out, convCount: convCount);
        var sb = new StringBuilder();
        CertificationReport.Section(sb, section);
        File.WriteAllText(Path.Combine(output, "certification.md"), sb.ToString());
        Console.WriteLine(sb.ToString());
    }
}
