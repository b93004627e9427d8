using System.CommandLine;
using Intriguing.Paper;

namespace Intriguing.Cli.Commands;

/// <summary><c>intriguing models</c>: the paper's networks with their compile-time summaries.</summary>
internal static class ModelsCommand
{
    /// <summary>Makes the <c>models</c> command with its options and action.</summary>
    public static Command Create()
    {
        var models = new Command("models", "List the paper's networks with their compile-time summaries (shapes, parameters, multiply-adds, Lipschitz-bound methods).");
        models.SetAction(_ =>
        {
            foreach (ModelEntry m in Catalog.All)
            {
                Console.WriteLine($"{m.Name}  [{m.Table}, trained on {m.Split}]");
                Console.WriteLine(m.Create(0).Summary.ToString());
                Console.WriteLine();
            }

            foreach ((string name, Func<ulong, INetwork> create) in Catalog.ShapesOnly)
            {
                Console.WriteLine($"{name}  [layer shapes only, not trained]");
                Console.WriteLine(create(0).Summary.ToString());
                Console.WriteLine();
            }

            return 0;
        });
        return models;
    }
}
